"""The sitting through HTTP: ballots, the chair's console, attendance, proxies, results.

Each test reads as a story of the sitting and checks what the database holds afterwards, not
only the status code. Every test runs on SQLite and PostgreSQL (``app`` fixture).
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from resolutions.extensions import db
from resolutions.models import (
    AuditEntry,
    BallotKind,
    Choice,
    Conference,
    Participant,
    Poll,
    PollOutcome,
    PollState,
    Proxy,
    VoteRecord,
)
from tests.objects.app import url_path
from tests.objects.voting import check_in, give_proxy, procedural_poll, secret_units


def _records(poll: Poll) -> list[VoteRecord]:
    return list(db.session.scalars(sa.select(VoteRecord).where(VoteRecord.poll_id == poll.id)))


def _text(response) -> str:
    return response.get_data(as_text=True)


def _region(page: str) -> str:
    """The live part of the ballot page (not the script's template of a future ballot)."""
    return page[page.index('data-live-region="ballot"') : page.index('id="ballot-form-template"')]


def _flashes(client) -> str:
    """The page the last redirect leads to (its flash messages included)."""
    with client.session_transaction() as session:
        return " ".join(str(m) for _, m in session.get("_flashes", []))


def _cast(client, world, poll, choice="yes", **data):
    return client.post(
        url_path("voting.cast", conference_id=world.conference.id, poll_id=poll.id),
        data={"choice": choice, **data},
    )


def _cast_json(client, world, poll, choice="yes", **data):
    return client.post(
        url_path("voting.cast", conference_id=world.conference.id, poll_id=poll.id),
        data={"choice": choice, **data},
        headers={"Accept": "application/json"},
    )


# --- the ballot page -------------------------------------------------------------------------


def test_ballot_page_waits_for_a_poll_then_shows_it_with_its_rules(world, as_user):
    check_in(world.delegate)
    client = as_user(world.delegate)
    page = _text(client.get(url_path("voting.ballot", conference_id=world.conference.id)))
    assert "No vote is open" in page
    # The script's template of the ballot is there, for a poll that opens later.
    assert 'id="ballot-form-template"' in page

    procedural_poll(world, title="Shall the debate be closed?", majority_method="two_thirds")
    page = _text(client.get(url_path("voting.ballot", conference_id=world.conference.id)))
    assert "Shall the debate be closed?" in page
    assert "The chair proposes a break of one hour." in page
    assert "Two-thirds majority" in page and "Named ballot" in page
    for choice in ("yes", "no", "abstain"):
        assert f'name="choice" value="{choice}"' in page
    assert 'name="idempotency_key"' in page


def test_delegate_absent_at_opening_is_told_they_cannot_vote(world, as_user):
    check_in(world.chair)
    procedural_poll(world)
    page = _region(
        _text(
            as_user(world.delegate).get(
                url_path("voting.ballot", conference_id=world.conference.id)
            )
        )
    )
    assert "You are not on the list of voters" in page
    assert 'name="choice"' not in page


def test_vote_is_recorded_once_with_a_receipt_and_a_retry_is_already_recorded(world, as_user):
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world)
    client = as_user(world.delegate)

    answer = _cast(client, world, poll, "yes", idempotency_key="form-1")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/vote")
    first = _flashes(client)
    receipt = re.search(r"Receipt: (\S+)", first).group(1)
    assert "Your vote has been recorded" in first

    # The same form again (a double click, a retried POST): one ballot, the same receipt.
    _cast(client, world, poll, "yes", idempotency_key="form-1")
    assert f"Already recorded. Your receipt: {receipt}" in _flashes(client)
    records = _records(poll)
    assert len(records) == 1 and records[0].participant_id == world.delegate.id

    # The page now shows the receipt instead of the buttons.
    page = _region(_text(client.get(url_path("voting.ballot", conference_id=world.conference.id))))
    assert receipt in page and 'name="choice"' not in page


def test_a_different_second_ballot_is_refused_with_a_clear_message(world, as_user):
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world)
    client = as_user(world.delegate)
    _cast(client, world, poll, "yes", idempotency_key="a")
    answer = _cast_json(client, world, poll, "no", idempotency_key="b")
    assert answer.status_code == 409
    assert "already recorded" in answer.json["message"]
    assert [r.choice.value for r in _records(poll)] == ["yes"]


