"""Invitations by e-mail, through a real SMTP server started by the test (aiosmtpd).

The admin's new conference invites its first secretariat member; the secretariat invites
chosen people or everyone without access, sees per person whether the mail was sent, opened
or used, and can resend (the earlier link stops working). A refusing or absent mail server is
reported per person, never as an error page.
"""

from __future__ import annotations

import sqlalchemy as sa

from resolutions.models import AuditEntry, Participant, User
from tests.mail_support import free_port, invitation_path, parts
from tests.objects.app import sign_in, url_path
from tests.objects.world import make_user

NEW_CONFERENCE = {
    "title": "Conference of <Miners> & Co",
    "short_name": "Miners 2026",
    "place": "Bishkek",
    "start_date": "2026-11-30",
    "end_date": "2026-12-01",
    "language": "en",
    "secretariat_name": "Nadia <b>Sec</b>",
    "secretariat_email": "Nadia@Example.org",
}


def _participants_url(world) -> str:
    return url_path("conferences.participants", conference_id=world.conference.id)


def _invite(client, world, ids=(), everyone=False):
    data = {"participant": [str(i) for i in ids]}
    data["invite_all" if everyone else "invite_selected"] = "x"
    return client.post(
        url_path("conferences.participants_invite", conference_id=world.conference.id), data=data
    )


def test_a_new_conference_mails_its_secretariat_a_working_invitation(app, db, smtp):
    admin = make_user(name="Ad Min", is_admin=True)
    client = sign_in(app.test_client(), admin)
    answer = client.post(url_path("admin.create_conference"), data=NEW_CONFERENCE)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    page = answer.get_data(as_text=True)
    assert "An invitation has been e-mailed to nadia@example.org." in page
    assert 'value="http://localhost/invitation/' in page  # the copyable link, shown once

    (mail,) = smtp.messages
    assert mail["To"] == "nadia@example.org"
    assert mail["Subject"] == "Invitation: Conference of <Miners> & Co"
    text, html = parts(mail)
    assert "Hello, Nadia <b>Sec</b>!" in text
    assert "Hello, Nadia &lt;b&gt;Sec&lt;/b&gt;!" in html  # escaped in the HTML part
    assert "Conference of &lt;Miners&gt; &amp; Co" in html
    path = invitation_path(mail)
    assert path in page  # the same link as on the admin's page

    # The person follows the link, sets a password and finds the conference.
    person = app.test_client()
    assert person.get(path).status_code == 200
    done = person.post(path, data={"password": "a-long-password", "confirm": "a-long-password"})
    assert done.status_code == 302
    conference_id = db.session.scalar(
        sa.select(Participant.conference_id).join(User).where(User.email == "nadia@example.org")
    )
    assert (
        person.get(url_path("conferences.participants", conference_id=conference_id)).status_code
        == 200
    )
    assert person.get(path).status_code == 410  # the link works once


def test_an_existing_account_with_a_password_gets_no_new_link(app, db, smtp):
    make_user("known@example.org", "Known Person", password_hash="x")
    client = sign_in(app.test_client(), make_user(name="Ad Min", is_admin=True))
    page = client.post(
        url_path("admin.create_conference"),
        data={**NEW_CONFERENCE, "secretariat_email": "known@example.org"},
    ).get_data(as_text=True)
    assert "already has an account with a password" in page
    assert "/invitation/" not in page
    assert smtp.messages == []


