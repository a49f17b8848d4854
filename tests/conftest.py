"""Fixtures: ``app``, ``db``, ``client``, ``runner`` and factories, on SQLite and PostgreSQL.

Every test that uses the database runs twice: on SQLite (a file in a temporary folder) and on
PostgreSQL (``TEST_DATABASE_URL``, else a throwaway server this test process starts: see
tests/servers.py), each test process in its own schema so parallel runs do not collide. Where
PostgreSQL is unavailable, its half is skipped with the reason, unless
``RESOLUTIONS_REQUIRE_POSTGRES=1`` (set by ``make test`` and CI), where it fails instead.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from resolutions import create_app
from resolutions.extensions import db as _db
from resolutions.extensions import limiter
from resolutions.models import Participant, User
from tests import servers
from tests.mail_support import smtp  # noqa: F401  (the fixture: a real SMTP server)
from tests.objects.app import RequestIsolatedClient, app_config, empty_tables, sign_in
from tests.objects.drafting import make_draft
from tests.objects.world import World, make_conference

# One line per request would interleave the browser tests' server threads with pytest's
# output; tests/test_operations_logging.py sets the level it needs itself.
os.environ.setdefault("LOG_LEVEL", "WARNING")


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A fresh schema in the PostgreSQL test database for this test process."""
    server = servers.postgres_url()
    schema = f"t_{os.getpid()}_{secrets.token_hex(3)}"
    engine = sa.create_engine(server)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_schema_url")


def _build_app(database_url: str, folder: Path) -> Flask:
    app = create_app(app_config(database_url, folder))
    app.test_client_class = RequestIsolatedClient
    with app.app_context():
        if _db.engine.dialect.name == "sqlite":
            # The test database is thrown away: no fsync at every commit (PostgreSQL's
            # throwaway server runs with fsync=off for the same reason).
            sa.event.listen(_db.engine, "connect", _no_fsync)
        _db.drop_all()
        _db.create_all()
    return app


def _no_fsync(connection: Any, record: Any) -> None:
    connection.execute("PRAGMA synchronous = OFF")


_apps: dict[str, Flask] = {}


@pytest.fixture
def app(
    database_url: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """The app on one database, built once per test process and database (building one
    compiles every route: a tenth of a second) and handed to each test as if new: its
    configuration as built, empty tables, fresh rate limits, its own mail folder."""
    if database_url not in _apps:
        _apps[database_url] = _build_app(database_url, tmp_path_factory.mktemp("app"))
    app = _apps[database_url]
    config, extensions = dict(app.config), set(app.extensions)
    app.config["MAIL_DIR"] = str(tmp_path / "mail")
    # The limiter is one object for every app: a test that built its own app re-pointed it.
    limiter.init_app(app)
    limiter.reset()
    try:
        with app.app_context():
            yield app
            _db.session.remove()
            empty_tables()
            for engine in _db.engines.values():
                engine.dispose()
    finally:
        app.config.clear()
        app.config.update(config)
        for name in set(app.extensions) - extensions:
            del app.extensions[name]


@pytest.fixture
def db(app: Flask) -> Any:
    return _db


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def csrf_app(app: Flask) -> Flask:
    """The same app with CSRF protection switched on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def world(app: Flask) -> World:
    return make_conference()


@pytest.fixture
def other_world(app: Flask) -> World:
    return make_conference("Another Conference")


@pytest.fixture
def draft(world: World) -> Any:
    """A resolution of ``world`` with preambular and operative clauses and sub-clauses."""
    resolution = make_draft(world)
    _db.session.commit()
    return resolution


@pytest.fixture
def as_user(app: Flask) -> Callable[[User | Participant], FlaskClient]:
    """A new client signed in as the given user or participant."""

    def make(user: User | Participant) -> FlaskClient:
        return sign_in(app.test_client(), user)

    return make