def test_json_cast_answers_the_receipt_for_the_page_script(world, as_user):
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world)
    client = as_user(world.delegate)
    answer = _cast_json(client, world, poll, "abstain", idempotency_key="k1")
    assert answer.status_code == 200
    body = answer.json
    assert body["ok"] is True and body["already_recorded"] is False
    assert body["recorded"] == [world.delegate.id] and body["names"] == ["Delegate 1"]
    again = _cast_json(client, world, poll, "abstain", idempotency_key="k1").json
    assert again["already_recorded"] is True and again["receipt"] == body["receipt"]
    assert len(_records(poll)) == 1


def test_proxy_holder_casts_for_all_at_once_or_separately(world, as_user):
    check_in(world.chair, world.delegates[0], world.delegates[1])
    give_proxy(world.delegates[2], world.delegate)  # Delegate 3 gives their vote to Delegate 1
    poll = procedural_poll(world)
    client = as_user(world.delegate)

    page = _text(client.get(url_path("voting.ballot", conference_id=world.conference.id)))
    assert "This ballot is for" in page and "Delegate 3" in page

    # Separately: first only the principal's ballot.
    _cast(client, world, poll, "no", idempotency_key="p1", **{"for": [world.delegates[2].id]})
    page = _region(_text(client.get(url_path("voting.ballot", conference_id=world.conference.id))))
    assert 'name="choice"' in page  # their own ballot is still to cast
    _cast(client, world, poll, "yes", idempotency_key="p2", **{"for": [world.delegate.id]})
    by_voter = {r.participant_id: (r.choice.value, r.cast_by_id) for r in _records(poll)}
    assert by_voter == {
        world.delegates[2].id: ("no", world.delegate.id),
        world.delegate.id: ("yes", world.delegate.id),
    }


def test_script_built_form_casts_every_ballot_the_holder_holds(world, as_user):
    check_in(world.chair, world.delegates[0], world.delegates[1])
    give_proxy(world.delegates[2], world.delegate)
    poll = procedural_poll(world)
    answer = _cast_json(as_user(world.delegate), world, poll, "yes", for_all="1")
    assert answer.status_code == 200
    assert sorted(answer.json["recorded"]) == sorted([world.delegate.id, world.delegates[2].id])
    assert len(_records(poll)) == 2


def test_vote_without_proxy_after_close_and_in_other_conference_is_refused(
    world, other_world, as_user
):
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world)
    client = as_user(world.delegate)

    # For someone whose proxy I do not hold.
    answer = _cast_json(client, world, poll, "yes", **{"for": [world.delegates[1].id]})
    assert answer.status_code == 403 and "no proxy" in answer.json["message"]
    _cast(client, world, poll, "yes", **{"for": [world.delegates[1].id]})
    assert "no proxy" in _flashes(client)

    # Another conference's poll through this conference's URL: refused.
    check_in(other_world.chair, *other_world.delegates)
    foreign = procedural_poll(other_world)
    answer = _cast_json(client, world, foreign)
    assert answer.status_code == 403 and "does not belong" in answer.json["message"]
    _cast(client, world, foreign)
    assert "does not belong" in _flashes(client)
    # Through its own conference's URL: not a member.
    assert _cast(client, other_world, foreign).status_code in (403, 404)

    # After the close.
    as_user(world.chair).post(
        url_path("voting.close_poll", conference_id=world.conference.id, poll_id=poll.id),
        data={"publish": ""},
    )
    answer = _cast_json(client, world, poll, "yes")
    assert answer.status_code == 409 and "closed" in answer.json["message"]
    assert _records(poll) == [] and _records(foreign) == []


def test_a_refused_proxy_ballot_never_names_a_participant_of_another_conference(
    world, other_world, as_user
):
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world)
    client = as_user(world.delegate)
    stranger = other_world.delegates[0]
    stranger.user.name = "Stranger Elsewhere"
    db.session.commit()
    answer = _cast_json(client, world, poll, "yes", **{"for": [stranger.id]})
    assert answer.status_code == 403
    assert answer.json["message"] == "You hold no proxy for that participant in this poll."
    _cast(client, world, poll, "yes", **{"for": [stranger.id]})
    assert "Stranger Elsewhere" not in _flashes(client)
    assert "You hold no proxy for that participant" in _flashes(client)
    # A participant of this conference is named: the delegate sees them on the list anyway.
    answer = _cast_json(client, world, poll, "yes", **{"for": [world.delegates[1].id]})
    assert world.delegates[1].name in answer.json["message"]
    assert _records(poll) == []


