"""Backup and restore: a demo sitting is copied with ``flask backup`` and loaded into a new,
empty database with ``flask restore``; the adopted resolution and the voting record read the
same there and the audit chain verifies. A backup refuses while a secret poll is open unless
forced; a restore refuses a database that already holds tables."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from resolutions import create_app
from resolutions.extensions import db
from resolutions.models import Conference, Poll, Role
from tests.documents_support import pdf_text
from tests.objects.app import RequestIsolatedClient, sign_in, url_path
from tests.objects.sitting import (
    Sitting,
    adopt_resolution,
    close_and_publish,
    open_secret_poll,
    start_demo_sitting,
)
from tests.objects.voting import own_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two databases of the same kind: the sitting's and the empty one to restore into."""
    if request.param == "sqlite":
        yield (
            "sqlite:///" + str(tmp_path / "sitting.sqlite"),
            "sqlite:///" + str(tmp_path / "restored.sqlite"),
        )
        return
    with own_postgres_database("sitting") as sitting, own_postgres_database("restored") as new:
        yield sitting, new


def _app(url: str, tmp_path: Path) -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "backup-test",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            "SERVER_NAME": "localhost",
            "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "no-catalogues"),
        }
    )
    app.test_client_class = RequestIsolatedClient
    return app


def _documents(app: Flask, conference_id: int) -> tuple[str, bytes]:
    """The adopted resolution's text (pdftotext) and the voting record CSV, as its secretariat
    downloads them."""
    with app.app_context():
        conference = db.session.get(Conference, conference_id)
        secretariat = next(p for p in conference.participants if p.role == Role.SECRETARIAT)
        resolution_id = conference.resolutions[0].id
        client = sign_in(app.test_client(), secretariat)
        base = url_path("documents.index", conference_id=conference_id)
        pdf = client.get(f"{base}/resolution/{resolution_id}.pdf?votes=1")
        csv = client.get(f"{base}/record.csv")
        assert pdf.status_code == 200 and csv.status_code == 200
        db.session.remove()
        return pdf_text(pdf.data), csv.data


def _dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def test_a_sitting_survives_backup_and_restore(databases, tmp_path) -> None:
    sitting_url, restored_url = databases
    sitting = _app(sitting_url, tmp_path)
    backups = tmp_path / "backups"
    with sitting.app_context():
        upgrade()
        demo = start_demo_sitting()
        secret = open_secret_poll(demo)
        conference_id, secret_id = demo.conference.id, secret.id
        db.session.remove()

    runner = sitting.test_cli_runner()
    # While the secret poll is open: refused, and no file written...
    refused = runner.invoke(args=["backup", str(backups / "open.dump")])
    assert refused.exit_code == 1
    assert f"a secret poll is open (#{secret_id})" in refused.output
    assert not (backups / "open.dump").exists()
    # ...unless forced, with a warning.
    forced = runner.invoke(args=["backup", "--force", str(backups / "forced.dump")])
    assert forced.exit_code == 0, forced.output
    assert "WARNING: a secret poll is open" in forced.output
    assert (backups / "forced.dump").stat().st_size > 0

    with sitting.app_context():
        conference = db.session.get(Conference, conference_id)
        chair = next(p for p in conference.participants if p.role == Role.CHAIR)
        demo = Sitting(conference, chair, [p for p in conference.participants if p.voting_right])
        close_and_publish(db.session.get(Poll, secret_id), demo.chair)
        adopt_resolution(demo)
        assert demo.conference.resolutions[0].state.value == "adopted"
        db.session.remove()

    done = runner.invoke(args=["backup", str(backups / "sitting.dump")])
    assert done.exit_code == 0, done.output
    assert runner.invoke(args=["backup", str(backups / "sitting.dump")]).exit_code == 1  # exists
    expected = _documents(sitting, conference_id)
    _dispose(sitting)

    restored = _app(restored_url, tmp_path)
    new_runner = restored.test_cli_runner()
    loaded = new_runner.invoke(args=["restore", str(backups / "sitting.dump")])
    assert loaded.exit_code == 0, loaded.output
    with restored.app_context():
        verified = new_runner.invoke(args=["audit-verify"])
    assert verified.exit_code == 0 and "Audit log intact" in verified.output
    assert _documents(restored, conference_id) == expected
    resolution_text, record = expected
    assert "A-1" in record.decode("utf-8-sig") and len(resolution_text) > 500

    # A second restore finds tables and refuses, naming why.
    again = new_runner.invoke(args=["restore", str(backups / "sitting.dump")])
    assert again.exit_code == 1 and "the database is not empty" in again.output
    _dispose(restored)


def test_restore_refuses_a_backup_of_the_other_kind(tmp_path) -> None:
    app = _app("sqlite:///" + str(tmp_path / "empty.sqlite"), tmp_path)
    fake = tmp_path / "postgres.dump"
    fake.write_bytes(b"PGDMP" + b"\0" * 64)
    answer = app.test_cli_runner().invoke(args=["restore", str(fake)])
    assert answer.exit_code == 1 and "is a postgresql backup" in answer.output
    garbage = tmp_path / "notes.txt"
    garbage.write_text("not a backup")
    answer = app.test_cli_runner().invoke(args=["restore", str(garbage)])
    assert answer.exit_code == 1 and "neither a PostgreSQL custom dump" in answer.output
    with app.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
    _dispose(app)
