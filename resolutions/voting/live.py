"""The live channel of a sitting: a version that changes whenever something visible changes.

Pages listen to ``voting.events`` (server-sent events fed by Redis pub/sub) or, without
Redis or while the stream is down, poll ``voting.live`` with ``If-None-Match`` (an unchanged
state answers 304). The chair's pages then fetch themselves again; the ballot page gets the
public part of the poll in the event itself (a "snapshot", rendered once per change and shared
through Redis), so that a thousand phones do not ask the server at once. Nothing is kept in a
Python variable: every gunicorn worker reads the same Redis keys (``REDIS_URL``) or, without
Redis, the same database rows.

Two kinds of change are kept apart so that a burst of ballots does not make a thousand phones
reload their ballot page:
- ``"state"``: a poll was created, opened, closed, cancelled or published; attendance, roll call
  or proxies changed. Every page reacts.
- ``"turnout"``: a ballot was cast. Only the chair's console and the projector show it.

``touch`` called inside a database transaction waits for the commit (and is dropped on a
rollback), so a client that sees the new version always reads the committed data; within a
request, committed changes are published when the request ends (``publish_committed``).

Settings (all optional): ``LIVE_KEY_PREFIX``, ``LIVE_STREAM_SECONDS`` (lifetime of one event
stream, 300), ``LIVE_HEARTBEAT_SECONDS`` (15), ``LIVE_TURNOUT_INTERVAL`` (0.5),
``LIVE_RETRY_MS`` (1500), ``LIVE_REDIS_MAX_CONNECTIONS`` (4000 per worker).
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from collections.abc import Iterator
from typing import Any, Literal

import redis
import sqlalchemy as sa
from flask import (
    Flask,
    current_app,
    g,
    has_app_context,
    has_request_context,
    render_template,
    url_for,
)
from flask_babel import force_locale, get_locale
from sqlalchemy import event
from sqlalchemy.orm import Session

from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    Conference,
    Participant,
    Poll,
    PollState,
    Proxy,
    VoteRecord,
)

log = logging.getLogger(__name__)

Change = Literal["state", "turnout"]
CHANGES: tuple[Change, ...] = ("state", "turnout")
_PENDING = "voting_live_pending"  # key in Session.info: {(conference_id, change)} to publish
_WROTE = "voting_live_wrote"  # key in Session.info: this transaction has written something
_COMMITTED = "voting_live_committed"  # key in flask.g: changes to publish after the request
SNAPSHOT_SECONDS = 24 * 3600


def key(conference_id: int, change: str) -> str:
    """The Redis key holding the counter of ``change`` (also the pub/sub channel name).

    ``LIVE_KEY_PREFIX`` separates installations (and test runs) sharing one Redis.
    """
    prefix = current_app.config.get("LIVE_KEY_PREFIX", "resolutions")
    return f"{prefix}:live:{conference_id}:{change}"


def redis_client() -> redis.Redis | None:
    """The app's Redis client (one connection pool per app and process), None without Redis."""
    if not has_app_context():
        return None
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get("voting_live_redis")
    if client is None:
        # Every open event stream holds a pub/sub connection of its own: the pool must allow
        # as many as a worker serves streams (Redis itself accepts 10,000 by default).
        client = redis.Redis.from_url(
            url,
            socket_timeout=2,
            socket_connect_timeout=2,
            health_check_interval=30,
            max_connections=int(current_app.config.get("LIVE_REDIS_MAX_CONNECTIONS", 4000)),
        )
        current_app.extensions["voting_live_redis"] = client
    return client


def touch(conference_id: int, change: Change = "state") -> None:
    """Tell every open page of the conference that something changed.

    Safe to call anywhere: without an app context or without Redis it does nothing (the
    database version changes by itself). Inside a transaction that has written something the
    notice is sent after the commit (and dropped on rollback), so nobody reads the old data
    under the new version; otherwise (after the commit, or a transaction that only read) it is
    sent at once.
    """
    if change not in CHANGES:
        raise ValueError(f"unknown live change {change!r}")
    if not has_app_context() or not current_app.config.get("REDIS_URL"):
        return
    session = db.session()
    if session.in_transaction() and (
        session.info.get(_WROTE) or session.new or session.dirty or session.deleted
    ):
        session.info.setdefault(_PENDING, set()).add((conference_id, change))
        return
    _dispatch({(conference_id, change)})