def test_observer_and_secretariat_cannot_cast(world, as_user):
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world)
    for member in (world.observer, world.secretariat):
        assert _cast(as_user(member), world, poll).status_code == 403
    assert _records(poll) == []


def test_invalid_choice_is_refused_without_a_record(world, as_user):
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world)
    client = as_user(world.delegate)
    answer = _cast_json(client, world, poll, "maybe")
    assert answer.status_code == 400 and "yes, no or abstain" in answer.json["message"]
    answer = _cast(client, world, poll, "", **{"for": "x"})
    assert answer.status_code == 302
    assert _records(poll) == []


def test_cast_needs_the_csrf_token(csrf_app, world, as_user):
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world)
    client = as_user(world.delegate)
    assert _cast(client, world, poll).status_code == 400
    page = _text(client.get(url_path("voting.ballot", conference_id=world.conference.id)))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert _cast(client, world, poll, csrf_token=token).status_code == 302
    assert len(_records(poll)) == 1


def test_secret_ballot_stores_no_choice_on_the_voter_row(world, as_user):
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world, ballot_kind=BallotKind.SECRET)
    page = _text(
        as_user(world.delegate).get(url_path("voting.ballot", conference_id=world.conference.id))
    )
    assert "Secret ballot" in page
    _cast(as_user(world.delegate), world, poll, "no", idempotency_key="s1")
    record = _records(poll)[0]
    assert record.choice is None and record.weight is None
    assert secret_units(poll.id) == {Choice.YES: 0, Choice.NO: 1, Choice.ABSTAIN: 0}
    page = _text(
        as_user(world.delegate).get(url_path("voting.ballot", conference_id=world.conference.id))
    )
    assert "cannot be shown again" in page


# --- the chair's console ---------------------------------------------------------------------


def test_console_shows_present_weight_and_opens_a_procedural_question(world, as_user):
    check_in(world.chair, world.delegates[0])
    chair = as_user(world.chair)
    page = _text(chair.get(url_path("voting.console", conference_id=world.conference.id)))
    assert "Chair&#39;s console" in page or "Chair's console" in page
    assert re.search(r'data-present="weight">2<', page) and re.search(
        r'data-present="total">4<', page
    )
    assert "No vote is open" in page

    answer = chair.post(
        url_path("voting.create_procedural", conference_id=world.conference.id),
        data={
            "title": "Shall the sitting be suspended?",
            "question": "For ten minutes.",
            "majority_method": "absolute",
            "ballot_kind": "secret",
            "quorum": "1/2",
            "open_now": "y",
        },
    )
    assert answer.status_code == 302
    poll = db.session.scalar(sa.select(Poll).where(Poll.conference_id == world.conference.id))
    assert poll.state == PollState.OPEN and poll.title == "Shall the sitting be suspended?"
    assert poll.majority_method.value == "absolute" and poll.ballot_kind == BallotKind.SECRET
    assert poll.quorum == "1/2" and poll.entitled_weight == 2
    page = _text(chair.get(url_path("voting.console", conference_id=world.conference.id)))
    assert 'data-turnout="voted_weight">0<' in page and 'data-turnout="entitled_weight">2<' in page
    assert "Close the vote" in page


def test_procedural_question_needs_a_title_and_a_valid_quorum(world, as_user):
    check_in(world.chair)
    chair = as_user(world.chair)
    answer = chair.post(
        url_path("voting.create_procedural", conference_id=world.conference.id),
        data={"title": "", "quorum": "half"},
    )
    assert answer.status_code == 400
    page = _text(answer)
    assert "Enter the question." in page
    assert "quorum" in page.lower()
    assert db.session.scalar(sa.select(sa.func.count(Poll.id))) == 0


def test_conference_defaults_apply_when_no_override_is_given(world, as_user):
    world.conference.ballot_kind = BallotKind.SECRET
    world.conference.quorum = "2"
    db.session.commit()
    check_in(world.chair)
    as_user(world.chair).post(
        url_path("voting.create_procedural", conference_id=world.conference.id),
        data={"title": "Adjourn?", "open_now": "y"},
    )
    poll = db.session.scalar(sa.select(Poll))
    assert poll.ballot_kind == BallotKind.SECRET and poll.quorum == "2"


