"""The production server as the README starts it, for tests and the benchmark.

The command is read from the README's "Production" section (the line that runs
``gunicorn --config gunicorn.conf.py``), so that what is tested and measured is exactly what
the README tells an operator to run; only the port differs.
"""

from __future__ import annotations

import re
import shlex
import socket
from datetime import date
from pathlib import Path
from typing import Any

from flask_migrate import upgrade
from requests import Session

from resolutions import create_app
from resolutions.auth.service import hash_password
from resolutions.extensions import db
from resolutions.models import Conference, ConferenceState, Participant, Role, User, utcnow

ROOT = Path(__file__).resolve().parent.parent.parent
_COMMAND = re.compile(r"^ {4}(\S*gunicorn --config gunicorn\.conf\.py .*wsgi:app)$", re.M)


def readme_command() -> list[str]:
    """The README's production command, as words."""
    found = _COMMAND.findall((ROOT / "README.md").read_text())
    if len(found) != 1:
        raise AssertionError(f"the README names {len(found)} production commands, not one")
    return shlex.split(found[0])


def production_command(port: int, app: str = "wsgi:app") -> list[str]:
    """The README's production command on ``127.0.0.1:port`` (``app``: another WSGI app
    started the same way)."""
    words = readme_command()
    words[0] = str(ROOT / ".venv/bin/gunicorn")
    words[words.index("--bind") + 1] = f"127.0.0.1:{port}"
    words[-1] = app
    return words


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def seed_sitting(
    url: str,
    people: list[tuple[str, Role]],
    password: str,
    *,
    migrate: bool = False,
    **conference: Any,
) -> tuple[int, dict[str, int]]:
    """For a server of its own on the database at ``url``: the schema (``migrate``: through the
    migrations, else from the models), a conference in session (VOTING, ``conference`` fields
    besides) and its ``people`` (e-mail, role), present, with voting right and ``password``
    (one argon2 hash for all: slow on purpose). Returns (conference id, {e-mail: participant
    id})."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "seed"})
    with app.app_context():
        upgrade() if migrate else db.create_all()
        sitting = Conference(
            **{"start_date": date(2026, 12, 2), "state": ConferenceState.VOTING, **conference}
        )
        db.session.add(sitting)
        db.session.flush()
        password_hash = hash_password(password)
        ids: dict[str, int] = {}
        for email, role in people:
            user = User(email=email, name=email.split("@")[0], password_hash=password_hash)
            db.session.add(user)
            db.session.flush()
            participant = Participant(
                conference_id=sitting.id,
                user_id=user.id,
                role=role,
                voting_right=True,
                present=True,
                checked_in_at=utcnow(),
            )
            db.session.add(participant)
            db.session.flush()
            ids[email] = participant.id
        db.session.commit()
        conference_id = sitting.id
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    return conference_id, ids


def sign_in_over_http(base: str, email: str, password: str, timeout: float = 60) -> Session:
    """Sign in through ``/sign-in`` like a browser (its CSRF token, no back door)."""
    session = Session()
    token = CSRF.search(session.get(base + "/sign-in", timeout=timeout).text)[1]
    answer = session.post(
        base + "/sign-in",
        data={"email": email, "password": password, "csrf_token": token, "next": ""},
        timeout=timeout,
        allow_redirects=False,
    )
    assert answer.status_code in (302, 303), (email, answer.status_code)
    return session
