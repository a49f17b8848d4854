"""The voting blueprint and what its pages share: the live channel's hooks and attributes,
answering an accepted or a refused action.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from resolutions.extensions import db
from resolutions.models import Conference
from resolutions.voting import live, notify

bp = Blueprint("voting", __name__, url_prefix="/c/<int:conference_id>")
# Live changes committed during any request are published when it ends (live.py).
bp.after_app_request(live.publish_committed)


@bp.teardown_app_request
def _publish_live_leftovers(error: BaseException | None) -> None:
    live.publish_committed()


LIVE_VIEWS = ("ballot", "console", "projector", "attendance", "poll", "banner")


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _is_fragment() -> bool:
    """The page's script asks for the page again to swap its live regions."""
    return request.headers.get("X-Live-Fragment") == "1"


def _accept(conference: Conference, message: str, endpoint: str) -> Response:
    """End an accepted action: commit it, tell open pages, confirm it and go back to the page."""
    conference_id = conference.id
    db.session.commit()
    notify.touch(conference_id)
    flash(message, "success")
    return redirect(url_for(endpoint, conference_id=conference_id))


def _live_attrs(conference: Conference, view: str) -> dict[str, Any]:
    """What the page's script needs to follow the live channel (see voting.js)."""
    state_version, turnout_version = notify.live_versions(conference.id)
    return {
        "live_view": view,
        "live_state_version": state_version,
        "live_turnout_version": turnout_version,
        "live_url": url_for("voting.live", conference_id=conference.id, view=view),
        "events_url": (
            url_for("voting.events", conference_id=conference.id, view=view)
            if current_app.config.get("REDIS_URL")
            else ""
        ),
    }
