"""Throwaway PostgreSQL and Redis servers for the tests and the benchmarks.

``postgres_url()`` and ``redis_url()`` answer the URL of a server to use:

- ``TEST_DATABASE_URL`` / ``TEST_REDIS_URL`` when set (an existing server, used as is);
- otherwise a server of this process's own, started on first use on a free port in a temporary
  folder (``initdb`` + ``pg_ctl`` from ``/usr/lib/postgresql/*/bin``; ``redis-server``) and
  stopped when the process exits.

PostgreSQL refuses to run as root: as root the cluster belongs to the ``postgres`` system user
and its commands run through ``runuser``. Nothing here is used by the application itself.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

DATABASE_ENV = "TEST_DATABASE_URL"
REDIS_ENV = "TEST_REDIS_URL"


class ServerUnavailable(RuntimeError):
    """The server can neither be reached nor started here (the message says why)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for_port(port: int, process: subprocess.Popen[bytes] | None, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServerUnavailable(f"the server on port {port} exited at start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise ServerUnavailable(f"nothing answered on port {port} within {seconds:.0f} s")


def postgres_bin_dir() -> Path | None:
    """The newest installed PostgreSQL server's bin folder (Debian layout), if any."""
    found = sorted(
        (Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return found[-1] if found else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _claim(folder: Path) -> None:
    (folder / "owner").write_text(str(os.getpid()))


def reap_orphans() -> None:
    """Stop and remove the servers of test runs that were killed before they could (their
    owning process is gone)."""
    for folder in Path(tempfile.gettempdir()).glob("resolutions-[pr]*-*"):
        try:
            owner = int((folder / "owner").read_text())
        except (OSError, ValueError):
            continue
        if _alive(owner):
            continue
        postmaster = folder / "data" / "postmaster.pid"
        redis_pid = folder / "redis.pid"
        for pid_file in (postmaster, redis_pid):
            try:
                pid = int(pid_file.read_text().split()[0])
            except (OSError, ValueError, IndexError):
                continue
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL if pid_file is redis_pid else signal.SIGQUIT)
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary folder: trust authentication, 127.0.0.1 only,
    durability off (it is thrown away), superuser ``postgres``, database ``test``."""

    url: str = ""
    folder: Path | None = None
    _bin: Path | None = None
    _as_user: list[str] | None = None

    def start(self) -> str:
        self._bin = postgres_bin_dir()
        if self._bin is None:
            raise ServerUnavailable(
                "no PostgreSQL server installed (/usr/lib/postgresql/*/bin/initdb); "
                "`make system-deps` installs it"
            )
        self.folder = Path(tempfile.mkdtemp(prefix="resolutions-pg-"))
        _claim(self.folder)
        self._as_user = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError as error:
                raise ServerUnavailable("running as root and no `postgres` user") from error
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self._as_user = ["runuser", "-u", "postgres", "--"]
        data = self.folder / "data"
        self._run(
            "initdb",
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        for attempt in range(5):
            port = free_port()
            options = (
                f"-p {port} -c listen_addresses=127.0.0.1 -k {self.folder} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=200 -c shared_buffers=32MB"
            )
            started = subprocess.run(  # noqa: S603 (fixed arguments)
                [
                    *self._as_user,
                    str(self._bin / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(self.folder / "server.log"),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if started.returncode == 0:
                break
            if attempt == 4:
                log = (self.folder / "server.log").read_text(errors="replace")[-2000:]
                raise ServerUnavailable(f"pg_ctl start failed: {started.stderr}\n{log}")
        self._run("createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "test")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/test"
        return self.url

    def _run(self, program: str, *args: str) -> None:
        assert self._bin is not None and self._as_user is not None
        done = subprocess.run(  # noqa: S603 (fixed arguments)
            [*self._as_user, str(self._bin / program), *args],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise ServerUnavailable(f"{program} failed: {done.stderr.strip() or done.stdout}")

    def stop(self) -> None:
        if self.folder is None or self._bin is None:
            return
        subprocess.run(  # noqa: S603 (fixed arguments)
            [*(self._as_user or []), str(self._bin / "pg_ctl"), "-D", str(self.folder / "data")]
            + ["-m", "immediate", "-w", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None


@dataclass
class ThrowawayRedis:
    """``redis-server`` on a free port, no persistence, in a temporary folder."""

    url: str = ""
    folder: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        program = shutil.which("redis-server")
        if program is None:
            raise ServerUnavailable("no redis-server installed; `make system-deps` installs it")
        self.folder = Path(tempfile.mkdtemp(prefix="resolutions-redis-"))
        _claim(self.folder)
        for attempt in range(5):
            port = free_port()
            self.process = subprocess.Popen(  # noqa: S603 (fixed arguments)
                [program, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
                + ["--appendonly", "no", "--dir", str(self.folder), "--maxclients", "4000"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                _wait_for_port(port, self.process, 20)
                (self.folder / "redis.pid").write_text(str(self.process.pid))
                break
            except ServerUnavailable:
                self.process.kill()
                self.process.wait()
                if attempt == 4:
                    raise
        self.url = f"redis://127.0.0.1:{port}/0"
        return self.url

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


_lock = threading.Lock()
_started: dict[str, ThrowawayPostgres | ThrowawayRedis] = {}


def _own(kind: str, server: ThrowawayPostgres | ThrowawayRedis) -> str:
    with _lock:
        if kind not in _started:
            reap_orphans()
            try:
                server.start()
            except BaseException:
                server.stop()
                raise
            _started[kind] = server
            atexit.register(server.stop)
        return _started[kind].url


def postgres_url() -> str:
    """``TEST_DATABASE_URL``, else this process's own throwaway PostgreSQL (database ``test``).

    Raises ``ServerUnavailable`` when neither is possible."""
    return os.environ.get(DATABASE_ENV) or _own("postgres", ThrowawayPostgres())


def redis_url() -> str:
    """``TEST_REDIS_URL``, else this process's own throwaway ``redis-server``."""
    return os.environ.get(REDIS_ENV) or _own("redis", ThrowawayRedis())


def stop_all() -> None:
    """Stop the servers this process started (also done at exit)."""
    with _lock:
        for server in _started.values():
            server.stop()
        _started.clear()
