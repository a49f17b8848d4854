"""The app as the tests build it: its test configuration, a client whose every request runs as
on a real server, signing a client in, and emptying the tables between tests.

For fixtures (tests/conftest.py, tests/e2e/conftest.py) and the tests that build an app of
their own (another database, a compiled catalogue, a second worker).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import session, url_for
from flask.testing import FlaskClient
from flask_login import login_user

from resolutions.extensions import db
from resolutions.models import Participant, User
from resolutions.voting.service.secrecy import BOX_PATTERN

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"


def app_config(database_url: str, folder: Path, **overrides: Any) -> dict[str, Any]:
    """The configuration of a test app on ``database_url``; ``folder`` holds what it writes."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": "localhost",
        "MAIL_DIR": str(folder / "mail"),
        # Tests read the English source text in any locale: no compiled catalogues here.
        # The Russian catalogue has its own tests (test_i18n_catalogue.py).
        "BABEL_TRANSLATION_DIRECTORIES": str(folder / "no-catalogues"),
        **overrides,
    }


class RequestIsolatedClient(FlaskClient):
    """Each request runs in its own app context, as on a real server: its own ``g`` and its
    own database session. The test's session is expired afterwards, so it re-reads what the
    request committed. Commit test data before making a request."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


def sign_in(client: FlaskClient, user: User | Participant) -> FlaskClient:
    """Sign ``client`` in as ``user`` without the slow password hash: Flask-Login's own
    ``login_user`` in a request from this client, its session then handed to the client.
    (The sign-in form itself has its own tests, and the browser tests use it.)"""
    if isinstance(user, Participant):
        user = user.user
    db.session.commit()
    db.session.refresh(user)  # read here: inside, another app's context may be current
    with client.application.test_request_context(environ_base=client.environ_base):
        assert login_user(user, force=True, fresh=True)
        signed_in = dict(session)
    with client.session_transaction() as sess:
        sess.update(signed_in)
    return client


def empty_tables() -> None:
    """Delete every row (and every secret poll's ballot box) of the current app's database."""
    engine = db.engine
    tables = list(reversed(db.metadata.sorted_tables))
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


def url_path(endpoint: str, **values: Any) -> str:
    """The path of a route, from its endpoint (``url_for``); extra values become the query.
    Needs the app context the ``app`` fixture pushes."""
    return url_for(endpoint, _external=False, **values)


def page_text(response: Any) -> str:
    """The visible text of a page, tags removed, spaces collapsed (for reading order)."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<details class="clause-menu">.*?</details>', " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())
