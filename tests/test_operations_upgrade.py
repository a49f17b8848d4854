"""Upgrades keep the data: for every migration revision, the rows a full demo sitting left at
that revision (``tests/migration_data/<revision>.json``, written by
``python -m tests.migration_snapshot`` when the revision was the head) are loaded into a
database migrated to exactly that revision, the database is upgraded to head with
``flask upgrade``, and every row is still there with the same values, the audit chain
verifies and the sitting's documents are served."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import upgrade

from resolutions import create_app
from resolutions.extensions import db, migrate
from resolutions.models import Conference, Role
from tests import servers
from tests.migration_snapshot import DATA, decode, read_rows
from tests.objects.app import RequestIsolatedClient, sign_in, url_path

# (table, column) pairs a migration deliberately rewrites; name the migration beside each.
TRANSFORMED: set[tuple[str, str]] = set()


def _revisions() -> list[str]:
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        script = ScriptDirectory.from_config(migrate.get_config())
        return [revision.revision for revision in reversed(list(script.walk_revisions()))]


REVISIONS = _revisions()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "upgraded.sqlite")
        return
    server = servers.postgres_url()
    schema = f"u_{secrets.token_hex(4)}"
    admin = sa.create_engine(server)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    yield (
        sa.make_url(server)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _app(url: str, tmp_path: Path) -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "upgrade-test",
            "SQLALCHEMY_DATABASE_URI": url,
            "SERVER_NAME": "localhost",
            "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "no-catalogues"),
        }
    )
    app.test_client_class = RequestIsolatedClient
    return app


def _load(connection: sa.Connection, rows: dict[str, list[dict]]) -> None:
    """Insert the snapshot's rows into the tables as they are at this revision."""
    metadata = sa.MetaData()
    metadata.reflect(connection)
    if connection.dialect.name == "postgresql":
        # Rows go in table by table; foreign keys are checked by the data's own consistency
        # (it came from a database that enforced them), not row by row here.
        connection.execute(sa.text("SET session_replication_role = replica"))
    for name, table_rows in rows.items():
        if table_rows:
            table = metadata.tables[name]
            connection.execute(
                table.insert(), [{k: decode(v) for k, v in row.items()} for row in table_rows]
            )
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SET session_replication_role = origin"))
        for table in metadata.sorted_tables:
            integer_id = "id" in table.columns and isinstance(table.c.id.type, sa.Integer)
            if integer_id and rows.get(table.name):
                connection.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f'(SELECT max(id) FROM "{table.name}"))'
                    )
                )


def test_every_revision_has_its_data_snapshot() -> None:
    missing = [r for r in REVISIONS if not (DATA / f"{r}.json").exists()]
    assert not missing, (
        f"no data snapshot for {missing}: after adding a migration, run "
        "`.venv/bin/python -m tests.migration_snapshot` and commit the file"
    )


@pytest.mark.slow
@pytest.mark.parametrize("revision", REVISIONS)
def test_upgrade_from_each_revision_keeps_the_data(revision, empty_url, tmp_path) -> None:
    snapshot = json.loads((DATA / f"{revision}.json").read_text())
    app = _app(empty_url, tmp_path)
    with app.app_context():
        upgrade(revision=revision)
        with db.engine.begin() as connection:
            _load(connection, snapshot)
    runner = app.test_cli_runner()
    upgraded = runner.invoke(args=["upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    head = REVISIONS[-1]
    if revision == head:
        assert f"at the head revision {head}: nothing to apply" in upgraded.output
    else:
        assert f"from {revision} to {head}" in upgraded.output

    with app.app_context():
        with db.engine.connect() as connection:
            now = read_rows(connection)
        for table, rows in snapshot.items():
            assert len(now[table]) == len(rows), table
            for before, after in zip(rows, now[table], strict=True):
                for column, value in before.items():
                    if column in after and (table, column) not in TRANSFORMED:
                        assert after[column] == value, (table, column, before.get("id"))
        verified = runner.invoke(args=["audit-verify"])
        assert verified.exit_code == 0 and "Audit log intact" in verified.output
        conference = db.session.scalars(sa.select(Conference)).one()
        secretariat = next(p for p in conference.participants if p.role == Role.SECRETARIAT)
        client = sign_in(app.test_client(), secretariat)
        resolution = conference.resolutions[0]
        assert resolution.state.value == "adopted"
        base = url_path("documents.index", conference_id=conference.id)
        assert client.get(f"{base}/resolution/{resolution.id}.pdf?votes=1").status_code == 200
        assert client.get(f"{base}/record.csv").status_code == 200
        db.session.remove()
        db.engine.dispose()


def test_flask_upgrade_says_what_it_applied(tmp_path) -> None:
    app = _app("sqlite:///" + str(tmp_path / "new.sqlite"), tmp_path)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["upgrade"])
    assert first.exit_code == 0, first.output
    assert f"from an empty database to {REVISIONS[-1]}" in first.output
    for revision in REVISIONS:
        assert f"applied {revision}: " in first.output
    again = runner.invoke(args=["upgrade"])
    assert "nothing to apply" in again.output and "applied" not in again.output
    with app.app_context():
        db.engine.dispose()
