"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import secrets

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from resolutions import create_app
from resolutions.extensions import db
from tests import servers


def _fresh_url(kind: str, tmp_path, request) -> str:
    if kind == "sqlite":
        return "sqlite:///" + str(tmp_path / "migrated.sqlite")
    server = servers.postgres_url()  # skips or fails as the suite is configured
    schema = f"m_{secrets.token_hex(4)}"
    engine = sa.create_engine(server)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()

    def drop() -> None:
        cleanup = sa.create_engine(server)
        with cleanup.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        cleanup.dispose()

    request.addfinalizer(drop)
    return (
        sa.make_url(server)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_migrations_match_the_models_and_downgrade_cleanly(kind, tmp_path, request) -> None:
    url = _fresh_url(kind, tmp_path, request)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "TESTING": True})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        with db.engine.connect() as conn:
            left = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        assert left == set()
        db.engine.dispose()
