"""The live channel's top half: what live pages are sent.

Pages listen to ``voting.events`` (server-sent events fed by Redis pub/sub) or, without
Redis or while the stream is down, poll ``voting.live`` with ``If-None-Match`` (an unchanged
state answers 304). The chair's pages then fetch themselves again; the ballot page gets the
public part of the poll in the event itself (a "snapshot", rendered once per change and shared
through Redis), so that a thousand phones do not ask the server at once. Nothing is kept in a
Python variable: every gunicorn worker reads the same Redis keys (``REDIS_URL``) or, without
Redis, the same database rows.

Versions and notices (``touch``) live below, in ``voting.notify``; this module builds on the
voting service and attendance to render what the pages show.

Settings (all optional): ``LIVE_STREAM_SECONDS`` (lifetime of one event stream, 300),
``LIVE_HEARTBEAT_SECONDS`` (15), ``LIVE_TURNOUT_INTERVAL`` (0.5), ``LIVE_RETRY_MS`` (1500).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import redis
from flask import (
    Flask,
    current_app,
    render_template,
    url_for,
)
from flask_babel import force_locale, get_locale

from resolutions.drafting import service as drafting
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    Conference,
    Poll,
    PollState,
)
from resolutions.voting import attendance, fanout, notify, service
from resolutions.voting.notify import as_text, key, live_versions, redis_client

log = logging.getLogger(__name__)

SNAPSHOT_SECONDS = 24 * 3600


def publish_committed(response: Any = None) -> Any:
    """After a request: publish what it committed, with the ballot snapshots of every language
    prepared for the new state, so that a thousand streams wake up to a ready snapshot instead
    of all asking for it. Registered for every request of the app by the voting blueprint
    (after and teardown)."""
    changes = notify.take_committed()
    if changes:
        notify.publish(changes, prepare=_prepare_snapshots)
    return response


def _prepare_snapshots(client: redis.Redis, conference_id: int, counter: int) -> None:
    # The data is read after the counter moved: it is at least as new as the version.
    try:
        for language in current_app.config.get("LANGUAGES", ("ru", "en")):
            with force_locale(language):
                data = build_snapshot(conference_id, f"r{counter}")
            name = key(conference_id, f"snapshot:{language}")
            client.set(name, f"{counter}\n{data}", ex=SNAPSHOT_SECONDS)
    except Exception:  # noqa: BLE001 (the change is committed; pages build it lazily instead)
        log.exception("live channel: could not prepare the ballot snapshot")


# --- what live pages show --------------------------------------------------------------------


def public_poll_context(poll: Poll, *, preview: bool = False) -> dict[str, Any]:
    """What anybody may see of a poll: what is voted, its frozen rules, its state.

    While the poll is prepared or open and its subject is an amendment, the exact change is
    shown as a word diff against the current text (which cannot change while the poll is
    open); afterwards the text frozen at opening. ``preview`` adds the text as it would read
    if the amendment were adopted (the projector).
    """
    # In the reader's language where a current translation exists (the snapshot is built
    # per locale); the vote is on the same clause whichever language is read.
    reader = drafting.poll_subject_for_reader(poll, str(get_locale() or ""))
    context: dict[str, Any] = {
        "poll": poll,
        "amendment": None,
        "diff": None,
        "preview": None,
        "preview_focus": set(),
        "text": reader.text,
        "text_language": reader.language,
    }
    pending = poll.state in (PollState.CREATED, PollState.OPEN)
    if poll.amendment_id is not None:
        amendment = db.session.get(Amendment, poll.amendment_id)
        context["amendment"] = amendment
        if amendment is not None and pending:
            context["diff"] = (
                reader.diff if reader.diff is not None else drafting.amendment_diff(amendment)
            )
            # The preview is the first-language text: shown to readers of that language.
            if preview and not reader.translated:
                numbered = drafting.amendment_preview(amendment)
                context["preview"] = numbered
                context["preview_focus"] = _changed_positions(amendment, numbered)
    return context


def _changed_positions(amendment: Amendment, numbered: list[Any]) -> set[int]:
    """Indexes of the clauses the amendment changes in its preview (to highlight them)."""
    target = amendment.target_clause_id
    return {
        i
        for i, clause in enumerate(numbered)
        if clause.clause_id is None or (target is not None and clause.clause_id == target)
    }


def turnout_payload(poll: Poll | None) -> dict[str, int] | None:
    if poll is None or poll.state != PollState.OPEN:
        return None
    turnout = service.turnout(poll)
    return {
        "voted_weight": turnout.voted_weight,
        "entitled_weight": turnout.entitled_weight,
        "ballots": turnout.ballots,
        "entitled": turnout.entitled,
    }


def live_payload(conference: Conference, *, view: str) -> dict[str, Any]:
    """The JSON of ``voting.live``: versions, the current poll, turnout, present weight;
    for the ballot page also the public snapshot it renders the poll from."""
    state_version, turnout_version = live_versions(conference.id)
    poll = service.last_opened_poll(conference.id)
    present_weight, total_weight = attendance.present_weight(conference)
    payload: dict[str, Any] = {
        "version": f"{state_version}.{turnout_version}",
        "state": state_version,
        "turnout_version": turnout_version,
        "poll": {"id": poll.id, "state": poll.state.value} if poll else None,
        "turnout": turnout_payload(poll),
        "present": {"weight": present_weight, "total": total_weight},
        "roll_call": conference.roll_call_open,
    }
    if view == "ballot":
        payload["snapshot"] = json.loads(snapshot_json(conference.id))
    return payload


def build_snapshot(conference_id: int, state_version: str) -> str:
    """The public part of the ballot page, the same for every delegate, as JSON: the current
    poll rendered to HTML. Needs a request context (templates, translations)."""
    conference = db.session.get(Conference, conference_id)
    poll = service.last_opened_poll(conference_id)
    data: dict[str, Any] = {
        "version": state_version,
        "roll_call": bool(conference and conference.roll_call_open),
        "poll": None,
    }
    if poll is not None:
        result = service.poll_result(poll) if poll.state == PollState.PUBLISHED else None
        html = render_template(
            "voting/_poll_public.html",
            public=public_poll_context(poll),
            result=result,
            conference_id=conference_id,
        )
        data["poll"] = {
            "id": poll.id,
            "state": poll.state.value,
            "key": f"{poll.id}:{poll.state.value}",
            "html": html,
            "cast_url": url_for("voting.cast", conference_id=conference_id, poll_id=poll.id),
        }
    return json.dumps(data, separators=(",", ":"))


def _version_number(version: str) -> int | None:
    try:
        return int(version[1:]) if version.startswith("r") else None
    except ValueError:
        return None


def snapshot_json(conference_id: int) -> str:
    """The snapshot for the current state version, in the current locale.

    With Redis, it is prepared when the change is published (``publish_committed``) or else
    built once per version and locale by whichever worker asks first, under a short lock,
    and shared by every worker: a thousand phones cost one render.
    """
    state_version, _ = live_versions(conference_id)
    client = redis_client()
    if client is None:
        return build_snapshot(conference_id, state_version)
    wanted = _version_number(state_version) or 0
    name = key(conference_id, f"snapshot:{get_locale()}")
    try:
        cached = cached_snapshot(client, name, wanted)
        if cached is not None:
            return cached
        token = secrets.token_hex(8)
        if not client.set(name + ":lock", token, nx=True, px=3000):
            deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline:
                time.sleep(0.02)
                cached = cached_snapshot(client, name, wanted)
                if cached is not None:
                    return cached
        data = build_snapshot(conference_id, state_version)
        client.set(name, f"{wanted}\n{data}", ex=SNAPSHOT_SECONDS)
        if client.get(name + ":lock") == token.encode():
            client.delete(name + ":lock")
        return data
    except redis.RedisError as error:
        log.warning("live channel: snapshot cache unavailable: %s", error)
        return build_snapshot(conference_id, state_version)


def cached_snapshot(client: redis.Redis, name: str, wanted: int) -> str | None:
    """The cached snapshot JSON under ``name`` if it is at least version ``wanted``."""
    raw = client.get(name)
    if raw is None:
        return None
    number, _, data = as_text(raw).partition("\n")
    return data if int(number) >= wanted else None


# --- server-sent events ----------------------------------------------------------------------

TURNOUT_VIEWS = frozenset({"console", "projector", "poll"})


@dataclass
class _Events:
    """The events one page's stream sends, each built when it is due."""

    app: Flask
    conference_id: int
    view: str
    locale: str
    base_url: str
    client: redis.Redis
    hub: fanout.Hub
    snapshot_name: str

    def fetch_snapshot(self, counter: int) -> str:
        # Usually ready in Redis: prepared by the request that made the change.
        cached = cached_snapshot(self.client, self.snapshot_name, counter)
        if cached is not None:
            return cached
        with (
            self.app.test_request_context("/", base_url=self.base_url),
            force_locale(self.locale),
        ):
            return snapshot_json(self.conference_id)

    def state(self, counter: int | None = None) -> str:
        if self.view == "ballot":
            if counter is None:
                with self.app.app_context():
                    counter = _version_number(live_versions(self.conference_id)[0]) or 0
            wanted = counter
            data = self.hub.shared(self.snapshot_name, wanted, lambda: self.fetch_snapshot(wanted))
            return f"event: snapshot\ndata: {data}\n\n"
        with self.app.app_context():
            state, turnout = live_versions(self.conference_id)
        return f"event: state\ndata: {state}.{turnout}\n\n"

    def turnout(self) -> str:
        with self.app.app_context():
            state, turnout = live_versions(self.conference_id)
            numbers = turnout_payload(service.poll_now_open(self.conference_id))
        data = json.dumps({"version": f"{state}.{turnout}", "turnout": numbers})
        return f"event: turnout\ndata: {data}\n\n"