def test_turnout_grows_then_chair_closes_and_publishes(world, as_user):
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world, majority_method="simple")
    for delegate, choice in zip(world.delegates, ("yes", "yes", "no"), strict=True):
        _cast(as_user(delegate), world, poll, choice)
    chair = as_user(world.chair)
    page = _text(chair.get(url_path("voting.console", conference_id=world.conference.id)))
    assert 'data-turnout="voted_weight">3<' in page and 'data-turnout="ballots">3<' in page

    answer = chair.post(
        url_path("voting.close_poll", conference_id=world.conference.id, poll_id=poll.id),
        data={"publish": "y"},
    )
    assert answer.status_code == 302
    assert "is closed: Adopted" in _flashes(chair)
    # The chair is shown the audit log's head at close (to note in the minutes).
    from resolutions import audit

    assert f"Audit log head: {audit.head_digest()}." in _flashes(chair)
    db.session.refresh(poll)
    assert poll.state == PollState.PUBLISHED and poll.outcome == PollOutcome.ADOPTED
    assert (poll.yes_weight, poll.no_weight, poll.abstain_weight) == (2, 1, 0)
    page = _text(chair.get(url_path("voting.console", conference_id=world.conference.id)))
    assert "Last result" in page and "No vote is open" in page


def test_close_without_publishing_then_publish(world, as_user):
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world)
    chair = as_user(world.chair)
    chair.post(
        url_path("voting.close_poll", conference_id=world.conference.id, poll_id=poll.id),
        data={"publish": ""},
    )
    db.session.refresh(poll)
    assert poll.state == PollState.CLOSED
    assert "Publish the result" in _text(
        chair.get(url_path("voting.console", conference_id=world.conference.id))
    )
    chair.post(
        url_path("voting.publish_poll", conference_id=world.conference.id, poll_id=poll.id), data={}
    )
    db.session.refresh(poll)
    assert poll.state == PollState.PUBLISHED


def test_cancel_needs_a_reason_and_is_recorded(world, as_user):
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world)
    chair = as_user(world.chair)
    chair.post(
        url_path("voting.cancel_poll", conference_id=world.conference.id, poll_id=poll.id),
        data={"reason": " "},
    )
    assert "Say why the poll is cancelled." in _flashes(chair)
    db.session.refresh(poll)
    assert poll.state == PollState.OPEN

    chair.post(
        url_path("voting.cancel_poll", conference_id=world.conference.id, poll_id=poll.id),
        data={"reason": "The wrong text was put to the vote."},
    )
    db.session.refresh(poll)
    assert poll.state == PollState.CANCELLED
    assert poll.cancel_reason == "The wrong text was put to the vote."
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "poll.cancelled" in actions
    page = _text(
        as_user(world.delegate).get(url_path("voting.ballot", conference_id=world.conference.id))
    )
    assert "The wrong text was put to the vote." in page


def test_second_poll_cannot_open_while_one_is_open(world, as_user):
    check_in(world.chair, *world.delegates)
    procedural_poll(world, title="First question")
    chair = as_user(world.chair)
    chair.post(
        url_path("voting.create_procedural", conference_id=world.conference.id),
        data={"title": "Second", "open_now": "y"},
    )
    assert "Another poll is open" in _flashes(chair)
    open_polls = db.session.scalars(sa.select(Poll).where(Poll.state == PollState.OPEN)).all()
    assert [p.title for p in open_polls] == ["First question"]


def test_prepared_poll_opens_from_the_console(world, as_user):
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world, opened=False, title="Prepared question")
    chair = as_user(world.chair)
    assert "Prepared question" in _text(
        chair.get(url_path("voting.console", conference_id=world.conference.id))
    )
    chair.post(
        url_path("voting.open_poll", conference_id=world.conference.id, poll_id=poll.id), data={}
    )
    db.session.refresh(poll)
    assert poll.state == PollState.OPEN and poll.entitled_weight == 4


