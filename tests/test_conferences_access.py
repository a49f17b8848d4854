"""Access for participants: invitation links, generated passwords, the printed access card."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import url_for

from resolutions.auth.service import check_password, hash_password
from resolutions.documents.cards import access_cards
from resolutions.models import AuditEntry, LoginToken, Participant, Role, User
from tests.objects.app import url_path


def _access(client, world, participant, kind: str):
    return client.post(
        url_path(
            "conferences.participant_access",
            conference_id=world.conference.id,
            participant_id=participant.id,
        ),
        data={"kind": kind},
    )


def _secret(html: str) -> str:
    return re.search(r'id="secret" class="input secret__value" type="text" value="([^"]+)"', html)[
        1
    ]


def _actions(db) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_invitation_link_is_shown_once_and_sets_a_password(db, app, world, as_user):
    delegate = world.delegates[1]
    answer = _access(as_user(world.secretariat), world, delegate, "invitation")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    link = _secret(answer.get_data(as_text=True))
    assert link.startswith("http://localhost/invitation/")
    assert "participant.invitation_created" in _actions(db)

    visitor = app.test_client()
    path = link.removeprefix("http://localhost")
    assert visitor.get(path).status_code == 200
    done = visitor.post(path, data={"password": "a-new-password", "confirm": "a-new-password"})
    assert done.status_code == 302
    assert check_password(delegate.user, "a-new-password")
    assert app.test_client().get(path).status_code == 410  # works once


def test_one_time_password_leads_to_choosing_ones_own(db, app, world, as_user):
    delegate = world.delegates[1]
    answer = _access(as_user(world.secretariat), world, delegate, "password")
    assert answer.headers["Cache-Control"] == "no-store"
    password = _secret(answer.get_data(as_text=True))
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)
    stored = " ".join(db.session.scalars(sa.select(LoginToken.token_hash)))
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "participant.password_generated")
    )
    assert password not in stored and password not in entry.details

    person = app.test_client()
    # With the wrong e-mail the code is just a wrong password.
    wrong = person.post(
        url_path("auth.sign_in"), data={"email": world.observer.user.email, "password": password}
    )
    assert "Wrong e-mail or password." in wrong.get_data(as_text=True)
    signed = person.post(
        url_path("auth.sign_in"), data={"email": delegate.user.email, "password": password}
    )
    assert signed.status_code == 302
    assert signed.headers["Location"].endswith(f"/invitation/{password}")
    chosen = person.post(
        url_path("auth.invitation", token=password),
        data={"password": "my-own-choice-1", "confirm": "my-own-choice-1"},
    )
    assert chosen.status_code == 302
    assert person.get(url_path("conferences.index")).status_code == 200
    assert check_password(delegate.user, "my-own-choice-1")
    # It worked once.
    again = app.test_client().post(
        url_path("auth.sign_in"), data={"email": delegate.user.email, "password": password}
    )
    assert again.status_code == 200
    assert "Wrong e-mail or password." in again.get_data(as_text=True)


def test_a_new_access_replaces_the_unused_one(db, app, world, as_user):
    delegate = world.delegates[1]
    client = as_user(world.secretariat)
    link = _secret(_access(client, world, delegate, "invitation").get_data(as_text=True))
    password = _secret(_access(client, world, delegate, "password").get_data(as_text=True))
    assert app.test_client().get(link.removeprefix("http://localhost")).status_code == 410
    assert app.test_client().get(url_path("auth.invitation", token=password)).status_code == 200


def test_secretariat_cannot_reset_an_account_that_matters_elsewhere(
    db, world, other_world, as_user
):
    # The other conference's chair is also an observer here and has their own password.
    person = other_world.chair.user
    person.password_hash = hash_password("their-own-password")
    observer_here = Participant(
        conference_id=world.conference.id, user_id=person.id, role=Role.OBSERVER
    )
    db.session.add(observer_here)
    db.session.commit()
    client = as_user(world.secretariat)
    for kind in ("password", "invitation"):
        answer = _access(client, world, observer_here, kind)
        assert answer.status_code == 302
    assert check_password(person, "their-own-password")
    page = client.get(
        url_path(
            "conferences.participant_edit",
            conference_id=world.conference.id,
            participant_id=observer_here.id,
        )
    )
    assert "they keep their own credentials" in page.get_data(as_text=True)


def test_access_needs_a_known_kind(world, as_user):
    answer = _access(as_user(world.secretariat), world, world.delegate, "master-key")
    assert answer.status_code == 400


# --- the access card -------------------------------------------------------------------------


def _card(participant) -> str:
    return url_path("conferences.card", card_token=participant.card_token)


def test_card_without_a_password_lets_the_holder_set_one_once(db, app, world):
    delegate = world.delegates[2]
    visitor = app.test_client()
    page = visitor.get(_card(delegate))
    assert page.status_code == 200
    assert "Or choose a password" in page.get_data(as_text=True)
    short = visitor.post(_card(delegate), data={"password": "short", "confirm": "short"})
    assert short.status_code == 400
    done = visitor.post(
        _card(delegate), data={"password": "card-password-1", "confirm": "card-password-1"}
    )
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/c/{world.conference.id}/")
    assert (
        visitor.get(url_path("conferences.home", conference_id=world.conference.id)).status_code
        == 200
    )  # signed in
    assert check_password(delegate.user, "card-password-1")
    assert "participant.password_set_from_card" in _actions(db)

    # From now on the card leads to sign-in with the e-mail filled in.
    later = app.test_client().get(_card(delegate))
    assert later.status_code == 302
    assert "/sign-in?email=" in later.headers["Location"]
    form = app.test_client().get(later.headers["Location"]).get_data(as_text=True)
    assert f'value="{delegate.user.email}"' in form
    # And a second attempt to set a password through it changes nothing.
    again = app.test_client().post(
        _card(delegate), data={"password": "someone-else-1", "confirm": "someone-else-1"}
    )
    assert again.status_code == 302
    assert check_password(delegate.user, "card-password-1")


def test_card_signs_its_holder_in_without_a_password(db, app, world):
    """The hall's way in: the card link is the credential until the account has a password."""
    delegate = world.delegates[2]
    visitor = app.test_client()
    page = visitor.get(_card(delegate))
    assert page.status_code == 200
    assert "This access card signs you in as" in page.get_data(as_text=True)
    # Opening the link alone (a preview, a scan) signs nobody in: the button is a POST.
    assert visitor.get(f"/c/{world.conference.id}/").status_code == 302
    done = visitor.post(_card(delegate), data={"sign_in": "Sign in"})
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/c/{world.conference.id}/")
    assert visitor.get(f"/c/{world.conference.id}/").status_code == 200  # signed in
    db.session.refresh(delegate.user)
    assert delegate.user.password_hash is None  # no password chosen, none set
    # Somebody else's card does not sign in as them from this session's point of view.
    other = visitor.get(_card(world.delegates[1]))
    assert "This card belongs to someone else" in other.get_data(as_text=True)


