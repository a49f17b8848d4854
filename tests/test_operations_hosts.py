"""Several hosts: two servers started with the production command (gunicorn with
gunicorn.conf.py), on different ports, share one PostgreSQL and one Redis. The chair
opens a poll on one, delegates vote on both, and every live page (server-sent events) of
either server sees the poll open and then its published result."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from resolutions.models import Poll, Role
from resolutions.throwaway import free_port
from tests import servers
from tests.objects.server import CSRF, seed_sitting, sign_in_over_http
from tests.objects.voting import own_postgres_database

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "two-hosts-password"  # noqa: S105 (the test's own)


class Host:
    """One server as production runs it, with its own instance folder."""

    def __init__(self, database_url: str, redis_url: str, prefix: str, instance: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        instance.mkdir(parents=True)
        (instance / "config.py").write_text(
            f"LIVE_KEY_PREFIX = {prefix!r}\nLIVE_STREAM_SECONDS = 30\nLIVE_HEARTBEAT_SECONDS = 2\n"
        )
        self.log = (instance / "server.log").open("w")
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": "two-hosts-secret",
            "RESOLUTIONS_INSTANCE": str(instance),
        }
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "--config",
                "gunicorn.conf.py",
                f"--bind=127.0.0.1:{self.port}",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, Path(self.log.name).read_text()[-2000:]
            try:
                if requests.get(self.base + "/healthz", timeout=2).json()["redis"] == "ok":
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError("the server did not start in time")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.log.close()


class Page:
    """A signed-in browser on one host, with its CSRF token and a live ballot page."""

    def __init__(self, base: str, email: str, conference_id: int) -> None:
        self.base, self.conference_id = base, conference_id
        self.session = sign_in_over_http(base, email, PASSWORD)
        page = self.session.get(f"{base}/c/{conference_id}/vote", timeout=60)
        self.token = CSRF.search(page.text)[1]
        self.snapshots: list[dict] = []
        self.stream = self.session.get(
            f"{base}/c/{conference_id}/events?view=ballot", stream=True, timeout=60
        )
        assert self.stream.status_code == 200
        assert self.stream.headers["Content-Type"].startswith("text/event-stream")
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            for block in self.stream.iter_lines(decode_unicode=True, delimiter="\n\n"):
                lines = block.strip().splitlines()
                if "event: snapshot" in lines:
                    data = "\n".join(x[6:] for x in lines if x.startswith("data: "))
                    self.snapshots.append(json.loads(data))
        except Exception:  # noqa: S110 (closing the stream ends the reading, in any of urllib3's ways)
            pass

    def post(self, path: str, **data: str) -> requests.Response:
        return self.session.post(
            f"{self.base}/c/{self.conference_id}{path}",
            data={"csrf_token": self.token, **data},
            headers={"Accept": "application/json"},
            timeout=60,
        )

    def wait_for(self, state: str, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for snapshot in list(self.snapshots):
                if (snapshot.get("poll") or {}).get("state") == state:
                    return snapshot
            time.sleep(0.05)
        raise AssertionError(f"{self.base}: no poll {state} in {self.snapshots}")

    def close(self) -> None:
        self.stream.close()


def _seed(url: str) -> tuple[int, list[str]]:
    """A conference in session (the schema through the migrations): the chair and three
    delegates, present. Returns its id and the e-mails, chair first."""
    roles = [Role.CHAIR, Role.DELEGATE, Role.DELEGATE, Role.DELEGATE]
    people = [(f"{role.value}{n}@hosts.example", role) for n, role in enumerate(roles)]
    conference_id, _ = seed_sitting(
        url, people, PASSWORD, migrate=True, title="Two Hosts Conference", short_name="THC"
    )
    return conference_id, [email for email, _ in people]


def _poll_id(url: str, conference_id: int) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        poll_id = connection.scalar(
            sa.select(Poll.id).where(Poll.conference_id == conference_id).order_by(Poll.id.desc())
        )
    engine.dispose()
    return poll_id


def test_two_hosts_share_the_sitting_live(tmp_path) -> None:
    redis_url = servers.redis_url()
    prefix = f"hosts-{os.getpid()}-{time.monotonic_ns()}"
    with own_postgres_database("hosts") as database_url:
        conference_id, (chair, *delegates) = _seed(database_url)
        hosts = [Host(database_url, redis_url, prefix, tmp_path / name) for name in ("one", "two")]
        pages: list[Page] = []
        try:
            for host in hosts:
                host.wait_ready()
            one, two = (host.base for host in hosts)
            chair_page = Page(one, chair, conference_id)
            voters = [
                Page(one, delegates[0], conference_id),
                Page(two, delegates[1], conference_id),
                Page(two, delegates[2], conference_id),
            ]
            watcher = Page(two, chair, conference_id)  # the chair's projector on host two
            pages = [chair_page, *voters, watcher]
            for page in pages:
                assert page.session.get(page.base + "/healthz", timeout=10).status_code == 200

            # The chair opens a poll on host one: every page of both hosts shows it.
            opened = chair_page.post("/polls/procedural", title="Adjourn?", open_now="y")
            assert opened.status_code < 400, opened.text[:300]
            for page in pages:
                assert "Adjourn?" in page.wait_for("open")["poll"]["html"]

            # Delegates vote on both hosts.
            poll_id = _poll_id(database_url, conference_id)
            for page, choice in zip(voters, ["yes", "yes", "no"], strict=True):
                cast = page.post(f"/polls/{poll_id}/ballot", choice=choice, idempotency_key=choice)
                assert cast.status_code == 200 and cast.json()["ok"] is True, cast.text[:300]

            # Closed and published from host two: every page sees the published result.
            for step in ("close", "publish"):
                answer = watcher.post(f"/polls/{poll_id}/{step}")
                assert answer.status_code < 400, (step, answer.status_code)
            for page in pages:
                assert page.wait_for("published")["poll"]["state"] == "published"
        finally:
            for page in pages:
                page.close()
            for host in hosts:
                host.stop()