def test_delegate_cannot_run_polls(world, as_user):
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world)
    client = as_user(world.delegate)
    assert (
        client.get(url_path("voting.console", conference_id=world.conference.id)).status_code == 403
    )
    assert (
        client.post(
            url_path("voting.close_poll", conference_id=world.conference.id, poll_id=poll.id)
        ).status_code
        == 403
    )
    db.session.refresh(poll)
    assert poll.state == PollState.OPEN


# --- attendance, roll call, proxies ----------------------------------------------------------


def test_attendance_search_check_in_and_out(world, as_user):
    secretariat = as_user(world.secretariat)
    page = _text(secretariat.get(url_path("voting.attendance", conference_id=world.conference.id)))
    assert "Delegate 1" in page and "Obs Erver" in page
    assert re.search(r'data-present="weight">0<', page)

    page = _text(secretariat.get(f"/c/{world.conference.id}/attendance?q=delegate 2"))
    assert "Delegate 2" in page and "Delegate 1" not in page

    target = world.delegates[1]
    answer = secretariat.post(
        url_path(
            "voting.set_presence", conference_id=world.conference.id, participant_id=target.id
        ),
        data={"present": "1", "q": "dele"},
    )
    assert answer.status_code == 302 and "q=dele" in answer.headers["Location"]
    db.session.refresh(target)
    assert target.present and target.checked_in_at is not None
    page = _text(secretariat.get(url_path("voting.attendance", conference_id=world.conference.id)))
    assert re.search(r'data-present="weight">1<', page)

    secretariat.post(
        url_path(
            "voting.set_presence", conference_id=world.conference.id, participant_id=target.id
        ),
        data={"present": "0"},
    )
    db.session.refresh(target)
    assert not target.present
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert actions.count("participant.checked_in") == 1
    assert actions.count("participant.checked_out") == 1


def test_check_in_of_another_conference_participant_is_404(world, other_world, as_user):
    stranger = other_world.delegate
    answer = as_user(world.chair).post(
        url_path(
            "voting.set_presence", conference_id=world.conference.id, participant_id=stranger.id
        ),
        data={"present": "1"},
    )
    assert answer.status_code == 404
    db.session.refresh(stranger)
    assert not stranger.present


def test_roll_call_lets_delegates_check_themselves_in(world, as_user):
    delegate = as_user(world.delegate)
    delegate.post(url_path("voting.self_check_in", conference_id=world.conference.id), data={})
    assert "roll call is not open" in _flashes(delegate)
    db.session.refresh(world.delegate)
    assert not world.delegate.present

    as_user(world.chair).post(
        url_path("voting.roll_call", conference_id=world.conference.id), data={"open": "1"}
    )
    assert db.session.get(Conference, world.conference.id).roll_call_open
    page = _text(delegate.get(url_path("voting.ballot", conference_id=world.conference.id)))
    assert "I am present" in page
    delegate.post(url_path("voting.self_check_in", conference_id=world.conference.id), data={})
    db.session.refresh(world.delegate)
    assert world.delegate.present

    as_user(world.secretariat).post(
        url_path("voting.roll_call", conference_id=world.conference.id), data={"open": "0"}
    )
    assert not db.session.get(Conference, world.conference.id).roll_call_open


def test_give_and_revoke_a_proxy(world, as_user):
    check_in(world.delegates[1])
    principal = as_user(world.delegate)
    page = _text(principal.get(url_path("voting.proxies", conference_id=world.conference.id)))
    assert "Delegate 2" in page and "Delegate 3" not in page  # only present delegates

    answer = principal.post(
        url_path("voting.proxies", conference_id=world.conference.id),
        data={"holder": world.delegates[1].id},
    )
    assert answer.status_code == 302
    proxy = db.session.scalar(sa.select(Proxy))
    assert (proxy.principal_id, proxy.holder_id) == (world.delegate.id, world.delegates[1].id)
    assert "You gave your vote to Delegate 2" in _text(
        principal.get(url_path("voting.proxies", conference_id=world.conference.id))
    )
    assert "Delegate 1" in _text(
        as_user(world.delegates[1]).get(
            url_path("voting.proxies", conference_id=world.conference.id)
        )
    )

    principal.post(
        url_path("voting.revoke_proxy", conference_id=world.conference.id, proxy_id=proxy.id),
        data={},
    )
    db.session.refresh(proxy)
    assert proxy.revoked_at is not None


