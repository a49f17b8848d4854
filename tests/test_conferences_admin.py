"""The site administrator creates conferences and names their first secretariat member."""

from __future__ import annotations

import json

import sqlalchemy as sa

from resolutions.models import AuditEntry, Conference, Participant, Role, User
from tests.objects.app import url_path
from tests.objects.world import make_user


def _data(**overrides):
    data = {
        "title": "Annual Assembly of Teachers' Unions",
        "short_name": "AATU-2027",
        "place": "Yerevan",
        "start_date": "2027-04-12",
        "end_date": "2027-04-13",
        "language": "en",
        "secretariat_name": "Lilit Hakobyan",
        "secretariat_email": "Lilit@Example.org",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_conference_and_names_its_secretariat(db, app, as_user):
    admin = make_user(name="Ad Min", is_admin=True)
    answer = as_user(admin).post(url_path("admin.create_conference"), data=_data())
    # The admin stays on a page that shows the new member's invitation link once.
    assert answer.status_code == 200
    assert "Conference created" in answer.text
    assert "/invitation/" in answer.text
    conference = db.session.scalar(sa.select(Conference))
    assert (conference.short_name, conference.place, conference.language) == (
        "AATU-2027",
        "Yerevan",
        "en",
    )
    member = db.session.scalar(sa.select(Participant))
    assert member.role == Role.SECRETARIAT
    assert member.user.email == "lilit@example.org"
    assert member.user.password_hash is None
    actions = list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["conference.created", "participant.added", "participant.invitation_created"]
    # The new secretariat member can then run the conference.
    assert (
        as_user(member)
        .get(url_path("conferences.participants", conference_id=conference.id))
        .status_code
        == 200
    )
    listing = as_user(admin).get(url_path("admin.conferences")).get_data(as_text=True)
    assert "Annual Assembly of Teachers&#39; Unions" in listing


def test_an_existing_account_becomes_the_secretariat(db, as_user):
    admin = make_user(name="Ad Min", is_admin=True)
    existing = make_user("known@example.org", "Known Person")
    as_user(admin).post(
        url_path("admin.create_conference"), data=_data(secretariat_email="KNOWN@example.org")
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2
    assert db.session.scalar(sa.select(Participant)).user_id == existing.id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "participant.added"))
    assert json.loads(entry.details)["user"] == "known@example.org"


def test_bad_conference_form_is_refused(db, as_user):
    admin = make_user(name="Ad Min", is_admin=True)
    answer = as_user(admin).post(
        url_path("admin.create_conference"),
        data=_data(end_date="2027-04-01", secretariat_email="nope"),
    )
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "The last day cannot be before the first day." in html
    assert "Enter a valid e-mail." in html
    assert db.session.scalar(sa.select(Conference)) is None


def test_only_the_admin_creates_conferences(world, as_user):
    for member in (world.secretariat, world.chair):
        assert (
            as_user(member).post(url_path("admin.create_conference"), data=_data()).status_code
            == 403
        )
