"""The production server holds more open pages than it has threads, and still answers.

Started exactly as the README says (``gunicorn --config gunicorn.conf.py``, only the port
differs) on a PostgreSQL database of its own and the test run's Redis. Fifty event streams of
ballot pages stay open (more than all native threads of its workers together; under the former
``gthread`` server, 2 x 8 threads, the seventeenth stream waited and ``/sign-in`` timed out),
while a new visitor loads ``/sign-in``, a delegate loads their ballot page and the chair opens a
poll that every stream then shows.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import redis
import requests

from resolutions.models import Role
from tests import servers
from tests.objects.server import (
    CSRF,
    ROOT,
    free_port,
    production_command,
    readme_command,
    seed_sitting,
    sign_in_over_http,
)
from tests.objects.voting import own_postgres_database

pytestmark = pytest.mark.slow

STREAMS = 50
PASSWORD = "production-test-password"  # noqa: S105


def sign_in(base: str, email: str) -> requests.Session:
    return sign_in_over_http(base, email, PASSWORD, timeout=30)


class Stream(threading.Thread):
    """One ballot page's event stream: the polls its snapshots showed."""

    def __init__(self, session: requests.Session, url: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.session, self.url, self.stop = session, url, stop
        self.connected = threading.Event()
        self.saw_open = threading.Event()
        self.error: str | None = None

    def run(self) -> None:
        try:
            with self.session.get(self.url, stream=True, timeout=(10, 60)) as answer:
                if answer.status_code != 200:
                    self.error = f"events answered {answer.status_code}"
                    return
                for line in answer.iter_lines(decode_unicode=True):
                    if line.startswith("data: {"):
                        self.connected.set()
                        if '"state":"open"' in line:
                            self.saw_open.set()
                    if self.stop.is_set():
                        return
        except requests.RequestException as error:
            if not self.stop.is_set():
                self.error = repr(error)


def native_threads(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sum(len(os.listdir(f"/proc/{pid}/task")) for pid in children)


@pytest.fixture
def server(tmp_path):
    redis_url = servers.redis_url()  # the test run's own Redis (skips or fails without one)
    with own_postgres_database("production") as url:
        conference_id, _ = seed_sitting(
            url,
            [("chair@prod.example", Role.CHAIR), ("d@prod.example", Role.DELEGATE)],
            PASSWORD,
            title="Production Test Conference",
            short_name="PTC",
        )
        port = free_port()
        log = (tmp_path / "gunicorn.log").open("w")
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": "production-test-secret",
            "RESOLUTIONS_INSTANCE": str(tmp_path / "instance"),  # no instance/config.py
        }
        process = subprocess.Popen(
            production_command(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()[-2000:]
                assert time.monotonic() < deadline, "the server did not start"
                try:
                    if requests.get(base + "/sign-in", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    time.sleep(0.3)
            yield base, process.pid, conference_id
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            log.close()
            client = redis.Redis.from_url(redis_url)
            keys = list(client.scan_iter(f"resolutions:live:{conference_id}:*"))
            if keys:
                client.delete(*keys)
            client.close()


def test_the_readme_command_is_make_serve():
    recipe = re.search(r"^serve:.*\n\t(.*)$", (ROOT / "Makefile").read_text(), re.M)[1]
    assert recipe.split()[1:] == [
        word.replace("127.0.0.1:5000", "$(HOST):$(PORT)") for word in readme_command()[1:]
    ]


def test_more_open_streams_than_threads_and_the_site_still_answers(server):
    base, master, conference_id = server
    delegate = sign_in(base, "d@prod.example")
    stop = threading.Event()
    streams = [
        Stream(delegate, f"{base}/c/{conference_id}/events?view=ballot", stop)
        for _ in range(STREAMS)
    ]
    for stream in streams:
        stream.start()
    try:
        deadline = time.monotonic() + 60
        for stream in streams:
            stream.connected.wait(max(deadline - time.monotonic(), 0))
        assert [s.error for s in streams if s.error] == []
        assert sum(s.connected.is_set() for s in streams) == STREAMS
        threads = native_threads(master)
        assert threads < STREAMS, f"{threads} native threads in the workers"

        # With every stream open, the site answers at once.
        started = time.monotonic()
        assert requests.get(base + "/sign-in", timeout=5).status_code == 200
        assert delegate.get(f"{base}/c/{conference_id}/vote", timeout=5).status_code == 200
        chair = sign_in(base, "chair@prod.example")
        console = chair.get(f"{base}/c/{conference_id}/console", timeout=5)
        assert console.status_code == 200
        opened = chair.post(
            f"{base}/c/{conference_id}/polls/procedural",
            data={"csrf_token": CSRF.search(console.text)[1], "title": "Open?", "open_now": "y"},
            timeout=5,
            allow_redirects=False,
        )
        assert opened.status_code == 302
        assert time.monotonic() - started < 10
        # ... and every open page shows the poll.
        for stream in streams:
            assert stream.saw_open.wait(10), "a stream did not show the opened poll"
    finally:
        stop.set()