def test_proxy_to_an_absent_delegate_is_refused_next_to_the_field(world, as_user):
    answer = as_user(world.delegate).post(
        url_path("voting.proxies", conference_id=world.conference.id),
        data={"holder": world.delegates[2].id},
    )
    assert answer.status_code == 400
    assert "is not checked in" in _text(answer)
    assert db.session.scalar(sa.select(sa.func.count(Proxy.id))) == 0


def test_someone_elses_proxy_cannot_be_revoked(world, as_user):
    check_in(world.delegates[1])
    proxy = give_proxy(world.delegate, world.delegates[1])
    answer = as_user(world.delegates[2]).post(
        url_path("voting.revoke_proxy", conference_id=world.conference.id, proxy_id=proxy.id),
        data={},
    )
    assert answer.status_code == 403
    db.session.refresh(proxy)
    assert proxy.revoked_at is None


# --- projector, results page, record ---------------------------------------------------------


def test_projector_shows_turnout_then_result_and_no_names_for_a_secret_poll(world, as_user):
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world, ballot_kind=BallotKind.SECRET, title="Secret question")
    _cast(as_user(world.delegate), world, poll, "yes")
    chair = as_user(world.chair)
    page = _text(chair.get(url_path("voting.projector", conference_id=world.conference.id)))
    assert "Secret question" in page and 'data-turnout="voted_weight">1<' in page
    chair.post(
        url_path("voting.close_poll", conference_id=world.conference.id, poll_id=poll.id),
        data={"publish": "y"},
    )
    page = _text(
        chair.get(url_path("voting.projector", conference_id=world.conference.id, theme="dark"))
    )
    assert "big-screen--dark" in page and "Adopted" in page
    for person in world.delegates:
        assert person.user.name not in page
    assert (
        as_user(world.delegate)
        .get(url_path("voting.projector", conference_id=world.conference.id))
        .status_code
        == 403
    )


def test_results_page_visibility_and_named_list(world, as_user):
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world, title="Named question")
    _cast(as_user(world.delegates[0]), world, poll, "yes")
    _cast(as_user(world.delegates[1]), world, poll, "no")
    url = url_path("voting.poll", conference_id=world.conference.id, poll_id=poll.id)

    # While open: turnout, no counts.
    page = _text(as_user(world.observer).get(url))
    assert "The counts are shown once the poll is closed." in page and "Delegate 2" not in page

    chair = as_user(world.chair)
    chair.post(
        url_path("voting.close_poll", conference_id=world.conference.id, poll_id=poll.id),
        data={"publish": ""},
    )
    # Closed, not published: chair and secretariat see it, delegates and observers wait.
    assert "How each delegate voted" in _text(chair.get(url))
    assert "How each delegate voted" in _text(as_user(world.secretariat).get(url))
    for member in (world.delegate, world.observer):
        page = _text(as_user(member).get(url))
        assert "once the chair publishes it" in page and "Delegate 2" not in page

    chair.post(
        url_path("voting.publish_poll", conference_id=world.conference.id, poll_id=poll.id), data={}
    )
    page = _text(as_user(world.observer).get(url))
    assert "How each delegate voted" in page
    assert re.search(r"Delegate 1.*?Yes", page, re.S) and re.search(r"Delegate 2.*?No", page, re.S)


def test_results_page_of_a_secret_poll_shows_counts_only(world, as_user):
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world, ballot_kind=BallotKind.SECRET)
    _cast(as_user(world.delegates[0]), world, poll, "yes")
    _cast(as_user(world.delegates[1]), world, poll, "no")
    as_user(world.chair).post(
        url_path("voting.close_poll", conference_id=world.conference.id, poll_id=poll.id),
        data={"publish": "y"},
    )
    page = _text(
        as_user(world.delegate).get(
            url_path("voting.poll", conference_id=world.conference.id, poll_id=poll.id)
        )
    )
    assert "nothing links a voter to a choice" in page
    assert "Delegate 2" not in page and "How each delegate voted" not in page


def test_results_page_of_another_conference_is_404(world, other_world, as_user):
    check_in(other_world.chair)
    foreign = procedural_poll(other_world)
    answer = as_user(world.delegate).get(
        url_path("voting.poll", conference_id=world.conference.id, poll_id=foreign.id)
    )
    assert answer.status_code == 404


