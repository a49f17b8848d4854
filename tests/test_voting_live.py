"""The live channel: versions, the cheap conditional poll (ETag / 304), server-sent events, and
live state shared by two app instances (two gunicorn workers) through the database or Redis.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from resolutions import create_app
from resolutions.extensions import db
from resolutions.models import BallotKind, Poll
from resolutions.voting import live, notify
from tests import servers
from tests.objects.app import RequestIsolatedClient, sign_in, url_path
from tests.objects.voting import check_in, give_proxy, procedural_poll


def _with_redis(app: Flask) -> Iterator[None]:
    prefix = f"test-{secrets.token_hex(4)}"
    app.config.update(REDIS_URL=servers.redis_url(), LIVE_KEY_PREFIX=prefix)
    yield
    client = notify.redis_client()
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()
    app.extensions.pop("voting_live_redis", None)


@pytest.fixture(params=["database", "redis"])
def backend(request: pytest.FixtureRequest, app: Flask) -> Iterator[str]:
    """Run the test with the database versions and again with Redis (own key prefix)."""
    if request.param == "redis":
        yield from (request.param for _ in _with_redis(app))
    else:
        yield "database"


@pytest.fixture
def redis_backend(app: Flask) -> Iterator[str]:
    """Redis only: server-sent events need it (without it the pages poll)."""
    yield from ("redis" for _ in _with_redis(app))


def _live(client, world, view="console", etag=None):
    headers = {"Accept": "application/json"}
    if etag:
        headers["If-None-Match"] = etag
    return client.get(
        url_path("voting.live", conference_id=world.conference.id, view=view), headers=headers
    )


def _cast(client, world, poll, choice="yes", **data):
    return client.post(
        url_path("voting.cast", conference_id=world.conference.id, poll_id=poll.id),
        data={"choice": choice, **data},
    )


# --- versions and the conditional poll -------------------------------------------------------


def test_live_json_answers_304_until_something_changes(backend, world, as_user):
    check_in(world.chair, *world.delegates)
    chair = as_user(world.chair)
    first = _live(chair, world)
    assert first.status_code == 200 and first.json["poll"] is None
    etag = first.headers["ETag"]
    assert first.json["present"] == {"weight": 4, "total": 4}

    again = _live(chair, world, etag=etag)
    assert again.status_code == 304 and again.get_data() == b""

    poll = procedural_poll(world)
    opened = _live(chair, world, etag=etag)
    assert opened.status_code == 200 and opened.json["poll"] == {"id": poll.id, "state": "open"}
    assert opened.json["turnout"] == {
        "voted_weight": 0,
        "entitled_weight": 4,
        "ballots": 0,
        "entitled": 4,
    }
    etag = opened.headers["ETag"]
    state = opened.json["state"]

    # A ballot changes the turnout part of the version only.
    _cast(as_user(world.delegate), world, poll)
    after_vote = _live(chair, world, etag=etag)
    assert after_vote.status_code == 200
    assert after_vote.json["state"] == state
    assert after_vote.json["turnout"]["voted_weight"] == 1
    assert _live(chair, world, etag=after_vote.headers["ETag"]).status_code == 304


def test_every_visible_change_moves_the_state_version(backend, world, as_user):
    chair = as_user(world.chair)

    def state() -> str:
        return _live(chair, world).json["state"]

    seen = [state()]

    def changed(what: str) -> None:
        now = state()
        assert now not in seen, f"{what} did not change the live state version"
        seen.append(now)

    chair.post(url_path("voting.roll_call", conference_id=world.conference.id), data={"open": "1"})
    changed("opening the roll call")
    as_user(world.delegate).post(
        url_path("voting.self_check_in", conference_id=world.conference.id), data={}
    )
    changed("a self check-in")
    chair.post(
        url_path(
            "voting.set_presence", conference_id=world.conference.id, participant_id=world.chair.id
        ),
        data={"present": "1"},
    )
    changed("a check-in by the chair")
    chair.post(
        url_path(
            "conferences.participant_presence",
            conference_id=world.conference.id,
            participant_id=world.delegates[1].id,
        ),
        data={"present": "1"},
    )
    changed("a check-in by access card")
    as_user(world.secretariat).post(
        url_path(
            "conferences.participant_presence",
            conference_id=world.conference.id,
            participant_id=world.observer.id,
        ),
        data={"present": "1", "back": "edit"},
    )
    changed("a check-in from the participant's page")
    chair.post(
        url_path("voting.proxies", conference_id=world.conference.id),
        data={"holder": world.delegate.id},
    )
    changed("a proxy")
    chair.post(
        url_path("voting.create_procedural", conference_id=world.conference.id),
        data={"title": "Q1", "open_now": "y"},
    )
    changed("opening a poll")
    poll = db.session.scalar(sa.select(Poll))
    chair.post(
        url_path("voting.close_poll", conference_id=world.conference.id, poll_id=poll.id),
        data={"publish": ""},
    )
    changed("closing a poll")
    chair.post(
        url_path("voting.publish_poll", conference_id=world.conference.id, poll_id=poll.id), data={}
    )
    changed("publishing a result")
    chair.post(
        url_path("voting.create_procedural", conference_id=world.conference.id),
        data={"title": "Q2"},
    )
    changed("preparing a poll")
    second = db.session.scalar(sa.select(Poll).where(Poll.title == "Q2"))
    chair.post(
        url_path("voting.cancel_poll", conference_id=world.conference.id, poll_id=second.id),
        data={"reason": "No."},
    )
    changed("cancelling a poll")


def test_etag_depends_on_the_view_and_the_language(world, as_user):
    chair = as_user(world.chair)
    console = _live(chair, world, "console").headers["ETag"]
    ballot = _live(chair, world, "ballot")
    assert ballot.headers["ETag"] != console
    assert "snapshot" in ballot.json and "snapshot" not in _live(chair, world, "console").json


def test_live_refuses_outsiders(world, other_world, as_user):
    assert _live(as_user(other_world.delegate), world).status_code == 404
    assert _live(as_user(world.observer), world).status_code == 200


# --- the ballot page's snapshot --------------------------------------------------------------


def test_ballot_snapshot_carries_the_open_poll_rendered_once_for_everybody(backend, world, as_user):
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world, ballot_kind=BallotKind.SECRET, title="Shall we vote now?")
    first = _live(as_user(world.delegates[0]), world, "ballot").json["snapshot"]
    second = _live(as_user(world.delegates[1]), world, "ballot").json["snapshot"]
    assert first == second  # nothing personal in it
    assert first["poll"]["id"] == poll.id and first["poll"]["state"] == "open"
    assert first["poll"]["key"] == f"{poll.id}:open"
    assert "Shall we vote now?" in first["poll"]["html"]
    assert "Secret ballot" in first["poll"]["html"]
    assert first["poll"]["cast_url"].endswith(f"/polls/{poll.id}/ballot")
    assert first["version"] == _live(as_user(world.delegate), world).json["state"]

    _cast(as_user(world.delegate), world, poll, "yes")
    as_user(world.chair).post(
        url_path("voting.close_poll", conference_id=world.conference.id, poll_id=poll.id),
        data={"publish": "y"},
    )
    closed = _live(as_user(world.delegates[1]), world, "ballot").json["snapshot"]
    assert closed["poll"]["state"] == "published" and "Adopted" in closed["poll"]["html"]
    for delegate in world.delegates:
        assert delegate.user.name not in closed["poll"]["html"]


# --- two workers -------------------------------------------------------------------------------


@pytest.fixture
def second_app(app: Flask) -> Iterator[Flask]:
    """Another app object on the same database (and Redis prefix): a second worker."""
    keys = (
        "TESTING",
        "SECRET_KEY",
        "SQLALCHEMY_DATABASE_URI",
        "WTF_CSRF_ENABLED",
        "RATELIMIT_STORAGE_URI",
        "SERVER_NAME",
        "REDIS_URL",
        "LIVE_KEY_PREFIX",
    )
    other = create_app({k: app.config[k] for k in keys if k in app.config})
    other.test_client_class = RequestIsolatedClient
    yield other
    with other.app_context():
        for engine in db.engines.values():
            engine.dispose()
        client = other.extensions.get("voting_live_redis")
        if client is not None:
            client.close()


def test_live_state_is_shared_by_two_app_instances(backend, app, world, second_app):
    check_in(world.chair, *world.delegates)
    a = sign_in(app.test_client(), world.chair)
    b = sign_in(second_app.test_client(), world.chair)
    before_b = _live(b, world)
    etag = before_b.headers["ETag"]
    # The same state gives the same ETag in both workers.
    assert _live(a, world, etag=etag).status_code == 304

    # The chair opens a poll through worker A; worker B sees it at its next poll.
    a.post(
        url_path("voting.create_procedural", conference_id=world.conference.id),
        data={"title": "Q", "open_now": "y"},
    )
    seen_by_b = _live(b, world, etag=etag)
    assert seen_by_b.status_code == 200 and seen_by_b.json["poll"]["state"] == "open"

    # A delegate votes through worker B; the chair's worker A sees the turnout.
    delegate_b = sign_in(second_app.test_client(), world.delegate)
    poll_id = seen_by_b.json["poll"]["id"]
    delegate_b.post(
        url_path("voting.cast", conference_id=world.conference.id, poll_id=poll_id),
        data={"choice": "no"},
    )
    assert _live(a, world).json["turnout"]["voted_weight"] == 1


# --- server-sent events ----------------------------------------------------------------------


class StreamReader:
    """Reads a streamed response in a thread and keeps each SSE event with its arrival time."""

    def __init__(self, response: Any) -> None:
        self.response = response
        self.events: list[tuple[float, str, str]] = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        buffer = ""
        for chunk in self.response.response:
            buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
            while "\n\n" in buffer:
                block, buffer = buffer.split("\n\n", 1)
                name, data = "message", []
                for line in block.splitlines():
                    if line.startswith("event: "):
                        name = line[7:]
                    elif line.startswith("data: "):
                        data.append(line[6:])
                    elif line.startswith(":"):
                        name = "comment"
                self.events.append((time.monotonic(), name, "\n".join(data)))

    def wait_for(self, name: str, predicate=lambda data: True, timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for arrived, event, data in list(self.events):
                if event == name and predicate(data):
                    return arrived, data
            time.sleep(0.01)
        raise AssertionError(f"no {name} event within {timeout}s: {self.events}")

    def join(self) -> None:
        self.thread.join(timeout=10)


def test_events_without_redis_answer_204_so_pages_poll(world, as_user):
    answer = as_user(world.delegate).get(
        url_path("voting.events", conference_id=world.conference.id)
    )
    assert answer.status_code == 204
    page = (
        as_user(world.delegate)
        .get(url_path("voting.ballot", conference_id=world.conference.id))
        .get_data(as_text=True)
    )
    assert 'data-events-url=""' in page and "data-live-url=" in page


def test_ballot_stream_delivers_the_opened_poll_within_a_second(redis_backend, app, world, as_user):
    app.config.update(LIVE_STREAM_SECONDS=4, LIVE_HEARTBEAT_SECONDS=1)
    check_in(world.chair, *world.delegates)
    response = as_user(world.delegate).get(
        url_path("voting.events", conference_id=world.conference.id, view="ballot"), buffered=False
    )
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    reader = StreamReader(response)
    _, data = reader.wait_for("snapshot")
    assert json.loads(data)["poll"] is None

    opened_at = time.monotonic()
    as_user(world.chair).post(
        url_path("voting.create_procedural", conference_id=world.conference.id),
        data={"title": "Live question", "open_now": "y"},
    )
    arrived, data = reader.wait_for(
        "snapshot", lambda d: json.loads(d)["poll"] is not None, timeout=3
    )
    assert arrived - opened_at < 1.0
    snapshot = json.loads(data)
    assert snapshot["poll"]["state"] == "open" and "Live question" in snapshot["poll"]["html"]
    reader.wait_for("comment")  # the heartbeat
    reader.join()  # the stream ends by itself after LIVE_STREAM_SECONDS
    assert not reader.thread.is_alive()


def test_a_check_in_by_access_card_reaches_the_open_attendance_page(
    redis_backend, app, world, as_user
):
    """The card check-in (conferences' route) goes through the same presence path as the
    chair's attendance list, so the stream of an open attendance page hears about it."""
    app.config.update(LIVE_STREAM_SECONDS=4, LIVE_HEARTBEAT_SECONDS=1)
    response = as_user(world.chair).get(
        url_path("voting.events", conference_id=world.conference.id, view="attendance"),
        buffered=False,
    )
    reader = StreamReader(response)
    _, first = reader.wait_for("state")
    as_user(world.secretariat).post(
        url_path(
            "conferences.participant_presence",
            conference_id=world.conference.id,
            participant_id=world.delegates[1].id,
        ),
        data={"present": "1"},
    )
    assert world.delegates[1].present is True
    _, data = reader.wait_for("state", lambda d: d != first, timeout=3)
    assert data.split(".")[0] != first.split(".")[0]
    reader.join()


def test_console_stream_sends_turnout_coalesced(redis_backend, app, world, as_user):
    app.config.update(LIVE_STREAM_SECONDS=3, LIVE_TURNOUT_INTERVAL=0.5)
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world)
    reader = StreamReader(
        as_user(world.chair).get(
            url_path("voting.events", conference_id=world.conference.id, view="console"),
            buffered=False,
        )
    )
    voters = [as_user(delegate) for delegate in world.delegates]  # signed in before, so that
    reader.wait_for("state")  # the three ballots below come quickly one after another
    for voter in voters:
        _cast(voter, world, poll)
    _, data = reader.wait_for(
        "turnout", lambda d: json.loads(d)["turnout"]["voted_weight"] == 3, timeout=3
    )
    assert json.loads(data)["turnout"]["entitled_weight"] == 4
    reader.join()
    turnout_events = [e for e in reader.events if e[1] == "turnout"]
    # Three quick ballots, at most one event per interval (here: one or two, never three+).
    assert 1 <= len(turnout_events) <= 2
    # The ballot page does not listen to turnout at all.
    assert "turnout" not in live.TURNOUT_VIEWS.intersection({"ballot"})


