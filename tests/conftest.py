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
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from resolutions import create_app
from resolutions.extensions import db as _db
from resolutions.extensions import limiter
from resolutions.models import Conference, ConferenceState, Participant, Role, User
from resolutions.voting.service.secrecy import BOX_PATTERN
from tests import servers
from tests.mail_support import smtp  # noqa: F401  (the fixture: a real SMTP server)

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
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


class RequestIsolatedClient(FlaskClient):
    """Each request runs in its own app context, as on a real server: its own ``g`` and its
    own database session. The test's session is expired afterwards, so it re-reads what the
    request committed. Commit test data before making a request."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.expire_all()
        return response


def _build_app(database_url: str, folder: Path) -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            "SERVER_NAME": "localhost",
            # Tests read the English source text in any locale: no compiled catalogues here.
            # The Russian catalogue has its own tests (test_i18n_catalogue.py).
            "BABEL_TRANSLATION_DIRECTORIES": str(folder / "no-catalogues"),
        }
    )
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
            _empty_tables()
            for engine in _db.engines.values():
                engine.dispose()
    finally:
        app.config.clear()
        app.config.update(config)
        for name in set(app.extensions) - extensions:
            del app.extensions[name]


def _empty_tables() -> None:
    engine = _db.engine
    tables = list(reversed(_db.metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            # Ballot boxes of secret polls a test left open (created at open, not models).
            boxes = conn.scalars(
                sa.text(
                    "SELECT relname FROM pg_class WHERE relkind = 'r' AND relname ~ :pattern "
                    "AND relnamespace = current_schema()::regnamespace"
                ),
                {"pattern": BOX_PATTERN},
            ).all()
            for box in boxes:
                conn.execute(sa.text(f'DROP TABLE "{box}"'))
        else:
            for table in tables:
                conn.execute(table.delete())


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


# --- factories -------------------------------------------------------------------------------


def make_user(email: str | None = None, name: str = "Test User", **fields: Any) -> User:
    user = User(email=email or f"user-{secrets.token_hex(4)}@example.org", name=name, **fields)
    _db.session.add(user)
    _db.session.commit()
    return user


@dataclass
class World:
    """A conference with one member of each role (and more delegates)."""

    conference: Conference
    secretariat: Participant
    chair: Participant
    delegates: list[Participant]
    observer: Participant
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def delegate(self) -> Participant:
        return self.delegates[0]

    def member(self, role: str) -> Participant:
        return {
            "secretariat": self.secretariat,
            "chair": self.chair,
            "delegate": self.delegate,
            "observer": self.observer,
        }[role]


def make_conference(
    title: str = "Test Conference",
    delegates: int = 3,
    state: ConferenceState = ConferenceState.DRAFTING,
    **fields: Any,
) -> World:
    conference = Conference(
        title=title,
        short_name=title[:20],
        place="Bishkek",
        start_date=date(2026, 11, 30),
        state=state,
        **fields,
    )
    _db.session.add(conference)
    _db.session.flush()
    tag = secrets.token_hex(3)

    def member(role: Role, name: str, **kw: Any) -> Participant:
        # Lower case, as the app stores e-mails: sign-in compares the normalised address.
        user = make_user(f"{role.value}-{name.replace(' ', '')}-{tag}@example.org".lower(), name)
        participant = Participant(conference_id=conference.id, user_id=user.id, role=role, **kw)
        _db.session.add(participant)
        _db.session.flush()
        return participant

    world = World(
        conference=conference,
        secretariat=member(Role.SECRETARIAT, "Sec Retary"),
        chair=member(Role.CHAIR, "Chair Person", voting_right=True),
        delegates=[
            member(Role.DELEGATE, f"Delegate {i}", voting_right=True, country="Kyrgyzstan")
            for i in range(1, delegates + 1)
        ],
        observer=member(Role.OBSERVER, "Obs Erver"),
    )
    _db.session.commit()
    return world


@pytest.fixture
def world(app: Flask) -> World:
    return make_conference()


@pytest.fixture
def other_world(app: Flask) -> World:
    return make_conference("Another Conference")


@pytest.fixture
def draft(world: World) -> Any:
    """A resolution of ``world`` with preambular and operative clauses and sub-clauses."""
    from tests.objects.drafting import make_draft

    resolution = make_draft(world)
    _db.session.commit()
    return resolution


def sign_in(client: FlaskClient, user: User | Participant) -> FlaskClient:
    """Sign ``client`` in as ``user`` without the slow password hash."""
    from flask_login.utils import _create_identifier

    if isinstance(user, Participant):
        user = user.user
    app = client.application
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    _db.session.commit()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
        sess["_id"] = identifier
    return client


@pytest.fixture
def as_user(app: Flask) -> Callable[[User | Participant], FlaskClient]:
    """A new client signed in as the given user or participant."""

    def make(user: User | Participant) -> FlaskClient:
        return sign_in(app.test_client(), user)

    return make