def _dispatch(changes: set[tuple[int, Change]]) -> None:
    """Publish committed changes: at the end of the request when there is one (so that the
    ballot snapshot can be rendered first, with a fresh session), else at once."""
    if has_request_context():
        g.setdefault(_COMMITTED, set()).update(changes)
    else:
        _publish(changes)


def publish_committed(response: Any = None) -> Any:
    """After a request: publish what it committed, with the ballot snapshots of every language
    prepared for the new state, so that a thousand streams wake up to a ready snapshot instead
    of all asking for it. Registered by the voting blueprint (after and teardown)."""
    changes = g.pop(_COMMITTED, None)
    if changes:
        _publish(changes, prepare=True)
    return response


def _publish(changes: set[tuple[int, Change]], *, prepare: bool = False) -> None:
    client = redis_client()
    if client is None:
        return
    ordered = sorted(changes)
    names = [key(conference_id, change) for conference_id, change in ordered]
    try:
        # One round trip: a counter that starts at the clock (so that a Redis restart does not
        # bring back versions clients still hold as ETags), then incremented.
        prepared = prepare and any(change == "state" for _, change in ordered)
        # Without a snapshot to prepare, the script publishes too: one round trip in all.
        counters = client.eval(
            _BUMP, len(names), *names, int(time.time() * 1000), 0 if prepared else 1
        )
        if prepared:
            for (conference_id, change), counter in zip(ordered, counters, strict=True):
                if change == "state":
                    _prepare_snapshots(client, conference_id, int(counter))
            pipe = client.pipeline(transaction=False)
            for name, counter in zip(names, counters, strict=True):
                pipe.publish(name, counter)
            pipe.execute()
    except redis.RedisError as error:
        # The change is already committed; pages fall back to polling the database version.
        log.warning("live channel: could not publish a change: %s", error)


_BUMP = """
local counters = {}
for i, name in ipairs(KEYS) do
  redis.call('SET', name, ARGV[1], 'NX')
  counters[i] = redis.call('INCR', name)
  if ARGV[2] == '1' then
    redis.call('PUBLISH', name, counters[i])
  end
end
return counters
"""


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


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_WROTE, None)
    pending = session.info.pop(_PENDING, None)
    if pending and has_app_context():
        _dispatch(pending)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: Any) -> None:
    if not session.in_transaction():
        session.info.pop(_PENDING, None)
        session.info.pop(_WROTE, None)


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


# --- what live pages show --------------------------------------------------------------------


def current_poll(conference_id: int, *, open_only: bool = False) -> Poll | None:
    """The poll the sitting is on: the open one, else the one opened last (closed, published
    or cancelled), so that pages show its outcome until the next poll opens."""
    statement = sa.select(Poll).where(Poll.conference_id == conference_id)
    if open_only:
        return db.session.scalar(statement.where(Poll.state == PollState.OPEN).limit(1))
    return db.session.scalar(
        statement.where(Poll.opened_at.is_not(None))
        .order_by((Poll.state == PollState.OPEN).desc(), Poll.opened_at.desc(), Poll.id.desc())
        .limit(1)
    )


