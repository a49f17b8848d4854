"""A hall signs in: hundreds of delegates behind one address, and a guesser elsewhere.

Delegates in a hall share one address (the venue's Wi-Fi, or a reverse proxy). Only failed
sign-ins count toward the limits, so the hall is never refused; a password guesser slows down
the chair's sign-ins only from the guesser's own address.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher
from flask import url_for

from resolutions.auth import service
from resolutions.extensions import db
from resolutions.models import Participant, Role, User
from tests.objects.app import url_path

PASSWORD = "hall-password-1"
HALL, ATTACKER, CHAIR_HOME = "192.0.2.10", "203.0.113.66", "198.51.100.20"
DELEGATES = 300


@pytest.fixture
def cheap_hashes(monkeypatch):
    """Argon2 at its smallest cost: this test is about the limits, and 300 verifications at
    the production cost take minutes on a shared machine. The sign-in path is unchanged."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(service, "_hasher", cheap)
    monkeypatch.setattr(service, "_DUMMY_HASH", cheap.hash("not-a-password"))


@pytest.fixture
def hall(app, world, cheap_hashes):
    """300 delegates with passwords, and the chair's password."""
    password_hash = service.hash_password(PASSWORD)
    world.chair.user.password_hash = password_hash
    delegates = []
    for i in range(DELEGATES):
        user = User(email=f"hall-{i}@example.org", name=f"Hall Delegate {i}")
        user.password_hash = password_hash
        delegates.append(Participant(conference=world.conference, user=user, role=Role.DELEGATE))
    db.session.add_all(delegates)
    db.session.commit()
    return delegates


def _client(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _sign_in(client, email, password=PASSWORD):
    return client.post(url_path("auth.sign_in"), data={"email": email, "password": password})


def test_the_hall_signs_in_and_a_guesser_does_not_lock_the_chair_out(app, world, hall):
    home = url_path("conferences.home", conference_id=world.conference.id)
    refused = []
    for i, participant in enumerate(hall):
        client = _client(app, HALL)
        if i % 10 == 0:
            # Every tenth delegate mistypes the password once first.
            assert _sign_in(client, participant.user.email, "typo").status_code == 200
        if i % 3 == 0:
            # Some scan the QR code on their access card: it leads to the sign-in form.
            card = client.get(url_for("conferences.card", card_token=participant.card_token))
            assert card.status_code == 302
            assert urlsplit(card.headers["Location"]).path == "/sign-in"
        answer = _sign_in(client, participant.user.email)
        if answer.status_code != 302:
            refused.append((i, answer.status_code))
            continue
        assert client.get(home).status_code == 200
    assert refused == []

    chair = world.chair.user.email
    attacker = _client(app, ATTACKER)
    for _ in range(10):
        wrong = _sign_in(attacker, chair, "guess-guess")
        assert wrong.status_code == 200
        assert "Wrong e-mail or password." in wrong.get_data(as_text=True)
    # From the attacker's address, even the right password now waits, with a clear message.
    slowed = _sign_in(attacker, chair)
    assert slowed.status_code == 429
    assert "Too many wrong passwords for this account" in slowed.get_data(as_text=True)
    assert attacker.get(home).status_code == 302

    # The chair, at home and in the hall, signs in.
    at_home = _client(app, CHAIR_HOME)
    assert _sign_in(at_home, chair).status_code == 302
    assert at_home.get(home).status_code == 200
    assert _sign_in(_client(app, HALL), chair).status_code == 302
