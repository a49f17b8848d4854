"""Sign-in, sign-out, rate limits, open redirects."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from resolutions.auth.service import hash_password

PASSWORD = "correct-horse-1"


@pytest.fixture
def member(db, world):
    world.delegate.user.password_hash = hash_password(PASSWORD)
    db.session.commit()
    return world.delegate.user


def _sign_in(client, email, password=PASSWORD, **extra):
    return client.post("/sign-in", data={"email": email, "password": password, **extra})


def test_sign_in_with_the_right_password(client, member, world):
    answer = _sign_in(client, member.email.upper())
    assert answer.status_code == 302
    assert urlsplit(answer.headers["Location"]).path == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert world.conference.title in home.get_data(as_text=True)


@pytest.mark.parametrize("case", ["wrong password", "unknown e-mail", "no password yet"])
def test_sign_in_failure_says_the_same_for_every_reason(client, member, world, case):
    email, password = {
        "wrong password": (member.email, "not-the-password"),
        "unknown e-mail": ("nobody@example.org", PASSWORD),
        "no password yet": (world.observer.user.email, PASSWORD),
    }[case]
    answer = _sign_in(client, email, password)
    assert answer.status_code == 200
    assert "Wrong e-mail or password." in answer.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_sign_out_ends_the_session(client, member):
    _sign_in(client, member.email)
    assert client.post("/sign-out").status_code == 302
    assert client.get("/").status_code == 302


def test_pages_need_sign_in_and_come_back_after_it(client, member, world):
    target = f"/c/{world.conference.id}/"
    answer = client.get(target)
    assert answer.status_code == 302
    assert "/sign-in?next=" in answer.headers["Location"]
    back = _sign_in(client, member.email, next=target)
    assert back.headers["Location"].endswith(target)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example",
        "javascript:alert(1)",
        "evil.example",
        "http:/evil.example",
    ],
)
def test_open_redirect_after_sign_in_is_refused(client, member, target):
    answer = _sign_in(client, member.email, next=target)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert location.netloc in ("", "localhost")
    assert location.path == "/"


def test_language_switch_refuses_an_open_redirect(client):
    answer = client.post("/language/en", data={"next": "https://evil.example/"})
    assert urlsplit(answer.headers["Location"]).netloc in ("", "localhost")


def test_rate_limit_per_account_answers_429_with_a_clear_message(app, client, member):
    app.config["SIGN_IN_LIMIT_PER_ACCOUNT"] = "3 per minute"
    for _ in range(3):
        assert _sign_in(client, member.email, "wrong-password").status_code == 200
    blocked = _sign_in(client, member.email)  # even the right password waits now
    assert blocked.status_code == 429
    assert "Too many sign-in attempts. Please wait 15 minutes" in blocked.get_data(as_text=True)
    assert client.get("/").status_code == 302
    # The limit is per account: another account from the same address still signs in.
    assert _sign_in(client, "someone@example.org", "x").status_code == 200


def test_rate_limit_per_address(app, member):
    app.config["SIGN_IN_LIMIT_PER_ADDRESS"] = "3 per minute"
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    for i in range(3):
        assert _sign_in(attacker, f"guess{i}@example.org", "x").status_code == 200
    blocked = _sign_in(attacker, "guess9@example.org", "x")
    assert blocked.status_code == 429
    assert "Too many sign-in attempts" in blocked.get_data(as_text=True)
    # Someone at another address is not affected.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.2"
    assert _sign_in(other, member.email).status_code == 302