def test_the_secretariat_invites_the_selected_and_sees_each_status(app, db, world, smtp):
    client = sign_in(app.test_client(), world.secretariat)
    english, russian = world.delegates[0], world.delegates[1]
    english.user.locale = "en"
    db.session.commit()
    listing = client.get(_participants_url(world)).get_data(as_text=True)
    assert listing.count("not invited") == 6
    answer = _invite(client, world, ids=[english.id, russian.id])
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "2 of 2 invitations were sent." in page
    assert {m["To"] for m in smtp.messages} == {english.user.email, russian.user.email}
    # Nobody else got one; the audit log names each issued link.
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "participant.invitation_created")
        )
        == 2
    )
    listing = client.get(_participants_url(world)).get_data(as_text=True)
    assert listing.count("invitation-status--sent") == 2

    # Following the link shows as "opened", setting the password as "password set".
    (mail,) = smtp.to(english.user.email)
    path = invitation_path(mail)
    app.test_client().get(path)
    listing = client.get(_participants_url(world)).get_data(as_text=True)
    assert listing.count("invitation-status--opened") == 1
    app.test_client().post(path, data={"password": "a-long-password", "confirm": "a-long-password"})
    listing = client.get(_participants_url(world)).get_data(as_text=True)
    assert listing.count("invitation-status--used") == 1


def test_a_resend_replaces_the_earlier_link(app, db, world, smtp):
    client = sign_in(app.test_client(), world.secretariat)
    person = world.delegate
    _invite(client, world, ids=[person.id])
    _invite(client, world, ids=[person.id])
    first, second = smtp.to(person.user.email)
    assert invitation_path(first) != invitation_path(second)
    assert app.test_client().get(invitation_path(first)).status_code == 410
    assert app.test_client().get(invitation_path(second)).status_code == 200


def test_invite_everyone_without_access_skips_those_with_a_password(app, db, world, smtp):
    world.chair.user.password_hash = "set"
    world.observer.user.password_hash = "set"
    db.session.commit()
    client = sign_in(app.test_client(), world.secretariat)
    page = _invite(client, world, everyone=True).get_data(as_text=True)
    invited = {m["To"] for m in smtp.messages}
    # The secretariat member (no password in the factory) and the three delegates.
    assert invited == {world.secretariat.user.email} | {d.user.email for d in world.delegates}
    assert "4 of 4 invitations were sent." in page


def test_people_of_another_conference_cannot_be_invited_from_here(
    app, db, world, other_world, smtp
):
    client = sign_in(app.test_client(), world.secretariat)
    answer = _invite(client, world, ids=[other_world.delegate.id])
    assert answer.status_code == 302  # nobody chosen: back to the list with a message
    assert smtp.messages == []


def test_a_refused_address_is_reported_for_that_person_only(app, db, world, smtp):
    refused, fine = world.delegates[0], world.delegates[1]
    smtp.refuse.add(refused.user.email)
    client = sign_in(app.test_client(), world.secretariat)
    answer = _invite(client, world, ids=[refused.id, fine.id])
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "1 of 2 invitations were sent." in page
    assert "The mail server refused this address." in page
    assert [m["To"] for m in smtp.messages] == [fine.user.email]
    listing = client.get(_participants_url(world)).get_data(as_text=True)
    assert listing.count("invitation-status--sent") == 1
    assert listing.count("invitation-status--created") == 1  # a link exists, not mailed


def test_an_unreachable_mail_server_fails_every_mail_not_the_page(app, db, world):
    app.config.update(
        MAIL_BACKEND="smtp", MAIL_HOST="127.0.0.1", MAIL_PORT=free_port(), MAIL_TLS="none"
    )
    client = sign_in(app.test_client(), world.secretariat)
    answer = _invite(client, world, ids=[world.delegate.id])
    assert answer.status_code == 200
    assert "The mail server could not be reached" in answer.get_data(as_text=True)


def test_the_file_backend_writes_readable_mails(app, db, world, tmp_path):
    app.config.update(MAIL_BACKEND="file", MAIL_DIR=str(tmp_path / "mail"))
    client = sign_in(app.test_client(), world.secretariat)
    page = _invite(client, world, ids=[world.delegate.id]).get_data(as_text=True)
    assert "instance/mail" in page
    (written,) = (tmp_path / "mail").glob("*.eml")
    content = written.read_text()
    assert world.delegate.user.email in content and "/invitation/" in content


def test_only_the_secretariat_sends_invitations(app, db, world, smtp):
    for member in (world.chair, world.delegate, world.observer):
        client = sign_in(app.test_client(), member)
        assert _invite(client, world, ids=[world.delegate.id]).status_code == 403
    assert smtp.messages == []
