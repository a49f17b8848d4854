"""Sign-in, sign-out, rate limits, open redirects."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from resolutions.auth.service import hash_password
from tests.objects.app import url_path

PASSWORD = "correct-horse-1"


@pytest.fixture
def member(db, world):
    world.delegate.user.password_hash = hash_password(PASSWORD)
    db.session.commit()
    return world.delegate.user


def _sign_in(client, email, password=PASSWORD, **extra):
    return client.post(
        url_path("auth.sign_in"), data={"email": email, "password": password, **extra}
    )


def test_sign_in_with_the_right_password(client, member, world):
    answer = _sign_in(client, member.email.upper())
    assert answer.status_code == 302
    # A member of exactly one conference lands in it.
    assert urlsplit(answer.headers["Location"]).path == f"/c/{world.conference.id}/"
    home = client.get(url_path("conferences.index"))
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
    assert client.get(url_path("conferences.index")).status_code == 302  # still signed out


def test_sign_out_ends_the_session(client, member):
    _sign_in(client, member.email)
    assert client.post(url_path("auth.sign_out")).status_code == 302
    assert client.get(url_path("conferences.index")).status_code == 302


def test_a_session_cookie_copied_before_sign_out_no_longer_works(app, client, member, world):
    home = url_path("conferences.home", conference_id=world.conference.id)
    _sign_in(client, member.email)
    copied = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get(home).status_code == 200  # the copy works while the session lives
    signed_out = client.post(url_path("auth.sign_out"), follow_redirects=True)
    assert "You have signed out on this and every other device." in signed_out.get_data(
        as_text=True
    )
    replay = app.test_client()
    replay.set_cookie("session", copied)
    answer = replay.get(home)
    assert answer.status_code == 302
    assert "/sign-in" in answer.headers["Location"]
    # And the owner signs in again as usual.
    assert _sign_in(app.test_client(), member.email).status_code == 302


def test_pages_need_sign_in_and_come_back_after_it(client, member, world):
    target = url_path("conferences.home", conference_id=world.conference.id)
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
    answer = client.post(
        url_path("auth.set_language", code="en"), data={"next": "https://evil.example/"}
    )
    assert urlsplit(answer.headers["Location"]).netloc in ("", "localhost")


def test_successful_sign_ins_do_not_count(app, member):
    app.config["SIGN_IN_FAILURES_PER_ACCOUNT"] = "3 per minute"
    app.config["SIGN_IN_FAILURES_PER_ADDRESS"] = "3 per minute"
    for _ in range(10):
        client = app.test_client()
        assert _sign_in(client, member.email).status_code == 302


def test_wrong_passwords_slow_down_the_account_from_that_address_only(app, member):
    app.config["SIGN_IN_FAILURES_PER_ACCOUNT"] = "3 per minute"
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    for _ in range(3):
        assert _sign_in(attacker, member.email, "wrong-password").status_code == 200
    blocked = _sign_in(attacker, member.email)  # even the right password waits now
    assert blocked.status_code == 429
    page = blocked.get_data(as_text=True)
    assert "Too many wrong passwords for this account from your network." in page
    assert member.email in page  # the form keeps the e-mail
    assert attacker.get(url_path("conferences.index")).status_code == 302
    # Another account from the same address still signs in ...
    assert _sign_in(attacker, "someone@example.org", "x").status_code == 200
    # ... and the owner, elsewhere, is not locked out.
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "198.51.100.2"
    assert _sign_in(owner, member.email).status_code == 302


def test_failures_per_address_are_limited(app, member):
    app.config["SIGN_IN_FAILURES_PER_ADDRESS"] = "3 per minute"
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    for i in range(3):
        assert _sign_in(attacker, f"guess{i}@example.org", "x").status_code == 200
    blocked = _sign_in(attacker, "guess9@example.org", "x")
    assert blocked.status_code == 429
    assert "Too many sign-in attempts. Please wait 15 minutes" in blocked.get_data(as_text=True)
    # Someone at another address is not affected.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.2"
    assert _sign_in(other, member.email).status_code == 302


def test_the_limit_counts_the_client_behind_trusted_proxies(db, database_url, tmp_path, world):
    from resolutions import create_app
    from resolutions.auth.service import hash_password

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            "TRUSTED_PROXY_HOPS": 1,
            "SIGN_IN_FAILURES_PER_ACCOUNT": "2 per minute",
            "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "no-catalogues"),
        }
    )
    world.chair.user.password_hash = hash_password(PASSWORD)
    db.session.commit()
    email = world.chair.user.email
    proxy = app.test_client()
    proxy.environ_base["REMOTE_ADDR"] = "10.0.0.1"  # every request arrives from the proxy

    def through_proxy(client_address, password):
        return proxy.post(
            url_path("auth.sign_in"),
            data={"email": email, "password": password},
            headers={"X-Forwarded-For": client_address},
        )

    for _ in range(2):
        assert through_proxy("203.0.113.7", "wrong-password").status_code == 200
    assert through_proxy("203.0.113.7", PASSWORD).status_code == 429
    # The owner reaches the same proxy from another address: not the attacker's count.
    assert through_proxy("198.51.100.2", PASSWORD).status_code == 302
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.mark.parametrize("value", ["-1", "two", "1.5"])
def test_a_wrong_proxy_hop_count_is_a_clear_error(monkeypatch, tmp_path, value):
    from resolutions import create_app

    monkeypatch.setenv("TRUSTED_PROXY_HOPS", value)
    with pytest.raises(RuntimeError, match="TRUSTED_PROXY_HOPS must be a whole number"):
        create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x"})
