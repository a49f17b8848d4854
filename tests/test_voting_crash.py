"""Every acknowledged ballot survives ``kill -9`` of a gunicorn worker in the middle of a burst.

A real server: the README's production command (gunicorn.conf.py: two gevent workers) on a
PostgreSQL database of its own, on a free loopback port. Two hundred delegates sign in through
``/sign-in`` (no back door), then vote at once through the ballot route with CSRF on; one
worker is killed with SIGKILL while ballots are in flight (gunicorn starts a new one). A client
retries a failed request with the same idempotency key, as the page's script does. At the end,
the database holds exactly the acknowledged ballots, each once, with the receipts the voters
were shown.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from resolutions import create_app
from resolutions.extensions import db
from resolutions.models import (
    BallotKind,
    Participant,
    Poll,
    PollSubject,
    Role,
    VoteRecord,
)
from resolutions.voting import service
from tests.objects.server import (
    CSRF,
    free_port,
    production_command,
    seed_sitting,
    sign_in_over_http,
)
from tests.objects.voting import own_postgres_database

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
# Signing 200 people in costs 200 argon2 verifications (slow on purpose): minutes on 2 cores.
DELEGATES = int(os.environ.get("CRASH_TEST_DELEGATES", "200"))
PASSWORD = "crash-test-password"  # noqa: S105


def seed(url: str) -> tuple[int, int, dict[str, int]]:
    """The schema, a conference of 200 present delegates, an open secret poll.
    Returns (conference id, poll id, {e-mail: participant id})."""
    delegates = [(f"delegate{n:03d}@crash.example", Role.DELEGATE) for n in range(DELEGATES)]
    conference_id, people = seed_sitting(
        url,
        [("chair@crash.example", Role.CHAIR), *delegates],
        PASSWORD,
        title="Crash Test Conference",
        short_name="CTC",
        ballot_kind=BallotKind.SECRET,
    )
    chair_id = people.pop("chair@crash.example")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "seed"})
    with app.app_context():
        chair = db.session.get(Participant, chair_id)
        poll = service.create_poll(
            chair.conference, chair, subject=PollSubject.PROCEDURAL, title="Shall the motion pass?"
        )
        service.open_poll(poll, chair)
        db.session.commit()
        poll_id = poll.id
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    return conference_id, poll_id, people


class Server:
    """gunicorn on a free port, its own instance folder and database."""

    def __init__(self, url: str, instance: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        instance.mkdir(parents=True, exist_ok=True)
        # Ordinary configuration, no test hooks: only failed sign-ins count, so the default
        # limits let a hall of 200 behind one address sign in.
        self.log = (instance / "gunicorn.log").open("w")
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": "crash-test-secret",
            "RESOLUTIONS_INSTANCE": str(instance),
        }
        env.pop("REDIS_URL", None)
        self.process = subprocess.Popen(
            production_command(self.port),
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 180  # a loaded machine imports slowly
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("gunicorn exited; see " + self.log.name)
            try:
                answer = requests.get(self.base + "/sign-in", timeout=2)
                if answer.status_code == 200 and len(self.workers()) == 2:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError("gunicorn did not start in time")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


def sign_in(base: str, email: str, conference_id: int) -> tuple[requests.Session, str]:
    """Sign in like a browser; return the session and the CSRF token of the ballot page."""
    session = sign_in_over_http(base, email, PASSWORD, timeout=180)
    page = session.get(f"{base}/c/{conference_id}/vote", timeout=120)
    assert page.status_code == 200, (email, page.status_code)
    return session, CSRF.search(page.text)[1]


@pytest.fixture
def crash_database():
    with own_postgres_database("crash") as url:
        yield url


def test_every_acknowledged_ballot_survives_a_killed_worker(crash_database, tmp_path):
    conference_id, poll_id, people = seed(crash_database)
    server = Server(crash_database, tmp_path / "instance")
    try:
        server.wait_ready()
        with ThreadPoolExecutor(4) as pool:
            sessions = dict(
                zip(
                    people,
                    pool.map(lambda e: sign_in(server.base, e, conference_id), people),
                    strict=True,
                )
            )

        rng = random.Random(20261130)
        choices = {email: rng.choice(["yes", "no", "abstain"]) for email in people}
        acknowledged: dict[int, str] = {}
        attempts: Counter[str] = Counter()
        lock = threading.Lock()
        kill_now = threading.Event()
        killed: list[int] = []
        ballot_url = f"{server.base}/c/{conference_id}/polls/{poll_id}/ballot"

        def vote(email: str) -> None:
            session, token = sessions[email]
            data = {"choice": choices[email], "csrf_token": token, "idempotency_key": email}
            for attempt in range(30):
                with lock:
                    attempts["sent"] += 1
                try:
                    answer = session.post(
                        ballot_url, data=data, headers={"Accept": "application/json"}, timeout=20
                    )
                except requests.RequestException:
                    with lock:
                        attempts["failed"] += 1
                    time.sleep(0.05 * (attempt + 1))
                    continue
                if answer.status_code >= 500:
                    with lock:
                        attempts["failed"] += 1
                    time.sleep(0.05 * (attempt + 1))
                    continue
                assert answer.status_code == 200, (email, answer.status_code, answer.text[:300])
                body = answer.json()
                assert body["ok"] is True
                with lock:
                    if body["already_recorded"]:
                        attempts["already"] += 1
                    assert acknowledged.get(people[email], body["receipt"]) == body["receipt"]
                    acknowledged[people[email]] = body["receipt"]
                    if len(acknowledged) >= DELEGATES // 4:
                        kill_now.set()
                return
            raise AssertionError(f"{email}: no answer after 30 attempts")

        def killer() -> None:
            kill_now.wait(timeout=60)
            victim = server.workers()[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

        assassin = threading.Thread(target=killer)
        assassin.start()
        with ThreadPoolExecutor(32) as pool:
            list(pool.map(vote, people))
        assassin.join(timeout=60)

        assert killed, "the worker was not killed"
        # gunicorn replaced the killed worker.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (
            killed[0] in server.workers() or len(server.workers()) < 2
        ):
            time.sleep(0.2)
        assert killed[0] not in server.workers() and len(server.workers()) == 2
        print(f"\nattempts: {dict(attempts)}; acknowledged: {len(acknowledged)}")
    finally:
        server.stop()

    # The database, read afresh.
    engine = sa.create_engine(crash_database)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(VoteRecord.participant_id, VoteRecord.receipt).where(
                    VoteRecord.poll_id == poll_id
                )
            ).all()
            box_units = connection.execute(
                sa.text(f"SELECT count(*) FROM {service.box_name(poll_id)} WHERE nonce <> 'key'")
            ).scalar_one()
            state = connection.execute(sa.select(Poll.state).where(Poll.id == poll_id)).scalar_one()
    finally:
        engine.dispose()
    recorded = dict(rows)
    assert len(rows) == len(recorded), "a ballot was recorded twice"
    assert len(acknowledged) == DELEGATES
    assert recorded == acknowledged  # every acknowledged ballot, with the receipt shown
    # The poll's unlogged ballot box holds one unit per ballot (each delegate has weight 1);
    # a crash of a worker is not a crash of the database, so nothing in it was lost.
    assert box_units == len(choices)
    assert state == "open"
    # And the tally the chair gets at close is exactly the acknowledged choices.
    app = create_app({"SQLALCHEMY_DATABASE_URI": crash_database, "SECRET_KEY": "seed"})
    with app.app_context():
        poll = db.session.get(Poll, poll_id)
        chair = db.session.scalar(sa.select(Participant).where(Participant.role == Role.CHAIR))
        service.close_poll(poll, chair)
        db.session.commit()
        poll = db.session.get(Poll, poll_id)
        tally = Counter(
            {"yes": poll.yes_weight, "no": poll.no_weight, "abstain": poll.abstain_weight}
        )
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    assert +tally == Counter(choices.values())
