"""Backup and restore of the whole database: ``flask backup FILE`` and ``flask restore FILE``.

PostgreSQL: ``pg_dump`` in its custom format (one consistent snapshot), loaded back with
``pg_restore`` in one transaction. SQLite: the online backup API (a consistent copy while the
application runs), copied back the same way. A restore goes only into an empty database.

While a secret poll is open its choice rows still carry the order in which they were written;
the closing step erases that (see README, "What secret ballot promises"). A copy taken before
would keep it, so the backup refuses while such a poll is open unless forced.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from resolutions.extensions import db
from resolutions.models import BallotKind, Poll, PollState

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """Why a backup or a restore was refused or failed, in words for the operator."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    kind: str
    size: int


def open_secret_polls() -> list[Poll]:
    return list(
        db.session.scalars(
            sa.select(Poll).where(
                Poll.state == PollState.OPEN, Poll.ballot_kind == BallotKind.SECRET
            )
        )
    )


def _dialect() -> str:
    return db.engine.dialect.name


def _sqlite_path() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def _libpq(url: sa.URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment carrying it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client)")
    done = subprocess.run(  # noqa: S603 (arguments are ours; the URL is the operator's)
        [program, *command[1:]], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")


def backup(path: Path) -> BackupReport:
    """Write a consistent copy of the whole database to ``path`` (which must not exist).

    The caller checks ``open_secret_polls()`` first."""
    if path.exists():
        raise BackupError(f"{path} exists; choose a new file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    if _dialect() == "postgresql":
        target, env = _libpq(db.engine.url)
        # An open secret poll's ballot box is an UNLOGGED table: never copied (a forced
        # backup restores it empty, and that poll is voided at close, visibly).
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-unlogged-table-data",
                f"--file={path}",
                target,
            ],
            env,
        )
        kind = "postgresql"
    elif _dialect() == "sqlite":
        source = sqlite3.connect(_sqlite_path())
        copy = sqlite3.connect(path)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        kind = "sqlite"
    else:
        raise BackupError(f"no backup for {_dialect()}")
    return BackupReport(path=path, kind=kind, size=path.stat().st_size)


def _tables_present() -> list[str]:
    with db.engine.connect() as connection:
        return sorted(sa.inspect(connection).get_table_names())


def restore(path: Path) -> str:
    """Load a backup into the configured database, which must hold no table. Returns its kind."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    kind = "postgresql" if head.startswith(PG_MAGIC) else "sqlite" if head == SQLITE_MAGIC else None
    if kind is None:
        raise BackupError(f"{path} is neither a PostgreSQL custom dump nor a SQLite database")
    if kind != _dialect():
        raise BackupError(f"{path} is a {kind} backup; the configured database is {_dialect()}")
    present = _tables_present()
    if present:
        raise BackupError(
            f"the database is not empty ({len(present)} tables, e.g. {present[0]}); "
            "restore only into a new, empty database"
        )
    db.session.remove()
    if kind == "postgresql":
        target, env = _libpq(db.engine.url)
        db.engine.dispose()
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={target}",
                str(path),
            ],
            env,
        )
    else:
        db.engine.dispose()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target_db = sqlite3.connect(_sqlite_path())
        try:
            source.backup(target_db)
        finally:
            target_db.close()
            source.close()
    return kind