def public_poll_context(poll: Poll, *, preview: bool = False) -> dict[str, Any]:
    """What anybody may see of a poll: what is voted, its frozen rules, its state.

    While the poll is prepared or open and its subject is an amendment, the exact change is
    shown as a word diff against the current text (which cannot change while the poll is
    open); afterwards the text frozen at opening. ``preview`` adds the text as it would read
    if the amendment were adopted (the projector).
    """
    from resolutions.drafting import service as drafting

    context: dict[str, Any] = {
        "poll": poll,
        "amendment": None,
        "diff": None,
        "preview": None,
        "preview_focus": set(),
        "text": poll.subject_text,
    }
    pending = poll.state in (PollState.CREATED, PollState.OPEN)
    if poll.amendment_id is not None:
        amendment = db.session.get(Amendment, poll.amendment_id)
        context["amendment"] = amendment
        if amendment is not None and pending:
            context["diff"] = drafting.amendment_diff(amendment)
            if preview:
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
    from resolutions.voting import service

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
    from resolutions.voting import attendance

    state_version, turnout_version = live_versions(conference.id)
    poll = current_poll(conference.id)
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
    poll = current_poll(conference_id)
    data: dict[str, Any] = {
        "version": state_version,
        "roll_call": bool(conference and conference.roll_call_open),
        "poll": None,
    }
    if poll is not None:
        from resolutions.voting import service

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
    number, _, data = raw.decode().partition("\n")
    return data if int(number) >= wanted else None


# --- server-sent events ----------------------------------------------------------------------

TURNOUT_VIEWS = frozenset({"console", "projector", "poll"})


def event_stream(
    app: Flask, conference_id: int, *, view: str, locale: str, base_url: str = "http://localhost/"
) -> Iterator[str]:
    """Server-sent events for one page, for a bounded time (the browser then reconnects).

    ``state`` events carry the state version (the ballot page gets ``snapshot`` events with
    the public poll instead, so it needs no further request); ``turnout`` events at most
    every ``LIVE_TURNOUT_INTERVAL`` seconds; a comment line as heartbeat. Holds no database
    connection while it waits.
    """
    lifetime = float(app.config.get("LIVE_STREAM_SECONDS", 300))
    heartbeat = float(app.config.get("LIVE_HEARTBEAT_SECONDS", 15))
    interval = float(app.config.get("LIVE_TURNOUT_INTERVAL", 0.5))

    def state_event(counter: int | None = None) -> str:
        if view == "ballot" and counter is not None:
            # Usually ready: prepared by the request that made the change.
            cached = cached_snapshot(client, snapshot_name, counter)
            if cached is not None:
                return f"event: snapshot\ndata: {cached}\n\n"
        with app.test_request_context("/", base_url=base_url), force_locale(locale):
            if view == "ballot":
                return f"event: snapshot\ndata: {snapshot_json(conference_id)}\n\n"
            state, turnout = live_versions(conference_id)
            return f"event: state\ndata: {state}.{turnout}\n\n"

    def turnout_event() -> str:
        with app.app_context():
            state, turnout = live_versions(conference_id)
            numbers = turnout_payload(current_poll(conference_id, open_only=True))
        data = json.dumps({"version": f"{state}.{turnout}", "turnout": numbers})
        return f"event: turnout\ndata: {data}\n\n"

    with app.app_context():
        client = redis_client()
        channels = [key(conference_id, "state")]
        if view in TURNOUT_VIEWS:
            channels.append(key(conference_id, "turnout"))
        snapshot_name = key(conference_id, f"snapshot:{locale}")
    if client is None:
        return
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    try:
        pubsub.subscribe(*channels)
        yield f"retry: {int(app.config.get('LIVE_RETRY_MS', 1500))}\n\n"
        yield state_event()
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
            message = pubsub.get_message(timeout=max(wait, 0.0))
            state_counter: int | None = None
            while message is not None:
                if message["type"] == "message":
                    if message["channel"].decode().endswith(":state"):
                        state_counter = max(state_counter or 0, int(message["data"]))
                    else:
                        turnout_pending = True
                message = pubsub.get_message(timeout=0.0)
            now = time.monotonic()
            if state_counter is not None:
                yield state_event(state_counter)
                beat_due = now + heartbeat
            if turnout_pending and now >= turnout_due:
                turnout_pending = False
                turnout_due = now + interval
                yield turnout_event()
                beat_due = now + heartbeat
            if now >= beat_due:
                yield ": ping\n\n"
                beat_due = now + heartbeat
    except (redis.RedisError, OSError, ValueError) as error:
        # Redis went away (or its connection was closed under us): the page reconnects, and
        # polls meanwhile.
        log.warning("live channel: event stream ended: %s", error)
    finally:
        pubsub.close()
