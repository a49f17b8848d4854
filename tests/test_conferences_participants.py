"""The secretariat's participant list: search, filters, counts, add, edit, remove."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from resolutions.conferences import service
from resolutions.errors import DomainError
from resolutions.models import AuditEntry, Participant, Role, User
from tests.objects.app import url_path
from tests.objects.world import make_user


def _list(client, world, **params):
    return client.get(
        url_path("conferences.participants", conference_id=world.conference.id), query_string=params
    )


def _names_in(html: str, world) -> set[str]:
    members = [world.secretariat, world.chair, *world.delegates, world.observer]
    return {m.user.name for m in members if f">{m.user.name}</a>" in html}


def _audit(db, action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def _new_data(**overrides):
    data = {
        "name": "Нодира Каримова",
        "email": "Nodira@Example.org",
        "role": "delegate",
        "organisation": "Textile Union",
        "country": "Uzbekistan",
        "delegation": "Uzbekistan",
        "voting_right": "y",
        "weight": "3",
    }
    data.update(overrides)
    return data


# --- the list --------------------------------------------------------------------------------


def test_list_shows_everyone_with_counts(world, as_user):
    html = _list(as_user(world.secretariat), world).get_data(as_text=True)
    assert len(_names_in(html, world)) == 6
    assert "Total <strong>6</strong>" in html
    assert "Delegate <strong>3</strong>" in html


def test_search_by_name_email_or_organisation_ignores_case(db, world, as_user):
    world.delegates[1].organisation = "Союз горняков"
    world.delegates[2].user.name = "Айгерим Нурланова"
    db.session.commit()
    client = as_user(world.secretariat)
    assert _names_in(_list(client, world, q="delegate 1").get_data(as_text=True), world) == {
        "Delegate 1"
    }
    by_org = _list(client, world, q="СОЮЗ").get_data(as_text=True)
    assert _names_in(by_org, world) == {world.delegates[1].user.name}
    cyrillic = _list(client, world, q="айгерим").get_data(as_text=True)
    assert _names_in(cyrillic, world) == {"Айгерим Нурланова"}
    by_email = _list(client, world, q=world.observer.user.email.upper()).get_data(as_text=True)
    assert _names_in(by_email, world) == {"Obs Erver"}
    # LIKE wildcards are searched literally.
    assert _names_in(_list(client, world, q="%").get_data(as_text=True), world) == set()


def test_filter_by_role_country_and_delegation(db, world, as_user):
    world.delegates[0].country = "Armenia"
    world.delegates[0].delegation = "Armenian Trade Unions"
    db.session.commit()
    client = as_user(world.secretariat)
    observers = _list(client, world, role="observer").get_data(as_text=True)
    assert _names_in(observers, world) == {"Obs Erver"}
    armenia = _list(client, world, country="Armenia").get_data(as_text=True)
    assert _names_in(armenia, world) == {"Delegate 1"}
    assert '<option value="Armenia">Armenia</option>' in _list(client, world).get_data(as_text=True)
    by_delegation = _list(client, world, delegation="Armenian Trade Unions", role="delegate")
    assert _names_in(by_delegation.get_data(as_text=True), world) == {"Delegate 1"}
    assert "1 participants match." in by_delegation.get_data(as_text=True)
    nobody = _list(client, world, role="chair", country="Armenia").get_data(as_text=True)
    assert "Nobody matches these filters." in nobody


def test_list_of_two_thousand_is_paginated_in_a_fixed_number_of_queries(db, world, as_user, app):
    users = [{"email": f"p{i:04d}@example.org", "name": f"Person {i:04d}"} for i in range(2000)]
    db.session.execute(sa.insert(User), users)
    ids = db.session.scalars(sa.select(User.id).where(User.email.like("p%@example.org")))
    db.session.execute(
        sa.insert(Participant),
        [
            {"conference_id": world.conference.id, "user_id": uid, "role": Role.DELEGATE}
            for uid in ids
        ],
    )
    db.session.commit()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    client = as_user(world.secretariat)
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = _list(client, world, page=3)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Page 3 of 41" in html
    # Sorted by name: Chair, Delegate 1-3, Obs Erver, Person 0000...; page 3 from the 101st.
    assert "Person 0094" not in html
    assert "Person 0095" in html and "Person 0144" in html
    assert "Person 0145" not in html
    # Session user, membership, conference, counts, filter lists, one page: no query per row.
    assert len(statements) < 15, statements


# --- add -------------------------------------------------------------------------------------


def test_secretariat_adds_a_participant(db, world, as_user):
    answer = as_user(world.secretariat).post(
        url_path("conferences.participant_new", conference_id=world.conference.id), data=_new_data()
    )
    assert answer.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "nodira@example.org"))
    participant = db.session.scalar(sa.select(Participant).where(Participant.user_id == user.id))
    assert participant.conference_id == world.conference.id
    assert (participant.role, participant.weight, participant.voting_right) == (
        Role.DELEGATE,
        3,
        True,
    )
    assert participant.country == "Uzbekistan"
    assert user.password_hash is None
    [entry] = _audit(db, "participant.added")[-1:]
    assert json.loads(entry.details)["user"] == "nodira@example.org"


def test_adding_reuses_an_existing_account(db, world, as_user, other_world):
    person = other_world.chair.user
    answer = as_user(world.secretariat).post(
        url_path("conferences.participant_new", conference_id=world.conference.id),
        data=_new_data(email=person.email.upper(), name="Somebody Else"),
    )
    assert answer.status_code == 302
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.email == person.email)
        )
        == 1
    )
    assert len(person.participations) == 2
    assert person.name == "Chair Person"  # their account, their name


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Enter a name."),
        ({"email": "not-an-email"}, "email", "Enter a valid e-mail."),
        ({"weight": "0"}, "weight", "The weight must be a whole number from 1 to"),
        ({"weight": "2.5"}, "weight", ""),
    ],
)
def test_bad_participant_is_refused_next_to_the_field(
    db, world, as_user, overrides, field, message
):
    answer = as_user(world.secretariat).post(
        url_path("conferences.participant_new", conference_id=world.conference.id),
        data=_new_data(**overrides),
    )
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert message in html
    assert db.session.scalar(sa.select(User).where(User.email == "nodira@example.org")) is None


def test_observer_gets_no_voting_right_even_with_the_box_ticked(db, world, as_user):
    answer = as_user(world.secretariat).post(
        url_path("conferences.participant_new", conference_id=world.conference.id),
        data=_new_data(role="observer", voting_right="y"),
    )
    assert answer.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "nodira@example.org"))
    assert (user.participations[0].role, user.participations[0].voting_right) == (
        Role.OBSERVER,
        False,
    )


def test_service_refuses_a_voting_right_for_an_observer(db, world):
    with pytest.raises(DomainError) as raised:
        service.add_participant(
            world.conference,
            name="X",
            email="x@example.org",
            values=service.ParticipantFields(role=Role.OBSERVER, voting_right=True),
            actor=world.secretariat,
        )
    assert raised.value.field == "voting_right"


def test_stepping_down_from_the_secretariat_leads_home(db, world, as_user):
    world.observer.role = Role.SECRETARIAT
    db.session.commit()
    sec = world.secretariat
    client = as_user(sec)
    answer = client.post(_edit_url(world, sec), data=_edit_data(sec, role="observer"))
    assert answer.headers["Location"].endswith(f"/c/{world.conference.id}/")
    assert (
        client.get(
            url_path("conferences.participants", conference_id=world.conference.id)
        ).status_code
        == 403
    )


def test_a_person_cannot_be_added_twice(db, world, as_user):
    answer = as_user(world.secretariat).post(
        url_path("conferences.participant_new", conference_id=world.conference.id),
        data=_new_data(email=world.delegate.user.email),
    )
    assert answer.status_code == 400
    assert "is already a participant of this conference" in answer.get_data(as_text=True)


# --- edit ------------------------------------------------------------------------------------


def _edit_url(world, participant):
    return url_path(
        "conferences.participant_edit",
        conference_id=world.conference.id,
        participant_id=participant.id,
    )


def _edit_data(participant, **overrides):
    data = {
        "name": participant.user.name,
        "role": participant.role.value,
        "organisation": participant.organisation,
        "country": participant.country,
        "delegation": participant.delegation,
        "weight": str(participant.weight),
    }
    if participant.voting_right:
        data["voting_right"] = "y"
    data.update(overrides)
    return data


def test_secretariat_sets_role_weight_and_voting_right(db, world, as_user):
    delegate = world.delegates[1]
    client = as_user(world.secretariat)
    page = client.get(_edit_url(world, delegate))
    assert page.status_code == 200
    assert 'value="Delegate 2"' in page.get_data(as_text=True)
    data = _edit_data(delegate, role="chair", weight="5", delegation="Kyrgyz unions")
    assert client.post(_edit_url(world, delegate), data=data).status_code == 302
    assert (delegate.role, delegate.weight, delegate.delegation) == (
        Role.CHAIR,
        5,
        "Kyrgyz unions",
    )
    data = _edit_data(delegate, role="observer")
    del data["voting_right"]
    assert client.post(_edit_url(world, delegate), data=data).status_code == 302
    assert (delegate.role, delegate.voting_right) == (Role.OBSERVER, False)
    entries = _audit(db, "participant.changed")
    assert json.loads(entries[0].details)["changed"] == {
        "role": ["delegate", "chair"],
        "weight": [1, 5],
        "delegation": ["", "Kyrgyz unions"],
    }
    assert json.loads(entries[1].details)["changed"]["voting_right"] == [True, False]


def test_name_of_an_account_used_elsewhere_is_not_editable(db, world, other_world, as_user):
    shared = world.delegates[2]
    db.session.add(
        Participant(
            conference_id=other_world.conference.id, user_id=shared.user_id, role=Role.CHAIR
        )
    )
    db.session.commit()
    client = as_user(world.secretariat)
    answer = client.post(_edit_url(world, shared), data=_edit_data(shared, name="Renamed"))
    assert answer.status_code == 400
    assert "only they can change the name" in answer.get_data(as_text=True)
    assert shared.user.name == "Delegate 3"
    # A name on an account used only here can be corrected.
    own = world.delegates[1]
    assert (
        client.post(_edit_url(world, own), data=_edit_data(own, name="Corrected")).status_code
        == 302
    )
    assert own.user.name == "Corrected"


def test_last_secretariat_member_cannot_be_demoted_or_removed(db, world, as_user):
    client = as_user(world.secretariat)
    sec = world.secretariat
    answer = client.post(_edit_url(world, sec), data=_edit_data(sec, role="delegate"))
    assert answer.status_code == 400
    assert "is the only secretariat member" in answer.get_data(as_text=True)
    assert sec.role == Role.SECRETARIAT
    answer = client.post(
        url_path(
            "conferences.participant_delete",
            conference_id=world.conference.id,
            participant_id=sec.id,
        )
    )
    assert answer.status_code == 302
    assert db.session.get(Participant, sec.id) is not None
    assert "is the only secretariat member" in client.get(_edit_url(world, sec)).get_data(
        as_text=True
    )
    # With a second secretariat member the first may step down.
    world.observer.role = Role.SECRETARIAT
    db.session.commit()
    assert (
        client.post(_edit_url(world, sec), data=_edit_data(sec, role="observer")).status_code == 302
    )
    assert sec.role == Role.OBSERVER


def test_service_refuses_demoting_the_last_secretariat(db, world):
    with pytest.raises(DomainError):
        service.update_participant(
            world.conference,
            world.secretariat,
            values=service.ParticipantFields(role=Role.CHAIR),
            name=None,
            actor=world.secretariat,
        )


# --- remove ----------------------------------------------------------------------------------


def test_secretariat_removes_a_participant_but_not_their_account(db, world, as_user):
    observer = world.observer
    user_id, participant_id = observer.user_id, observer.id
    answer = as_user(world.secretariat).post(
        url_path(
            "conferences.participant_delete",
            conference_id=world.conference.id,
            participant_id=participant_id,
        )
    )
    assert answer.status_code == 302
    assert db.session.get(Participant, participant_id) is None
    assert db.session.get(User, user_id) is not None
    [entry] = _audit(db, "participant.removed")
    assert entry.object_id == participant_id


def test_participant_who_took_part_cannot_be_removed(db, world, as_user):
    from resolutions.models import Amendment, AmendmentKind, Resolution

    resolution = Resolution(conference_id=world.conference.id, title="R")
    db.session.add(resolution)
    db.session.flush()
    db.session.add(
        Amendment(
            resolution_id=resolution.id, proposer_id=world.delegate.id, kind=AmendmentKind.INSERT
        )
    )
    db.session.commit()
    answer = as_user(world.secretariat).post(
        url_path(
            "conferences.participant_delete",
            conference_id=world.conference.id,
            participant_id=world.delegate.id,
        )
    )
    assert answer.status_code == 302
    assert db.session.get(Participant, world.delegate.id) is not None
    assert _audit(db, "participant.removed") == []


def test_removing_needs_a_post(world, as_user):
    answer = as_user(world.secretariat).get(
        url_path(
            "conferences.participant_delete",
            conference_id=world.conference.id,
            participant_id=world.observer.id,
        )
    )
    assert answer.status_code == 405


def test_participant_of_another_conference_is_not_found(world, other_world, as_user):
    client = as_user(world.secretariat)
    foreign = other_world.delegate
    assert client.get(_edit_url(world, foreign)).status_code == 404
    answer = client.post(
        url_path(
            "conferences.participant_delete",
            conference_id=world.conference.id,
            participant_id=foreign.id,
        )
    )
    assert answer.status_code == 404
    assert foreign.id is not None


def test_closed_conference_refuses_changes(db, world, as_user):
    from resolutions.models import ConferenceState

    world.conference.state = ConferenceState.CLOSED
    db.session.commit()
    answer = as_user(world.secretariat).post(
        url_path("conferences.participant_new", conference_id=world.conference.id), data=_new_data()
    )
    assert answer.status_code == 200
    assert "The conference is closed" in answer.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.email == "nodira@example.org")) is None


def test_new_participant_helper_user_exists(db, world):
    # make_user is the factory other tests rely on; a reused account keeps one row.
    user = make_user("shared@example.org", "Shared")
    participant = service.add_participant(
        world.conference,
        name="Other Name",
        email="SHARED@example.org",
        values=service.ParticipantFields(role=Role.OBSERVER),
        actor=world.secretariat,
    )
    assert participant.user_id == user.id