def test_record_lists_every_poll_in_order_with_rules_and_counts(world, as_user):
    check_in(world.chair, *world.delegates)
    first = procedural_poll(world, title="First question", quorum="1/2")
    _cast(as_user(world.delegate), world, first, "yes")
    chair = as_user(world.chair)
    chair.post(
        url_path("voting.close_poll", conference_id=world.conference.id, poll_id=first.id),
        data={"publish": "y"},
    )
    second = procedural_poll(world, title="Second question", majority_method="two_thirds")
    chair.post(
        url_path("voting.close_poll", conference_id=world.conference.id, poll_id=second.id),
        data={"publish": ""},
    )
    third = procedural_poll(world, title="Third question")
    chair.post(
        url_path("voting.cancel_poll", conference_id=world.conference.id, poll_id=third.id),
        data={"reason": "Out of time"},
    )

    page = _text(
        as_user(world.observer).get(url_path("voting.record", conference_id=world.conference.id))
    )
    page = page[page.index("<table") :]
    assert page.index("First question") < page.index("Second question") < page.index("Third")
    start = page.index("First question")
    row = page[start : page.index("</tr>", start)]
    # Entitled 4, took part 1, yes 1, no 0, abstain 0, outcome (quorum 1/2 of 4 not reached).
    cells = dict(re.findall(r'<td class="num[^"]*" data-label="([^"]+)">([^<]*)</td>', row))
    assert cells == {"Yes": "1", "No": "0", "Abstain": "0", "Took part / Entitled": "1 / 4"}
    assert "No quorum" in row and "1/2 of the entitled weight" in row
    second_row = page[page.index("Second question") : page.index("Third question")]
    assert "Two-thirds majority" in second_row and "Closed" in second_row
    assert "Out of time" in page
    # The chair sees the closed, unpublished counts.
    page = _text(chair.get(url_path("voting.record", conference_id=world.conference.id)))
    page = page[page.index("<table") :]  # past the flash messages
    second_row = page[page.index("Second question") : page.index("Third question")]
    assert "(not published)" in second_row


def test_participants_of_other_conference_are_unaffected(world, other_world, as_user):
    """Checking in here changes nothing there (ids are not shared across conferences)."""
    as_user(world.chair).post(
        url_path(
            "voting.set_presence",
            conference_id=world.conference.id,
            participant_id=world.delegate.id,
        ),
        data={"present": "1"},
    )
    present = db.session.scalars(
        sa.select(Participant.conference_id).where(Participant.present.is_(True))
    ).all()
    assert present == [world.conference.id]


def test_ballot_page_lists_results_link_and_proxy_state(world, as_user):
    check_in(world.chair, world.delegates[1])
    give_proxy(world.delegate, world.delegates[1])
    page = _text(
        as_user(world.delegate).get(url_path("voting.ballot", conference_id=world.conference.id))
    )
    assert "You gave your vote to Delegate 2." in page
    page = _text(
        as_user(world.delegates[1]).get(
            url_path("voting.ballot", conference_id=world.conference.id)
        )
    )
    assert "You also vote for Delegate 1 (proxy)." in page


# --- amendments and the resolution from the queue ---------------------------------------------


def _admitted_amendment(world, clause_number="2", text="Urges all member organisations:"):
    from resolutions.drafting import service as drafting
    from resolutions.models import AmendmentKind
    from tests.objects.drafting import clauses_by_number, make_draft

    resolution = make_draft(world)
    clause = clauses_by_number(resolution)[clause_number]
    amendment = drafting.propose_amendment(
        resolution, world.delegate, kind=AmendmentKind.REPLACE, target=clause, text=text
    )
    drafting.submit_amendment(amendment, world.delegate)
    drafting.admit_amendment(amendment, world.secretariat)
    db.session.commit()
    return resolution, amendment