def test_touch_waits_for_the_commit_and_is_dropped_on_rollback(redis_backend, world):
    conference_id = world.conference.id
    before = notify.live_version(conference_id)
    world.conference.roll_call_open = True
    db.session.flush()
    notify.touch(conference_id)
    assert notify.live_version(conference_id) == before  # not before the commit
    db.session.rollback()
    assert notify.live_version(conference_id) == before  # nor after a rollback
    db.session.execute(sa.select(1))
    notify.touch(conference_id)
    db.session.commit()
    assert notify.live_version(conference_id) != before


def test_giving_a_proxy_reaches_the_holders_live_state(backend, world, as_user):
    check_in(world.delegates[1])
    holder = as_user(world.delegates[1])
    before = _live(holder, world).json["state"]
    give_proxy(world.delegate, world.delegates[1])
    assert _live(holder, world).json["state"] != before


def test_the_request_that_opens_a_poll_prepares_the_snapshot_of_every_language(
    redis_backend, app, world, as_user
):
    check_in(world.chair, *world.delegates)
    as_user(world.chair).post(
        url_path("voting.create_procedural", conference_id=world.conference.id),
        data={"title": "Prepared for everyone", "open_now": "y"},
    )
    client = notify.redis_client()
    state, _ = notify.live_versions(world.conference.id)
    for language in ("ru", "en"):
        name = notify.key(world.conference.id, f"snapshot:{language}")
        cached = live.cached_snapshot(client, name, int(state[1:]))
        assert cached is not None, f"no {language} snapshot for {state}"
        snapshot = json.loads(cached)
        assert snapshot["version"] == state
        assert "Prepared for everyone" in snapshot["poll"]["html"]


def test_a_published_result_is_rendered_once_per_language_and_shared(
    redis_backend, app, world, as_user
):
    """When the hall opens the result at once, one request renders it (per language) and every
    worker answers the others from Redis: frozen at close, the same for every member."""
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world)  # named: the page lists every voter
    for delegate in world.delegates:
        _cast(as_user(delegate), world, poll, "no")
    url = url_path("voting.poll", conference_id=world.conference.id, poll_id=poll.id)
    as_user(world.chair).post(f"{url}/close", data={"publish": "y"})
    first = as_user(world.delegates[0]).get(url).get_data(as_text=True)
    assert "result__counts" in first and world.delegates[1].name in first
    client = live.redis_client()
    prefix = live.key(world.conference.id, f"result:{poll.id}:")
    names = [name.decode() for name in client.scan_iter(prefix + "*")]
    assert names == [prefix + "ru"]
    # Another member's page comes from the shared copy (marked here to tell it apart).
    marked = client.get(names[0]).replace(b"result__counts", b"result__counts shared-copy")
    client.set(names[0], marked)
    other = as_user(world.delegates[1]).get(url).get_data(as_text=True)
    assert "result__counts shared-copy" in other
