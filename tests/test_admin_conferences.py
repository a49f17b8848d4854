"""The site administrator's conferences: a list that tells them apart, each conference opened
as its secretariat, archived (read-only, out of the list) or deleted after a confirmation."""

from __future__ import annotations

import sqlalchemy as sa

from resolutions import audit
from resolutions.models import AuditEntry, Conference, Participant
from tests.objects.app import sign_in, url_path
from tests.objects.voting import procedural_poll
from tests.objects.world import make_conference, make_user


def _admin(app):
    return sign_in(app.test_client(), make_user(name="Ad Min", is_admin=True))


def _participants(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Participant))


def test_the_list_tells_two_conferences_of_the_same_name_apart(app, db):
    first = make_conference("Annual Conference")
    second = make_conference("Annual Conference")
    second.conference.place = "Almaty"
    db.session.commit()
    page = _admin(app).get(url_path("admin.conferences")).get_data(as_text=True)
    assert f'href="/c/{first.conference.id}/"' in page
    assert f'href="/c/{second.conference.id}/"' in page
    assert "Bishkek" in page and "Almaty" in page
    assert "30 ноября 2026" in page  # dates formatted by Babel in the default locale
    assert "Drafting" in page


def test_the_admin_reads_and_manages_any_conference_as_its_secretariat(app, db, world):
    client = _admin(app)
    before = _participants(db)
    for path in (
        url_path("conferences.index"),
        "/participants",
        "/settings",
        "/audit",
        "/participants/import",
    ):
        assert client.get(f"/c/{world.conference.id}{path}").status_code == 200, path
    added = client.post(
        url_path("conferences.participant_new", conference_id=world.conference.id),
        data={"name": "New Person", "email": "new@example.org", "role": "delegate", "weight": "1"},
    )
    assert added.status_code == 302
    # The admin's seat is never stored: only the person added is new.
    assert _participants(db) == before + 1
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "participant.added"))
    assert entry.actor_name == "Ad Min"
    # Delegate-only pages stay closed: the admin is secretariat, not a voter.
    assert (
        client.get(url_path("voting.ballot", conference_id=world.conference.id)).status_code == 403
    )


def test_a_member_admin_keeps_their_own_role(app, db, world):
    world.delegate.user.is_admin = True
    db.session.commit()
    client = sign_in(app.test_client(), world.delegate)
    assert (
        client.get(
            url_path("conferences.participants", conference_id=world.conference.id)
        ).status_code
        == 403
    )


def test_archiving_hides_the_conference_and_makes_it_read_only(app, db, world):
    client = _admin(app)
    cid = world.conference.id
    assert (
        client.post(
            url_path("admin.archive_conference", conference_id=cid), data={"archived": "1"}
        ).status_code
        == 302
    )
    assert f'href="/c/{cid}/"' not in client.get(url_path("admin.conferences")).get_data(
        as_text=True
    )
    assert f'href="/c/{cid}/"' in client.get(url_path("admin.conferences", archived="1")).get_data(
        as_text=True
    )
    secretariat = sign_in(app.test_client(), world.secretariat)
    assert (
        secretariat.get(url_path("conferences.home", conference_id=cid)).status_code == 200
    )  # still readable
    answer = secretariat.post(
        url_path("conferences.participant_new", conference_id=cid),
        data={"name": "Late", "email": "late@example.org", "role": "delegate", "weight": "1"},
    )
    assert "The conference is closed" in answer.get_data(as_text=True)
    assert db.session.get(Conference, cid).is_closed
    client.post(url_path("admin.archive_conference", conference_id=cid), data={"archived": "0"})
    assert not db.session.get(Conference, cid).is_closed
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.conference_id == cid)
    ).all()
    assert actions[-2:] == ["conference.archived", "conference.unarchived"]


def test_delete_asks_for_the_short_name_then_deletes_with_an_audit_entry(app, db, world, draft):
    client = _admin(app)
    cid = world.conference.id
    confirm = client.get(url_path("admin.delete_conference", conference_id=cid)).get_data(
        as_text=True
    )
    assert "Delete Test Conference?" in confirm
    assert "Bishkek" in confirm and "6 participants" in confirm
    wrong = client.post(
        url_path("admin.delete_conference", conference_id=cid), data={"short_name": "Other"}
    )
    assert wrong.status_code == 400
    assert db.session.get(Conference, cid) is not None
    done = client.post(
        url_path("admin.delete_conference", conference_id=cid),
        data={"short_name": world.conference.short_name},
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Conference, cid) is None
    assert _participants(db) == 0
    entry = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert (entry.action, entry.conference_id) == ("conference.deleted", cid)
    assert audit.verify_chain().ok  # the conference's entries stay in the chain
    assert client.get(url_path("conferences.home", conference_id=cid)).status_code == 404


def test_a_conference_that_has_voted_cannot_be_deleted(app, db, world, draft):
    procedural_poll(world, opened=False)
    client = _admin(app)
    cid = world.conference.id
    assert "cannot be deleted" in client.get(
        url_path("admin.delete_conference", conference_id=cid)
    ).get_data(as_text=True)
    client.post(
        url_path("admin.delete_conference", conference_id=cid),
        data={"short_name": world.conference.short_name},
    )
    assert db.session.get(Conference, cid) is not None


def test_only_a_site_administrator_archives_or_deletes(app, db, world):
    client = sign_in(app.test_client(), world.secretariat)
    cid = world.conference.id
    assert (
        client.post(
            url_path("admin.archive_conference", conference_id=cid), data={"archived": "1"}
        ).status_code
        == 403
    )
    assert client.get(url_path("admin.delete_conference", conference_id=cid)).status_code == 403
    assert not db.session.get(Conference, cid).is_archived