def event_stream(
    app: Flask, conference_id: int, *, view: str, locale: str, base_url: str = "http://localhost/"
) -> Iterator[str]:
    """Server-sent events for one page, for a bounded time (the browser then reconnects).

    ``state`` events carry the state version (the ballot page gets ``snapshot`` events with
    the public poll instead, so it needs no further request); ``turnout`` events at most
    every ``LIVE_TURNOUT_INTERVAL`` seconds; a comment line as heartbeat. While it waits it
    holds neither a database connection nor a Redis connection of its own: the process's
    ``fanout.Hub`` wakes it, and a snapshot is fetched once per process and version.
    """
    lifetime = float(app.config.get("LIVE_STREAM_SECONDS", 300))
    heartbeat = float(app.config.get("LIVE_HEARTBEAT_SECONDS", 15))
    interval = float(app.config.get("LIVE_TURNOUT_INTERVAL", 0.5))

    with app.app_context():
        client = redis_client()
        if client is None:
            return
        hub = _hub(client)
        state_channel = key(conference_id, "state")
        channels = {state_channel}
        if view in TURNOUT_VIEWS:
            channels.add(key(conference_id, "turnout"))
        snapshot_name = key(conference_id, f"snapshot:{locale}")
    events = _Events(app, conference_id, view, locale, base_url, client, hub, snapshot_name)
    listener = hub.listen(frozenset(channels))
    try:
        yield f"retry: {int(app.config.get('LIVE_RETRY_MS', 1500))}\n\n"
        yield events.state()
        start = time.monotonic()
        deadline = start + lifetime
        beat_due = start + heartbeat
        turnout_due = 0.0
        turnout_pending = False
        while True:
            now = time.monotonic()
            if now >= deadline:
                return
            wait = min(beat_due, deadline) - now
            if turnout_pending:
                wait = min(wait, turnout_due - now)
            changes, lost = listener.wait(wait)
            now = time.monotonic()
            if lost or state_channel in changes:
                # After a lost subscription, the current state (it may have moved meanwhile).
                yield events.state(None if lost else changes[state_channel])
                beat_due = now + heartbeat
            if len(changes) > (state_channel in changes):
                turnout_pending = True
            if turnout_pending and now >= turnout_due:
                turnout_pending = False
                turnout_due = now + interval
                yield events.turnout()
                beat_due = now + heartbeat
            if now >= beat_due:
                yield ": ping\n\n"
                beat_due = now + heartbeat
    except (redis.RedisError, OSError, ValueError) as error:
        # Redis went away: the page reconnects, and polls meanwhile.
        log.warning("live channel: event stream ended: %s", error)
    finally:
        hub.forget(listener)


def _hub(client: redis.Redis) -> fanout.Hub:
    """This process's subscriber for the app's key prefix (created on first use)."""
    hubs: dict[str, fanout.Hub] = current_app.extensions.setdefault("voting_live_hubs", {})
    pattern = key(0, "").removesuffix("0:") + "*"
    hub = hubs.get(pattern)
    if hub is None:
        hub = hubs[pattern] = fanout.Hub(client, pattern)
    return hub
