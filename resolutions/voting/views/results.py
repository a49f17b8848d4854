"""What the room reads: the projector, a poll's page with its result, the record of polls."""

from __future__ import annotations

import contextlib
from typing import Any

import redis
from flask import render_template, request
from flask_babel import get_locale
from markupsafe import Markup

from resolutions.auth.access import conference_role, get_in_conference
from resolutions.models import Conference, Participant, Poll, PollState, Role
from resolutions.voting import live, notify, service, sitting
from resolutions.voting.views._common import _is_fragment, _live_attrs, bp

# --- projector, results, record --------------------------------------------------------------


@bp.get("/projector")
@conference_role(Role.CHAIR)
def projector(conference: Conference, me: Participant) -> str:
    """Read-only, large type: what is voted, the text if adopted, turnout, then the result."""
    attrs = _live_attrs(conference, "projector")
    poll = service.last_opened_poll(conference.id)
    context: dict[str, Any] = {
        "poll": poll,
        "public": live.public_poll_context(poll, preview=True) if poll else None,
        "turnout": service.turnout(poll) if poll and poll.state == PollState.OPEN else None,
        "result": (
            service.poll_result(poll)
            if poll and poll.state in (PollState.CLOSED, PollState.PUBLISHED)
            else None
        ),
        "dark": request.args.get("theme") == "dark",
        "next_item": (
            sitting.next_in_queue(conference)
            if poll is None or poll.state != PollState.OPEN
            else None
        ),
    }
    template = "voting/_projector_live.html" if _is_fragment() else "voting/projector.html"
    return render_template(template, **attrs, **context)


@bp.get("/polls/<int:poll_id>")
@conference_role()
def poll(conference: Conference, me: Participant, poll_id: int) -> str:
    """The result of one poll: counts after close, each named voter's choice once published."""
    poll = get_in_conference(Poll, poll_id, conference)
    visible = service.can_see_result(poll, me)
    if poll.state == PollState.PUBLISHED and visible:
        # Frozen since the close, the same for every member: rendered once per language.
        return render_template(
            "voting/poll.html",
            **_live_attrs(conference, "poll"),
            poll=poll,
            region_html=_published_region(poll),
        )
    return render_template(
        "voting/poll.html",
        **_live_attrs(conference, "poll"),
        **_poll_region_context(poll, visible),
    )


def _poll_region_context(poll: Poll, visible: bool) -> dict[str, Any]:
    return {
        "poll": poll,
        "public": live.public_poll_context(poll),
        "result": service.poll_result(poll) if visible else None,
        "turnout": service.turnout(poll) if poll.state == PollState.OPEN else None,
        "visible": visible,
    }


def _published_region(poll: Poll) -> Markup:
    """The text, rules and result of a published poll as HTML, shared through Redis by every
    worker (when 1,000 delegates open the result at once, one of them renders it); without
    Redis rendered each time."""
    client = notify.redis_client()
    name = notify.key(poll.conference_id, f"result:{poll.id}:{get_locale()}")
    if client is not None:
        try:
            cached = client.get(name)
            if cached is not None:
                return Markup(notify.as_text(cached))  # noqa: S704 (our autoescaped template)
        except redis.RedisError:
            client = None
    html = render_template("voting/_poll_region.html", **_poll_region_context(poll, True))
    if client is not None:
        with contextlib.suppress(redis.RedisError):
            client.set(name, html, ex=live.SNAPSHOT_SECONDS)
    return Markup(html)  # noqa: S704 (rendered by our autoescaped template)


@bp.get("/record")
@conference_role()
def record(conference: Conference, me: Participant) -> str:
    """The voting record: every poll in order with its rules, weights, counts and outcome."""
    polls = service.polls_of(conference, opened=True)
    rows = [(p, service.can_see_result(p, me)) for p in polls]
    return render_template("voting/record.html", rows=rows)