def test_card_holder_signed_in_goes_to_the_conference(world, as_user):
    answer = as_user(world.delegate).get(_card(world.delegate))
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/c/{world.conference.id}/")


def test_chair_scans_a_card_and_checks_the_delegate_in(db, world, as_user):
    chair = as_user(world.chair)
    page = chair.get(_card(world.delegate))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert world.delegate.user.name in html and "Check in" in html
    answer = chair.post(
        url_path(
            "conferences.participant_presence",
            conference_id=world.conference.id,
            participant_id=world.delegate.id,
        ),
        data={"present": "1"},
    )
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(_card(world.delegate))
    assert world.delegate.present is True
    assert "Mark absent" in chair.get(_card(world.delegate)).get_data(as_text=True)
    assert _actions(db)[-1] == "participant.checked_in"


def test_secretariat_checks_in_from_the_edit_page(world, as_user):
    answer = as_user(world.secretariat).post(
        url_path(
            "conferences.participant_presence",
            conference_id=world.conference.id,
            participant_id=world.observer.id,
        ),
        data={"present": "1", "back": "edit"},
    )
    assert answer.headers["Location"].endswith(f"/participants/{world.observer.id}/edit")
    assert world.observer.present is True


def test_other_members_cannot_check_in(world, other_world, as_user):
    url = url_path(
        "conferences.participant_presence",
        conference_id=world.conference.id,
        participant_id=world.delegates[1].id,
    )
    assert as_user(world.delegate).post(url, data={"present": "1"}).status_code == 403
    assert as_user(other_world.chair).post(url, data={"present": "1"}).status_code == 404
    # Someone else's card, scanned by a delegate or by another conference's chair, shows nothing.
    for viewer in (world.delegate, other_world.chair):
        page = as_user(viewer).get(_card(world.delegates[1]))
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "This card belongs to someone else" in html
        assert "Check in" not in html
    assert world.delegates[1].present is False


def test_unknown_card_is_not_found(client, world):
    assert (
        client.get(url_path("conferences.card", card_token="not-a-real-token")).status_code == 404
    )


# --- accounts belong to their conferences ----------------------------------------------------


def _add_by_email(client, world, email, name="Taken Over"):
    return client.post(
        url_path("conferences.participant_new", conference_id=world.conference.id),
        data={"name": name, "email": email, "role": "delegate", "weight": "1"},
    )


def _participant_of(db, world, user):
    return db.session.scalar(
        sa.select(Participant).where(
            Participant.conference_id == world.conference.id, Participant.user_id == user.id
        )
    )


