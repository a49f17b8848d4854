"""``/healthz``: is the database reachable, is Redis (when configured)? For load balancers and
monitoring: no sign-in, no details beyond ``ok``/``unavailable``/``not configured``."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify

from resolutions.extensions import db

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


def database_status() -> str:
    try:
        db.session.execute(sa.text("SELECT 1"))
        return "ok"
    except sa.exc.SQLAlchemyError as error:
        # The class only: a driver's message may name the server.
        log.warning("health check: the database does not answer (%s)", type(error).__name__)
        return "unavailable"
    finally:
        db.session.rollback()


def redis_status() -> str:
    from resolutions.voting import notify

    client = notify.redis_client()
    if client is None:
        return "not configured"
    try:
        client.ping()
        return "ok"
    except Exception as error:  # redis raises many kinds; any means "not usable now"
        log.warning("health check: Redis does not answer (%s)", type(error).__name__)
        return "unavailable"


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    checks = {"database": database_status(), "redis": redis_status()}
    healthy = all(state != "unavailable" for state in checks.values())
    body = {"status": "ok" if healthy else "unavailable", **checks}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if healthy else 503