def test_queue_opens_an_amendment_vote_whose_adoption_changes_the_text(world, as_user):
    from resolutions.drafting import service as drafting
    from resolutions.models import AmendmentState, ResolutionState

    check_in(world.chair, *world.delegates)
    resolution, amendment = _admitted_amendment(world)
    chair = as_user(world.chair)
    page = _text(chair.get(url_path("voting.console", conference_id=world.conference.id)))
    queue = page[page.index('data-live-region="queue"') :]
    # The amendment first, then the resolution as a whole.
    assert queue.index("A-1") < queue.index("The resolution as a whole")

    answer = chair.post(
        url_path("voting.create_poll", conference_id=world.conference.id),
        data={"subject": "amendment", "object_id": amendment.id, "open_now": "1"},
    )
    assert answer.status_code == 302
    poll = db.session.scalar(sa.select(Poll).where(Poll.amendment_id == amendment.id))
    assert poll.state == PollState.OPEN

    # The delegate's ballot shows the exact change as a word diff.
    page = _region(
        _text(
            as_user(world.delegate).get(
                url_path("voting.ballot", conference_id=world.conference.id)
            )
        )
    )
    assert "<del>the</del>" in page and "<ins>all</ins>" in page
    # The projector shows the text as it would read if adopted, the change marked in it (once).
    page = _text(chair.get(url_path("voting.projector", conference_id=world.conference.id)))
    assert "If adopted, the text reads" in page and "<ins>all</ins>" in page
    assert page.count("<ins>all</ins>") == 1

    for delegate in world.delegates:
        _cast(as_user(delegate), world, poll, "yes")
    chair.post(
        url_path("voting.close_poll", conference_id=world.conference.id, poll_id=poll.id),
        data={"publish": "y"},
    )
    db.session.expire_all()
    assert db.session.get(type(amendment), amendment.id).state == AmendmentState.ADOPTED
    texts = [c.text for c in drafting.numbered_text(resolution)]
    assert "Urges all member organisations:" in texts

    # Then the resolution as a whole, by two-thirds.
    chair.post(
        url_path("voting.create_poll", conference_id=world.conference.id),
        data={
            "subject": "resolution",
            "object_id": resolution.id,
            "majority_method": "two_thirds",
            "open_now": "1",
        },
    )
    whole = db.session.scalar(sa.select(Poll).where(Poll.subject == "resolution"))
    assert whole.state == PollState.OPEN and whole.majority_method.value == "two_thirds"
    for delegate, choice in zip(world.delegates, ("yes", "yes", "no"), strict=True):
        _cast(as_user(delegate), world, whole, choice)
    chair.post(
        url_path("voting.close_poll", conference_id=world.conference.id, poll_id=whole.id),
        data={"publish": "y"},
    )
    db.session.expire_all()
    assert db.session.get(Poll, whole.id).outcome == PollOutcome.ADOPTED
    assert db.session.get(type(resolution), resolution.id).state == ResolutionState.ADOPTED


def test_queue_item_of_another_conference_is_404(world, other_world, as_user):
    _, foreign = _admitted_amendment(other_world)
    answer = as_user(world.chair).post(
        url_path("voting.create_poll", conference_id=world.conference.id),
        data={"subject": "amendment", "object_id": foreign.id, "open_now": "1"},
    )
    assert answer.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Poll.id))) == 0


def test_chair_puts_a_clause_to_a_separate_vote_and_the_rejected_clause_leaves(world, as_user):
    from tests.objects.drafting import clauses_by_number, make_draft

    resolution = make_draft(world)
    clause = clauses_by_number(resolution)["2"]
    db.session.commit()
    check_in(world.chair, *world.delegates)
    chair = as_user(world.chair)
    console = _text(chair.get(url_path("voting.console", conference_id=world.conference.id)))
    assert "Separate vote on a clause" in console
    assert f'<option value="{clause.id}">Operative clause 2: ' in console

    chair.post(
        url_path("voting.create_poll", conference_id=world.conference.id),
        data={"subject": "clause", "object_id": str(clause.id), "open_now": "1"},
    )
    poll = db.session.scalar(sa.select(Poll).where(Poll.clause_id == clause.id))
    assert poll is not None and poll.state == PollState.OPEN
    for delegate in world.delegates:
        _cast(as_user(delegate), world, poll, "no")
    chair.post(
        url_path("voting.close_poll", conference_id=world.conference.id, poll_id=poll.id),
        data={"publish": "y"},
    )
    db.session.refresh(poll)
    db.session.refresh(clause)
    assert poll.outcome == PollOutcome.REJECTED
    assert clause.is_deleted
    draft = _text(
        as_user(world.delegate).get(
            url_path(
                "drafting.resolution",
                conference_id=world.conference.id,
                resolution_id=resolution.id,
            )
        )
    )
    assert clause.text not in draft
