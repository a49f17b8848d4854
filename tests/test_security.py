"""Security baseline: CSRF, headers, cookies, friendly errors, one conference cannot see another."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from resolutions import create_app
from resolutions.auth.service import hash_password
from resolutions.models import Participant, User
from tests.objects.app import url_path


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]


def test_post_without_csrf_token_is_refused(csrf_app, world, as_user):
    anonymous = csrf_app.test_client()
    answer = anonymous.post(
        url_path("auth.sign_in"), data={"email": "a@example.org", "password": "x"}
    )
    assert answer.status_code == 400
    assert "The form has expired" in answer.get_data(as_text=True)

    secretariat = as_user(world.secretariat)
    url = url_path("conferences.participant_new", conference_id=world.conference.id)
    data = {"name": "No Token", "email": "no-token@example.org", "role": "observer", "weight": "1"}
    assert secretariat.post(url, data=data).status_code == 400
    assert (
        secretariat.post(
            url_path(
                "conferences.participant_delete",
                conference_id=world.conference.id,
                participant_id=world.observer.id,
            )
        ).status_code
        == 400
    )
    assert secretariat.post(url_path("auth.sign_out")).status_code == 400
    assert secretariat.get(url).status_code == 200  # still signed in
    # With the token from the form the same request goes through.
    token = _token(secretariat.get(url).get_data(as_text=True))
    assert secretariat.post(url, data={**data, "csrf_token": token}).status_code == 302


def test_csv_upload_without_token_is_refused(csrf_app, world, as_user):
    answer = as_user(world.secretariat).post(
        url_path("conferences.participants_import", conference_id=world.conference.id),
        data={"file": (io.BytesIO(b"name,email\nA,a@example.org\n"), "p.csv"), "upload": "1"},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400


def test_security_headers(client):
    answer = client.get(url_path("auth.sign_in"))
    csp = answer.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_samesite(db, client, world):
    world.delegate.user.password_hash = hash_password("cookie-test-pw")
    db.session.commit()
    answer = client.post(
        url_path("auth.sign_in"),
        data={"email": world.delegate.user.email, "password": "cookie-test-pw"},
    )
    cookie = next(v for k, v in answer.headers.items() if k == "Set-Cookie" and "session=" in v)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in development


def test_production_requires_a_secret_and_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("RESOLUTIONS_INSTANCE", str(tmp_path))
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        create_app({"PRODUCTION": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    app = create_app(
        {"PRODUCTION": True, "SECRET_KEY": "s" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"]


def test_friendly_error_pages(world, as_user, client):
    forbidden = as_user(world.delegate).get(
        url_path("conferences.settings", conference_id=world.conference.id)
    )
    assert forbidden.status_code == 403
    html = forbidden.get_data(as_text=True)
    assert "You do not have access to this page" in html
    assert "Go to my conferences" in html
    missing = as_user(world.delegate).get(url_path("conferences.home", conference_id="999999"))
    assert missing.status_code == 404
    assert "Page not found" in missing.get_data(as_text=True)
    assert "Page not found" in client.get("/no/such/page").get_data(as_text=True)


def test_delegate_changing_the_conference_id_gets_nothing(db, world, other_world, as_user):
    delegate = as_user(world.delegate)
    theirs = other_world.conference.id
    for path in (url_path("conferences.index"), "/participants", "/settings", "/audit"):
        answer = delegate.get(f"/c/{theirs}{path}")
        assert answer.status_code in (403, 404), path
        assert other_world.conference.title not in answer.get_data(as_text=True)


def test_secretariat_cannot_reach_another_conferences_participants(world, other_world, as_user):
    secretariat = as_user(world.secretariat)
    foreign = other_world.delegate
    # Through the other conference's URL: not a member there.
    assert (
        secretariat.get(
            url_path("conferences.participants", conference_id=other_world.conference.id)
        ).status_code
        == 404
    )
    # Through its own URL with a foreign participant id: not found either.
    own = world.conference.id
    assert (
        secretariat.get(
            url_path("conferences.participant_edit", conference_id=own, participant_id=foreign.id)
        ).status_code
        == 404
    )
    for action, data in (
        ("delete", {}),
        ("access", {"kind": "password"}),
        ("presence", {"present": "1"}),
    ):
        answer = secretariat.post(f"/c/{own}/participants/{foreign.id}/{action}", data=data)
        assert answer.status_code == 404, action
    assert foreign.present is False
    assert foreign.user.password_hash is None


def test_my_pages_have_no_inline_script_or_style(db, world, as_user):
    """The CSP refuses inline scripts and style attributes, so the pages must not need them."""
    world.delegate.present = True
    db.session.commit()
    client = as_user(world.secretariat)
    c = world.conference.id
    pages = [
        url_path("conferences.settings", conference_id=c),
        url_path("conferences.participants", conference_id=c),
        url_path("conferences.participant_new", conference_id=c),
        url_path("conferences.participant_edit", conference_id=c, participant_id=world.delegate.id),
        url_path("conferences.participants_import", conference_id=c),
        url_path("conferences.audit_log", conference_id=c),
        url_path("conferences.card", card_token=world.delegate.card_token),
    ]
    bodies = [client.get(p).get_data(as_text=True) for p in pages]
    bodies.append(
        client.post(
            url_path("conferences.participants_import", conference_id=c),
            data={"file": (io.BytesIO(b"name,email\nA,a@example.org\n"), "p.csv"), "upload": "1"},
            content_type="multipart/form-data",
        ).get_data(as_text=True)
    )
    bodies.append(
        client.post(
            url_path(
                "conferences.participant_access", conference_id=c, participant_id=world.delegate.id
            ),
            data={"kind": "password"},
        ).get_data(as_text=True)
    )
    for path, html in zip(pages + ["import preview", "access"], bodies, strict=True):
        assert " style=" not in html, path
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag, (path, tag)
        assert not re.search(r"<[^>]+\son[a-z]+=", html), path  # no onclick= etc.


def test_removed_participant_loses_access(db, world, as_user):
    observer = world.observer
    participant_id, user_id = observer.id, observer.user_id
    client = as_user(observer)
    assert (
        client.get(url_path("conferences.home", conference_id=world.conference.id)).status_code
        == 200
    )
    as_user(world.secretariat).post(
        url_path(
            "conferences.participant_delete",
            conference_id=world.conference.id,
            participant_id=participant_id,
        )
    )
    assert db.session.get(Participant, participant_id) is None
    assert (
        client.get(url_path("conferences.home", conference_id=world.conference.id)).status_code
        == 404
    )
    assert db.session.scalar(sa.select(User).where(User.id == user_id)) is not None
