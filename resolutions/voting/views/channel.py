"""The live channel: the live state as JSON (with an ETag) and the server-sent events."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request
from flask_babel import get_locale

from resolutions.auth.access import conference_role
from resolutions.models import Conference, Participant
from resolutions.voting import live, notify
from resolutions.voting.open_vote import open_vote_for
from resolutions.voting.views._common import LIVE_VIEWS, bp

# --- the live channel ------------------------------------------------------------------------


@bp.get("/live", endpoint="live")
@conference_role()
def live_state(conference: Conference, me: Participant) -> Response:
    """The live state as JSON, with an ETag: unchanged state answers 304 without work."""
    view = request.args.get("view", "ballot")
    if view not in LIVE_VIEWS:
        view = "ballot"
    version = notify.live_version(conference.id)
    etag = f"{version}-{view}-{get_locale()}"
    if view == "banner":
        # Personal (whether this member holds a vote): never shared between members.
        etag += f"-{me.id}"
    if request.if_none_match.contains(etag):
        response = Response(status=304)
        response.set_etag(etag)
        response.headers["Cache-Control"] = "no-cache"
        return response
    if view == "banner":
        # Every conference page's banner: only whether a vote waits for this member.
        vote = open_vote_for(me)
        state_version, _turnout = version.split(".", 1)
        payload = {
            "version": version,
            "state": state_version,
            "vote": vote.as_json() if vote else None,
        }
    else:
        payload = live.live_payload(conference, view=view)
    response = jsonify(payload)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/events")
@conference_role()
def events(conference: Conference, me: Participant) -> Response:
    """Server-sent events fed by Redis pub/sub; without Redis, 204 (pages poll instead)."""
    if not current_app.config.get("REDIS_URL"):
        return Response(status=204)
    view = request.args.get("view", "ballot")
    if view not in LIVE_VIEWS:
        view = "ballot"
    stream = live.event_stream(
        # The app itself for the stream's thread; Flask types current_app as the app, not the proxy.
        current_app._get_current_object(),  # type: ignore[attr-defined]
        conference.id,
        view=view,
        locale=str(get_locale()),
        base_url=request.host_url,
    )
    return Response(
        stream,
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
