"""The live channel of a sitting: a version that changes whenever something visible changes.

Pages poll ``voting.live`` with ``If-None-Match`` (a 304 costs no work) or listen to
``voting.events`` (server-sent events); either way they only learn *that* something changed
and then ask for the new state. Nothing is kept in a Python variable: every gunicorn worker
reads the same Redis keys (``REDIS_URL``) or, without Redis, the same database rows.

Two kinds of change are kept apart so that a burst of ballots does not make a thousand phones
reload their ballot page:
- ``"state"``: a poll was created, opened, closed, cancelled or published; attendance, roll call
  or proxies changed. Every page reacts.
- ``"turnout"``: a ballot was cast. Only the chair's console and the projector show it.

``touch`` called inside a database transaction waits for the commit (and is dropped on a
rollback), so a client that sees the new version always reads the committed data.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any, Literal

import redis
import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from resolutions.extensions import db
from resolutions.models import Conference, Participant, Poll, PollState, Proxy, VoteRecord

log = logging.getLogger(__name__)

Change = Literal["state", "turnout"]
CHANGES: tuple[Change, ...] = ("state", "turnout")
_PENDING = "voting_live_pending"  # key in Session.info: {(conference_id, change)} to publish


def key(conference_id: int, change: Change) -> str:
    """The Redis key holding the counter of ``change`` (also the pub/sub channel name)."""
    return f"resolutions:live:{conference_id}:{change}"


def redis_client() -> redis.Redis | None:
    """The app's Redis client (one connection pool per app and process), None without Redis."""
    if not has_app_context():
        return None
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get("voting_live_redis")
    if client is None:
        client = redis.Redis.from_url(
            url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=30
        )
        current_app.extensions["voting_live_redis"] = client
    return client


def touch(conference_id: int, change: Change = "state") -> None:
    """Tell every open page of the conference that something changed.

    Safe to call anywhere: without an app context or without Redis it does nothing (the
    database version changes by itself). Inside an open transaction the notice is sent after
    the commit, so nobody reads the old data under the new version.
    """
    if change not in CHANGES:
        raise ValueError(f"unknown live change {change!r}")
    if not has_app_context() or not current_app.config.get("REDIS_URL"):
        return
    session = db.session()
    if session.in_transaction():
        session.info.setdefault(_PENDING, set()).add((conference_id, change))
        return
    _publish({(conference_id, change)})


def _publish(changes: set[tuple[int, Change]]) -> None:
    client = redis_client()
    if client is None:
        return
    try:
        pipe = client.pipeline(transaction=False)
        for conference_id, change in sorted(changes):
            name = key(conference_id, change)
            # A counter that starts at the clock, so that a Redis restart does not bring back
            # versions that clients still hold as ETags.
            pipe.set(name, int(time.time() * 1000), nx=True)
            pipe.incr(name)
        counters = pipe.execute()[1::2]
        pipe = client.pipeline(transaction=False)
        for (conference_id, change), counter in zip(sorted(changes), counters, strict=True):
            pipe.publish(key(conference_id, change), counter)
        pipe.execute()
    except redis.RedisError as error:
        # The vote is already committed; pages fall back to polling the database version.
        log.warning("live channel: could not publish a change: %s", error)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending and has_app_context():
        _publish(pending)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: Any) -> None:
    if not session.in_transaction():
        session.info.pop(_PENDING, None)


def live_version(conference_id: int) -> str:
    """An opaque version of the conference's live state: equal versions, equal pages.

    ``"<state>.<turnout>"``: the first part changes with polls, attendance and proxies, the
    second with every ballot cast.
    """
    return ".".join(live_versions(conference_id))


def live_versions(conference_id: int) -> tuple[str, str]:
    """(state version, turnout version), from Redis when configured, else from the database."""
    client = redis_client()
    if client is not None:
        try:
            state, turnout = client.mget([key(conference_id, c) for c in CHANGES])
            return "r" + (state or b"0").decode(), "r" + (turnout or b"0").decode()
        except redis.RedisError as error:
            log.warning("live channel: Redis unavailable, reading the database: %s", error)
    return _database_versions(conference_id)


def _database_versions(conference_id: int) -> tuple[str, str]:
    """Both versions from one query of aggregates that move with every visible change."""
    in_conference = Poll.conference_id == conference_id
    present = sa.and_(Participant.conference_id == conference_id, Participant.present.is_(True))
    parts: list[Any] = [
        sa.select(sa.func.count(Poll.id)).where(in_conference, Poll.state == state)
        for state in PollState
    ]
    parts += [
        sa.select(sa.func.max(Poll.id)).where(in_conference),
        sa.select(sa.func.count(Participant.id)).where(present),
        sa.select(sa.func.coalesce(sa.func.sum(Participant.id), 0)).where(present),
        sa.select(sa.func.max(Participant.checked_in_at)).where(present),
        sa.select(sa.func.count(Proxy.id)).where(Proxy.conference_id == conference_id),
        sa.select(sa.func.count(Proxy.revoked_at)).where(Proxy.conference_id == conference_id),
        sa.select(Conference.roll_call_open).where(Conference.id == conference_id),
        sa.select(sa.func.count(VoteRecord.id))
        .join(Poll, Poll.id == VoteRecord.poll_id)
        .where(in_conference, Poll.state == PollState.OPEN),
    ]
    row = db.session.execute(sa.select(*(part.scalar_subquery() for part in parts))).one()
    *state_parts, turnout = row
    digest = hashlib.sha256(repr(tuple(state_parts)).encode()).hexdigest()[:16]
    return "d" + digest, "d" + str(turnout)