def test_another_secretariat_cannot_take_over_an_invited_account(
    db, app, world, other_world, as_user
):
    """Conference B's secretariat adds an e-mail already invited in A (no password yet), then
    tries an invitation, a one-time password and the access card to become that person."""
    victim = world.delegates[1]
    victim.user.name = "Invited In A"  # the worlds' generated names repeat
    db.session.commit()
    a_secretariat = as_user(world.secretariat)
    a_link = _secret(_access(a_secretariat, world, victim, "invitation").get_data(as_text=True))

    b_secretariat = as_user(other_world.secretariat)
    assert _add_by_email(b_secretariat, other_world, victim.user.email).status_code == 302
    in_b = _participant_of(db, other_world, victim.user)
    tokens_before = db.session.scalar(sa.select(sa.func.count()).select_from(LoginToken))

    page = b_secretariat.get(
        url_path(
            "conferences.participant_edit",
            conference_id=other_world.conference.id,
            participant_id=in_b.id,
        )
    )
    html = page.get_data(as_text=True)
    assert "they keep their own credentials" in html
    assert "Generate one-time password" not in html and "Create invitation link" not in html
    for kind in ("password", "invitation"):
        refused = b_secretariat.post(
            url_path(
                "conferences.participant_access",
                conference_id=other_world.conference.id,
                participant_id=in_b.id,
            ),
            data={"kind": kind},
            follow_redirects=True,
        )
        assert "keeps their own credentials" in refused.get_data(as_text=True)
        assert "secret__value" not in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginToken)) == tokens_before

    # B's access card for the person neither signs in nor sets a password.
    card = app.test_client()
    shown = card.get(_card(in_b))
    assert shown.status_code == 200
    assert "this access card does not sign you in" in shown.get_data(as_text=True)
    posted = card.post(_card(in_b), data={"password": "taken-over-1", "confirm": "taken-over-1"})
    assert posted.status_code == 403
    signed = card.post(_card(in_b), data={"sign_in": "Sign in"})
    assert signed.status_code == 403
    assert victim.user.password_hash is None
    assert (
        card.get(
            url_path("conferences.participants", conference_id=world.conference.id)
        ).status_code
        == 302
    )
    # The printed card carries no link for that person.
    with app.test_request_context():
        printed = next(c for c in access_cards(other_world.conference) if c.name == victim.name)
    assert printed.sign_in_url == "" and str(printed.qr_svg) == ""
    pdf = b_secretariat.get(
        url_path("documents.cards_pdf", conference_id=other_world.conference.id)
    )
    assert pdf.status_code == 200

    # A's invitation was issued before the account joined B: it ended, so no copy of it can
    # be a way into B's (or A's) pages for anyone else. A's secretariat cannot issue a new
    # one either (the account is in B too): the person needs a secretariat of both.
    assert app.test_client().get(a_link.removeprefix("http://localhost")).status_code == 410
    assert _access(a_secretariat, world, victim, "password").status_code == 302
    assert victim.user.password_hash is None


def test_a_secretariat_of_every_conference_of_the_account_may_issue(
    db, app, world, other_world, as_user
):
    # The secretariat member of A is also in B's secretariat: every membership is theirs.
    victim = world.delegates[1]
    db.session.add(
        Participant(
            conference_id=other_world.conference.id,
            user_id=world.secretariat.user.id,
            role=Role.SECRETARIAT,
        )
    )
    db.session.add(
        Participant(
            conference_id=other_world.conference.id, user_id=victim.user.id, role=Role.DELEGATE
        )
    )
    db.session.commit()
    answer = _access(as_user(world.secretariat), world, victim, "password")
    assert answer.status_code == 200
    assert _secret(answer.get_data(as_text=True))


def test_an_early_one_time_password_ends_when_another_conference_adds_the_account(
    db, app, world, other_world, as_user
):
    """The other order: B creates the account first and keeps a one-time password; then A
    invites the same e-mail. B's password must not become a way into A."""
    b_secretariat = as_user(other_world.secretariat)
    email = "chair-to-be@example.org"
    assert _add_by_email(b_secretariat, other_world, email).status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == email))
    in_b = _participant_of(db, other_world, user)
    answer = b_secretariat.post(
        url_path(
            "conferences.participant_access",
            conference_id=other_world.conference.id,
            participant_id=in_b.id,
        ),
        data={"kind": "password"},
    )
    kept = _secret(answer.get_data(as_text=True))

    assert _add_by_email(as_user(world.secretariat), world, email).status_code == 302
    attacker = app.test_client()
    tried = attacker.post(url_path("auth.sign_in"), data={"email": email, "password": kept})
    assert tried.status_code == 200
    assert "Wrong e-mail or password." in tried.get_data(as_text=True)
    assert attacker.get(url_path("auth.invitation", token=kept)).status_code == 410
    assert user.password_hash is None


def test_the_card_of_an_account_used_elsewhere_does_not_sign_in(db, app, world, other_world):
    # The other conference's chair, with a password, is an observer here.
    person = other_world.chair.user
    person.password_hash = hash_password("their-own-password")
    person.name = "Chair Elsewhere"  # the worlds' generated names repeat
    here = Participant(conference_id=world.conference.id, user_id=person.id, role=Role.OBSERVER)
    db.session.add(here)
    db.session.commit()
    page = app.test_client().get(_card(here))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Sign in with your own password" in html
    assert person.email not in html  # the card does not even reveal the account's e-mail
    with app.test_request_context():
        printed = next(c for c in access_cards(world.conference) if c.name == person.name)
        mine = next(c for c in access_cards(world.conference) if c.name == world.delegate.name)
    assert printed.sign_in_url == ""
    assert mine.sign_in_url == url_for(
        "conferences.card", card_token=world.delegate.card_token, _external=True
    )
