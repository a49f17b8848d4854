"""Change password, invitations, remembered language."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from resolutions.auth.service import check_password, create_invitation, hash_password
from resolutions.models import LoginToken, utcnow
from tests.objects.app import url_path

OLD = "old-password-1"
NEW = "new-password-22"


@pytest.fixture
def member(db, world):
    world.delegate.user.password_hash = hash_password(OLD)
    db.session.commit()
    return world.delegate


def test_change_password_ends_other_sessions(app, member, as_user):
    here = as_user(member)
    elsewhere = as_user(member)
    assert elsewhere.get(url_path("conferences.index")).status_code == 200
    answer = here.post(
        url_path("auth.change_password"), data={"current": OLD, "password": NEW, "confirm": NEW}
    )
    assert answer.status_code == 302
    assert check_password(member.user, NEW)
    assert here.get(url_path("conferences.index")).status_code == 200  # this session goes on
    ended = elsewhere.get(url_path("conferences.index"))
    assert ended.status_code == 302
    assert "/sign-in" in ended.headers["Location"]


def test_change_password_needs_the_current_one(member, as_user):
    answer = as_user(member).post(
        url_path("auth.change_password"), data={"current": "wrong", "password": NEW, "confirm": NEW}
    )
    assert answer.status_code == 200
    assert "The current password is wrong." in answer.get_data(as_text=True)
    assert check_password(member.user, OLD)


def test_invitation_link_works_once(db, app, world):
    token = create_invitation(world.observer.user, days=14)
    db.session.commit()
    first = app.test_client()
    page = first.get(url_path("auth.invitation", token=token))
    assert page.status_code == 200
    assert world.observer.user.email in page.get_data(as_text=True)
    done = first.post(
        url_path("auth.invitation", token=token), data={"password": NEW, "confirm": NEW}
    )
    assert done.status_code == 302
    assert first.get(url_path("conferences.index")).status_code == 200
    assert check_password(world.observer.user, NEW)
    again = app.test_client().post(
        url_path("auth.invitation", token=token),
        data={"password": "hijack-attempt", "confirm": "hijack-attempt"},
    )
    assert again.status_code == 410
    assert check_password(world.observer.user, NEW)


def test_invitation_link_expires(db, app, world):
    token = create_invitation(world.observer.user, days=14)
    db.session.execute(sa.update(LoginToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    answer = app.test_client().get(url_path("auth.invitation", token=token))
    assert answer.status_code == 410
    assert world.observer.user.password_hash is None


def test_a_new_invitation_replaces_the_old_one(db, app, world):
    old = create_invitation(world.observer.user, days=14)
    new = create_invitation(world.observer.user, days=14)
    db.session.commit()
    assert app.test_client().get(url_path("auth.invitation", token=old)).status_code == 410
    assert app.test_client().get(url_path("auth.invitation", token=new)).status_code == 200


def test_unknown_invitation(client):
    assert client.get(url_path("auth.invitation", token="made-up")).status_code == 410
