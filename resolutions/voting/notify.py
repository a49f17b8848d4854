"""The live channel's bottom half: a version that changes whenever something visible changes.

Services call ``touch`` when they change something a live page shows; this module publishes
the change after the commit (Redis pub/sub, ``REDIS_URL``) and answers the current versions
(from Redis, or without it from the database). It imports no voting service and no
attendance, so every area can notify without an import circle; what the pages are sent
(snapshots, payloads, the event stream) is built above it in ``voting.live``.

Two kinds of change are kept apart so that a burst of ballots does not make a thousand phones
reload their ballot page:
- ``"state"``: a poll was created, opened, closed, cancelled or published; attendance, roll call
  or proxies changed. Every page reacts.
- ``"turnout"``: a ballot was cast. Only the chair's console and the projector show it.

``touch`` called inside a database transaction waits for the commit (and is dropped on a
rollback), so a client that sees the new version always reads the committed data; within a
request, committed changes are published when the request ends (``voting.live`` registers
``publish_committed`` for every request of the app, whatever blueprint served it).

Settings (all optional): ``LIVE_KEY_PREFIX``, ``LIVE_REDIS_MAX_CONNECTIONS`` (4000 per worker).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any, Literal

import redis
import sqlalchemy as sa
from flask import (
    current_app,
    g,
    has_app_context,
    has_request_context,
)
from sqlalchemy import event
from sqlalchemy.orm import Session

from resolutions.extensions import db
from resolutions.models import (
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


def key(conference_id: int, change: str) -> str:
    """The Redis key holding the counter of ``change`` (also the pub/sub channel name).

    ``LIVE_KEY_PREFIX`` separates installations (and test runs) sharing one Redis.
    """
    prefix = current_app.config.get("LIVE_KEY_PREFIX", "resolutions")
    return f"{prefix}:live:{conference_id}:{change}"


def as_text(stored: bytes | str) -> str:
    """A value read from Redis: bytes from our client (typed as either, for clients that decode)."""
    return stored.decode() if isinstance(stored, bytes) else stored


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
        publish(changes)


def take_committed() -> set[tuple[int, Change]]:
    """The changes this request committed and has not published yet (emptied)."""
    if not has_request_context():
        return set()
    return g.pop(_COMMITTED, None) or set()


Prepare = Callable[[redis.Redis, int, int], None]


def publish(changes: set[tuple[int, Change]], *, prepare: Prepare | None = None) -> None:
    """Bump the counters of committed ``changes`` and publish them. ``prepare(client,
    conference_id, counter)`` runs for each state change after its counter moved and before
    it is published (the ballot snapshot is rendered there, so streams wake up to it)."""
    client = redis_client()
    if client is None:
        return
    ordered = sorted(changes)
    names = [key(conference_id, change) for conference_id, change in ordered]
    try:
        # One round trip: a counter that starts at the clock (so that a Redis restart does not
        # bring back versions clients still hold as ETags), then incremented.
        prepared = prepare is not None and any(change == "state" for _, change in ordered)
        # Without a snapshot to prepare, the script publishes too: one round trip in all.
        counters = client.eval(
            _BUMP, len(names), *names, int(time.time() * 1000), 0 if prepared else 1
        )
        if prepare is not None and prepared:
            for (conference_id, change), counter in zip(ordered, counters, strict=True):
                if change == "state":
                    prepare(client, conference_id, int(counter))
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
            return "r" + as_text(state or b"0"), "r" + as_text(turnout or b"0")
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
