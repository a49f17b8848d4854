"""Polls through the voting service: prepare, open (frozen entitlement), cast, close (frozen
result, applied to the text), cancel, publish, results, queue. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from fractions import Fraction

import pytest
import sqlalchemy as sa

from resolutions.drafting import service as drafting
from resolutions.errors import DomainError, PermissionDenied
from resolutions.extensions import db as _db
from resolutions.models import (
    AmendmentKind,
    AmendmentState,
    AuditEntry,
    BallotChoice,
    BallotKind,
    Choice,
    MajorityMethod,
    Poll,
    PollOutcome,
    PollState,
    PollSubject,
    ResolutionState,
    VoteRecord,
)
from resolutions.voting import service
from tests.objects.drafting import clauses_by_number, make_draft
from tests.objects.voting import (
    check_in,
    give_proxy,
    lose_units,
    procedural_poll,
    secret_units,
    set_weights,
    unit_keys,
)
from tests.objects.world import make_conference

YES, NO, ABSTAIN = Choice.YES, Choice.NO, Choice.ABSTAIN
RECEIPT = re.compile(r"^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$")


def audit_actions(prefix: str = "") -> list[str]:
    actions = _db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id))
    return [a for a in actions if a.startswith(prefix)]


@pytest.fixture
def sitting(db):
    """A conference of six delegates and a chair, weights 1..3, all present."""
    world = make_conference("Sitting", delegates=6)
    d = world.delegates
    set_weights({world.chair: 1, d[0]: 3, d[1]: 2, d[2]: 2, d[3]: 1, d[4]: 1, d[5]: 1})
    check_in(world.chair, *d)
    return world


def admitted_amendment(world, resolution, number: str = "2", text: str = "Urges everyone:"):
    clause = clauses_by_number(resolution)[number]
    amendment = drafting.propose_amendment(
        resolution, world.delegate, kind=AmendmentKind.REPLACE, target=clause, text=text
    )
    drafting.submit_amendment(amendment, world.delegate)
    drafting.admit_amendment(amendment, world.secretariat)
    _db.session.commit()
    return amendment


# --- preparing ------------------------------------------------------------------------------


def test_a_poll_takes_the_conferences_rules_unless_overridden(db, world):
    world.conference.majority_method = MajorityMethod.TWO_THIRDS
    world.conference.quorum = "1/2"
    world.conference.ballot_kind = BallotKind.SECRET
    db.session.commit()
    poll = service.create_poll(
        world.conference, world.chair, subject=PollSubject.PROCEDURAL, title="Close the debate?"
    )
    assert (poll.state, poll.majority_method, poll.quorum, poll.ballot_kind) == (
        PollState.CREATED,
        MajorityMethod.TWO_THIRDS,
        "1/2",
        BallotKind.SECRET,
    )
    other = service.create_poll(
        world.conference,
        world.chair,
        subject=PollSubject.PROCEDURAL,
        title="Adjourn?",
        ballot_kind=BallotKind.NAMED,
        majority_method=MajorityMethod.ABSOLUTE,
        quorum="50%",
        allow_change=True,
    )
    assert (other.ballot_kind, other.majority_method, other.quorum, other.allow_change) == (
        BallotKind.NAMED,
        MajorityMethod.ABSOLUTE,
        "1/2",
        True,
    )
    assert audit_actions("poll.") == ["poll.created", "poll.created"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": ""}, "Enter the question"),
        ({"title": "x" * 301}, "too long"),
        ({"title": "Q?", "quorum": "half"}, "Write the quorum as"),
        ({"title": "Q?", "quorum": "3/2"}, "more than the whole"),
        (
            {"title": "Q?", "ballot_kind": BallotKind.SECRET, "allow_change": True},
            "secret ballot cannot be changed",
        ),
    ],
)
def test_bad_poll_settings_are_refused_with_a_message(db, world, kwargs, message):
    with pytest.raises(DomainError, match=message):
        service.create_poll(world.conference, world.chair, subject=PollSubject.PROCEDURAL, **kwargs)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Poll.id))) == 0


def test_only_the_chair_runs_polls(db, world, other_world):
    for actor in (world.delegate, world.secretariat, world.observer, other_world.chair):
        with pytest.raises(PermissionDenied):
            service.create_poll(world.conference, actor, subject=PollSubject.PROCEDURAL, title="Q?")
    check_in(world.chair)
    poll = procedural_poll(world, opened=False)
    for action in (service.open_poll, service.publish_poll, service.close_poll):
        with pytest.raises(PermissionDenied):
            action(poll, world.delegate)
    with pytest.raises(PermissionDenied):
        service.cancel_poll(poll, world.secretariat, "no")


def test_subjects_must_belong_to_the_conference_and_be_admitted(db, world, other_world):
    resolution = make_draft(world)
    foreign = make_draft(other_world)
    db.session.commit()
    with pytest.raises(DomainError, match="resolution of this conference"):
        service.create_poll(
            world.conference, world.chair, subject=PollSubject.RESOLUTION, resolution=foreign
        )
    clause = clauses_by_number(resolution)["2"]
    amendment = drafting.propose_amendment(
        resolution, world.delegate, kind=AmendmentKind.DELETE, target=clause
    )
    drafting.submit_amendment(amendment, world.delegate)
    db.session.commit()
    with pytest.raises(DomainError, match="Only an admitted amendment"):
        service.create_poll(
            world.conference, world.chair, subject=PollSubject.AMENDMENT, amendment=amendment
        )
    drafting.admit_amendment(amendment, world.secretariat)
    poll = service.create_poll(
        world.conference, world.chair, subject=PollSubject.AMENDMENT, amendment=amendment
    )
    assert poll.resolution_id == resolution.id
    assert poll.title.startswith("A-1: delete operative clause 2")
    with pytest.raises(DomainError, match="already prepared or open"):
        service.create_poll(
            world.conference, world.chair, subject=PollSubject.AMENDMENT, amendment=amendment
        )


def test_a_closed_conference_holds_no_polls(db, world):
    from resolutions.models import ConferenceState

    world.conference.state = ConferenceState.CLOSED
    db.session.commit()
    with pytest.raises(DomainError, match="conference is closed"):
        service.create_poll(
            world.conference, world.chair, subject=PollSubject.PROCEDURAL, title="Q?"
        )


# --- opening -----------------------------------------------------------------------------------


def test_opening_freezes_who_may_vote_and_with_what_weight(db, world):
    d1, d2, d3 = world.delegates
    set_weights({world.chair: 1, d1: 3, d2: 2, d3: 4})
    check_in(world.chair, d1, world.observer)  # the observer has no voting right
    give_proxy(d3, d1)  # d3 is absent; d1 will cast their vote
    poll = procedural_poll(world)
    rows = {e.participant_id: (e.holder_id, e.weight) for e in poll.entitlements}
    assert rows == {world.chair.id: (world.chair.id, 1), d1.id: (d1.id, 3), d3.id: (d1.id, 4)}
    assert poll.entitled_weight == 8
    assert poll.opened_at is not None
    assert poll.subject_text == "The chair proposes a break of one hour."
    # Later arrivals change nothing for this poll.
    check_in(d2)
    db.session.expire_all()
    assert {e.participant_id for e in poll.entitlements} == {world.chair.id, d1.id, d3.id}
    assert poll.entitled_weight == 8
    opened = json.loads(
        db.session.scalar(sa.select(AuditEntry.details).where(AuditEntry.action == "poll.opened"))
    )
    assert opened["entitled_weight"] == 8


def test_a_present_principal_with_a_live_proxy_is_voted_for_by_the_holder(db, world):
    d1, d2, _ = world.delegates
    check_in(d1, d2)
    give_proxy(d2, d1)
    poll = procedural_poll(world)
    rows = {e.participant_id: e.holder_id for e in poll.entitlements}
    assert rows == {d1.id: d1.id, d2.id: d1.id}


def test_one_open_poll_at_a_time(db, world):
    check_in(world.chair)
    first = procedural_poll(world)
    second = procedural_poll(world, opened=False, title="Another question?")
    with pytest.raises(DomainError, match="Another poll is open"):
        service.open_poll(second, world.chair)
    db.session.rollback()
    with pytest.raises(DomainError, match="Only a prepared poll"):
        service.open_poll(first, world.chair)


def test_the_database_refuses_a_second_open_poll(db, world):
    check_in(world.chair)
    procedural_poll(world)
    second = procedural_poll(world, opened=False, title="Another question?")
    second.state = PollState.OPEN  # as if the Python check had been skipped
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_poll_needs_someone_present_to_open(db, world):
    poll = procedural_poll(world, opened=False)
    with pytest.raises(DomainError, match="Nobody with a voting right is checked in"):
        service.open_poll(poll, world.chair)


# --- casting ----------------------------------------------------------------------------------


def test_a_named_ballot_records_who_chose_what(db, sitting):
    poll = procedural_poll(sitting)
    d1 = sitting.delegates[0]
    receipt = service.cast_ballot(poll.id, d1, YES, idempotency_key="k1")
    assert RECEIPT.match(receipt.receipt)
    assert receipt.recorded == [d1.id] and not receipt.already_recorded
    record = db.session.scalar(sa.select(VoteRecord))
    assert (record.participant_id, record.cast_by_id, record.choice, record.weight) == (
        d1.id,
        d1.id,
        YES,
        3,
    )
    assert record.receipt == receipt.receipt
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BallotChoice)) == 0


def test_a_secret_ballot_keeps_the_choice_apart_in_unit_rows(db, sitting):
    poll = procedural_poll(sitting, ballot_kind=BallotKind.SECRET)
    d1 = sitting.delegates[0]  # weight 3
    service.cast_ballot(poll.id, d1, NO)
    record = db.session.scalar(sa.select(VoteRecord))
    assert (record.choice, record.weight) == (None, None)
    assert secret_units(poll.id) == {YES: 0, NO: 3, ABSTAIN: 0}
    keys = unit_keys(poll.id)
    assert len(set(keys)) == 3 and all(re.fullmatch(r"[0-9a-f]{32}", k) for k in keys)


def test_the_same_form_again_is_the_same_ballot(db, sitting):
    poll = procedural_poll(sitting, ballot_kind=BallotKind.SECRET)
    d1 = sitting.delegates[0]
    first = service.cast_ballot(poll.id, d1, YES, idempotency_key="form-1")
    again = service.cast_ballot(poll.id, d1, YES, idempotency_key="form-1")
    assert again.already_recorded and again.receipt == first.receipt
    assert service.turnout(poll).ballots == 1
    assert sum(secret_units(poll.id).values()) == 3


def test_a_second_secret_ballot_from_another_form_is_refused(db, sitting):
    poll = procedural_poll(sitting, ballot_kind=BallotKind.SECRET)
    d1 = sitting.delegates[0]
    service.cast_ballot(poll.id, d1, YES, idempotency_key="tab-1")
    for choice in (YES, NO):
        with pytest.raises(DomainError, match="already recorded .* the first ballot stands") as e:
            service.cast_ballot(poll.id, d1, choice, idempotency_key="tab-2")
        assert "yes" not in e.value.message.lower().replace("yes,", "")
    assert sum(secret_units(poll.id).values()) == 3


def test_named_same_choice_is_already_recorded_a_different_one_refused(db, sitting):
    poll = procedural_poll(sitting)
    d1 = sitting.delegates[0]
    first = service.cast_ballot(poll.id, d1, YES, idempotency_key="tab-1")
    same = service.cast_ballot(poll.id, d1, YES, idempotency_key="tab-2")
    assert same.already_recorded and same.receipt == first.receipt
    with pytest.raises(DomainError, match="different ballot is already recorded"):
        service.cast_ballot(poll.id, d1, NO, idempotency_key="tab-3")
    assert db.session.scalar(sa.select(VoteRecord.choice)) == YES


def test_a_named_poll_may_allow_changing_the_ballot(db, sitting):
    poll = procedural_poll(sitting, allow_change=True)
    d1 = sitting.delegates[0]
    first = service.cast_ballot(poll.id, d1, YES, idempotency_key="a")
    changed = service.cast_ballot(poll.id, d1, NO, idempotency_key="b")
    assert not changed.already_recorded and changed.receipt != first.receipt
    assert db.session.scalar(sa.select(VoteRecord.choice)) == NO
    assert service.turnout(poll).ballots == 1


def test_a_holder_casts_for_their_principals_together_or_separately(db, world):
    d1, d2, d3 = world.delegates
    world.conference.proxy_limit = 2
    set_weights({d1: 1, d2: 2, d3: 5})
    check_in(d1)
    give_proxy(d2, d1)
    give_proxy(d3, d1)
    poll = procedural_poll(world)
    assert [v.participant.id for v in service.castable(poll.id, d1)] == [d1.id, d2.id, d3.id]
    together = service.cast_ballot(poll.id, d1, YES, for_participant_ids=[d1.id, d2.id])
    assert sorted(together.recorded) == sorted([d1.id, d2.id])
    alone = service.cast_ballot(poll.id, d1, NO, for_participant_ids=[d3.id])
    assert alone.recorded == [d3.id]
    records = {r.participant_id: r for r in db.session.scalars(sa.select(VoteRecord))}
    assert {k: (r.choice, r.weight, r.cast_by_id) for k, r in records.items()} == {
        d1.id: (YES, 1, d1.id),
        d2.id: (YES, 2, d1.id),
        d3.id: (NO, 5, d1.id),
    }
    assert records[d1.id].receipt == records[d2.id].receipt != records[d3.id].receipt
    assert set(service.my_votes(poll, d1)) == {d1.id, d2.id, d3.id}
    assert set(service.my_votes(poll, d2)) == {d2.id}
    assert service.turnout(poll) == service.Turnout(8, 8, 3, 3)


def test_refusals_record_nothing(db, world, other_world):
    d1, d2, d3 = world.delegates
    check_in(world.chair, d1, d2)
    give_proxy(d2, d1)
    poll = procedural_poll(world)
    cases = [
        (d3, None, "not entitled"),  # absent when it opened
        (world.observer, None, "not entitled"),  # no voting right
        (d2, None, "holds your proxy"),  # gave their vote away
        (world.chair, [d2.id], "no proxy for"),  # someone else's principal
        (world.chair, [world.chair.id, d2.id], "no proxy for"),  # all or nothing
        (d1, [d3.id], "no proxy for"),  # no proxy at all
        (other_world.delegate, None, "another conference|not belong"),
    ]
    for caster, ids, message in cases:
        with pytest.raises(PermissionDenied, match=message):
            service.cast_ballot(poll.id, caster, YES, for_participant_ids=ids)
    with pytest.raises(DomainError, match="Choose yes, no or abstain"):
        service.cast_ballot(poll.id, d1, "maybe")
    assert service.turnout(poll).ballots == 0


def test_no_ballot_before_opening_or_after_closing(db, sitting):
    poll = procedural_poll(sitting, opened=False)
    d1 = sitting.delegates[0]
    with pytest.raises(DomainError, match="not open yet"):
        service.cast_ballot(poll.id, d1, YES)
    service.open_poll(poll, sitting.chair)
    db.session.commit()
    service.close_poll(poll, sitting.chair)
    db.session.commit()
    with pytest.raises(DomainError, match="closed: ballots are no longer accepted"):
        service.cast_ballot(poll.id, d1, YES)
    assert db.session.scalar(sa.select(sa.func.count(VoteRecord.id))) == 0


def test_casting_is_not_audited(db, sitting):
    poll = procedural_poll(sitting, ballot_kind=BallotKind.SECRET)
    service.cast_ballot(poll.id, sitting.delegates[0], YES)
    assert not [a for a in audit_actions() if "cast" in a or "ballot" in a]


# --- closing -----------------------------------------------------------------------------------


def vote(poll, sitting, choices: list[Choice | None]) -> None:
    for participant, choice in zip(sitting.delegates, choices, strict=False):
        if choice is not None:
            service.cast_ballot(poll.id, participant, choice)


@pytest.mark.parametrize("kind", [BallotKind.NAMED, BallotKind.SECRET])
def test_closing_freezes_the_weighted_result(db, sitting, kind):
    # Weights 3, 2, 2, 1, 1, 1 (+ chair 1 who does not vote): entitled 11.
    poll = procedural_poll(sitting, ballot_kind=kind, majority_method=MajorityMethod.TWO_THIRDS)
    vote(poll, sitting, [YES, NO, YES, YES, ABSTAIN, None])
    service.close_poll(poll, sitting.chair)
    db.session.commit()
    assert (poll.yes_weight, poll.no_weight, poll.abstain_weight) == (6, 2, 1)
    assert (poll.ballots_cast, poll.participating_weight, poll.entitled_weight) == (5, 9, 11)
    assert poll.quorum_weight == "0"
    assert poll.outcome == PollOutcome.ADOPTED  # 6 >= 2/3 of 8
    assert poll.state == PollState.CLOSED and poll.closed_at is not None
    details = json.loads(
        db.session.scalar(sa.select(AuditEntry.details).where(AuditEntry.action == "poll.closed"))
    )
    assert details["outcome"] == "adopted" and details["yes_weight"] == 6
    result = service.poll_result(poll)
    assert (result.yes, result.no, result.abstain, result.outcome) == (6, 2, 1, PollOutcome.ADOPTED)
    assert result.required == Fraction(16, 3) and result.basis == "yes+no"
    if kind == BallotKind.SECRET:
        assert result.votes == []
        # The tally is still checkable against the rows.
        assert db.session.scalar(sa.select(sa.func.sum(BallotChoice.weight))) == 9
    else:
        assert [(v.name, v.choice, v.weight) for v in result.votes] == [
            ("Delegate 1", YES, 3),
            ("Delegate 2", NO, 2),
            ("Delegate 3", YES, 2),
            ("Delegate 4", YES, 1),
            ("Delegate 5", ABSTAIN, 1),
        ]


def test_the_frozen_result_is_never_recomputed(db, sitting):
    poll = procedural_poll(sitting, majority_method=MajorityMethod.SIMPLE)
    vote(poll, sitting, [YES, NO])
    service.close_poll(poll, sitting.chair)
    db.session.commit()
    # Rows changing afterwards (here by hand) do not move the published numbers.
    db.session.execute(sa.update(VoteRecord).values(choice=NO))
    db.session.commit()
    service.publish_poll(poll, sitting.chair)
    db.session.commit()
    result = service.poll_result(poll)
    assert (result.yes, result.no, result.outcome) == (3, 2, PollOutcome.ADOPTED)


def test_quorum_failure_adopts_nothing(db, sitting):
    poll = procedural_poll(sitting, quorum="1/2")  # entitled 11: 5.5 must take part
    vote(poll, sitting, [None, YES, YES, YES])  # 2 + 2 + 1 = 5
    service.close_poll(poll, sitting.chair)
    db.session.commit()
    assert poll.outcome == PollOutcome.NO_QUORUM
    assert poll.quorum_weight == "11/2"
    assert service.poll_result(poll).quorum_weight == Fraction(11, 2)


def test_closing_with_nobody_voting(db, sitting):
    poll = procedural_poll(sitting, ballot_kind=BallotKind.SECRET)
    service.close_poll(poll, sitting.chair)
    db.session.commit()
    assert (poll.yes_weight, poll.no_weight, poll.abstain_weight, poll.ballots_cast) == (
        0,
        0,
        0,
        0,
    )
    assert poll.outcome == PollOutcome.REJECTED


def test_closing_twice_or_a_prepared_poll_is_refused(db, sitting):
    poll = procedural_poll(sitting, opened=False)
    with pytest.raises(DomainError, match="Only an open poll"):
        service.close_poll(poll, sitting.chair)
    service.open_poll(poll, sitting.chair)
    service.close_poll(poll, sitting.chair)
    db.session.commit()
    with pytest.raises(DomainError, match="Only an open poll"):
        service.close_poll(poll, sitting.chair)


def test_closing_a_secret_poll_rewrites_its_choice_rows(db, sitting):
    poll = procedural_poll(sitting, ballot_kind=BallotKind.SECRET)
    vote(poll, sitting, [YES, NO, ABSTAIN])
    before = set(unit_keys(poll.id))
    service.close_poll(poll, sitting.chair)
    db.session.commit()
    after = db.session.execute(sa.select(BallotChoice.id, BallotChoice.choice)).all()
    assert before.isdisjoint({key for key, _ in after})
    assert sorted(c for _, c in after) == sorted([YES] * 3 + [NO] * 2 + [ABSTAIN] * 2)


def test_a_mismatch_between_voters_and_choices_stops_the_close(db, sitting):
    poll = procedural_poll(sitting, ballot_kind=BallotKind.SECRET)
    vote(poll, sitting, [YES, NO])
    lose_units(poll.id, 2)
    with pytest.raises(DomainError, match="do not add up"):
        service.close_poll(poll, sitting.chair)
    db.session.rollback()
    assert db.session.get(Poll, poll.id).state == PollState.OPEN


# --- cancel, publish, results ----------------------------------------------------------------


def test_cancelling_needs_a_reason_and_discards_secret_choices(db, sitting):
    poll = procedural_poll(sitting, ballot_kind=BallotKind.SECRET)
    vote(poll, sitting, [YES, NO])
    with pytest.raises(DomainError, match="Say why"):
        service.cancel_poll(poll, sitting.chair, "  ")
    service.cancel_poll(poll, sitting.chair, "The wrong text was put to the vote.")
    db.session.commit()
    assert poll.state == PollState.CANCELLED
    assert poll.cancel_reason == "The wrong text was put to the vote."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BallotChoice)) == 0
    assert unit_keys(poll.id) == []  # the ballot box went with the cancel
    assert service.turnout(poll).ballots == 2  # who took part stays on record
    with pytest.raises(DomainError, match="closed: ballots are no longer accepted"):
        service.cast_ballot(poll.id, sitting.delegates[2], YES)
    with pytest.raises(DomainError, match="once the poll is closed"):
        service.poll_result(poll)
    with pytest.raises(DomainError, match="Only a prepared or open poll"):
        service.cancel_poll(poll, sitting.chair, "again")
    assert "poll.cancelled" in audit_actions()


def test_publishing_only_a_closed_poll(db, sitting):
    poll = procedural_poll(sitting)
    with pytest.raises(DomainError, match="Only a closed poll"):
        service.publish_poll(poll, sitting.chair)
    service.close_poll(poll, sitting.chair)
    service.publish_poll(poll, sitting.chair)
    service.publish_poll(poll, sitting.chair)  # twice: still published, one entry
    db.session.commit()
    assert poll.state == PollState.PUBLISHED and poll.published_at is not None
    assert audit_actions("poll.published") == ["poll.published"]


def test_results_are_hidden_until_close_and_from_the_floor_until_published(db, sitting):
    poll = procedural_poll(sitting, ballot_kind=BallotKind.SECRET)
    vote(poll, sitting, [YES])
    with pytest.raises(DomainError, match="once the poll is closed"):
        service.poll_result(poll)
    members = (sitting.chair, sitting.delegate, sitting.secretariat, sitting.observer)
    assert not any(service.can_see_result(poll, p) for p in members)
    service.close_poll(poll, sitting.chair)
    db.session.commit()
    assert [service.can_see_result(poll, p) for p in members] == [True, False, True, False]
    service.publish_poll(poll, sitting.chair)
    assert all(service.can_see_result(poll, p) for p in members)
    stranger = make_conference("Elsewhere").delegate
    assert not service.can_see_result(poll, stranger)


def test_named_results_show_who_cast_a_proxy_vote(db, world):
    d1, d2, _ = world.delegates
    check_in(d1)
    give_proxy(d2, d1)
    poll = procedural_poll(world)
    service.cast_ballot(poll.id, d1, NO, for_participant_ids=[d1.id, d2.id])
    service.close_poll(poll, world.chair)
    db.session.commit()
    votes = service.poll_result(poll).votes
    assert [(v.name, v.choice, v.cast_by) for v in votes] == [
        ("Delegate 1", NO, None),
        ("Delegate 2", NO, "Delegate 1"),
    ]


def test_turnout_is_one_query(db, sitting):
    poll = procedural_poll(sitting)
    vote(poll, sitting, [YES, NO])
    db.session.refresh(poll)  # the live channel holds a loaded poll
    statements: list[str] = []
    engine = db.engine

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        turnout = service.turnout(poll)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert turnout == service.Turnout(voted_weight=5, entitled_weight=11, ballots=2, entitled=7)
    assert len(statements) == 1
    assert turnout.share == Fraction(5, 11)


# --- the text follows the vote -----------------------------------------------------------------


def test_an_adopted_amendment_is_applied_and_its_rivals_made_obsolete(db, sitting):
    resolution = make_draft(sitting)
    db.session.commit()
    replace = admitted_amendment(sitting, resolution, "2", "Urges every member organisation:")
    clause = clauses_by_number(resolution)["2"]
    delete = drafting.propose_amendment(
        resolution, sitting.delegates[1], kind=AmendmentKind.DELETE, target=clause
    )
    drafting.submit_amendment(delete, sitting.delegates[1])
    drafting.admit_amendment(delete, sitting.secretariat)
    db.session.commit()
    poll = service.create_poll(
        sitting.conference, sitting.chair, subject=PollSubject.AMENDMENT, amendment=replace
    )
    service.open_poll(poll, sitting.chair)
    db.session.commit()
    assert poll.subject_text == "Urges every member organisation:"
    vote(poll, sitting, [YES, YES])
    service.close_poll(poll, sitting.chair)
    db.session.commit()
    assert replace.state == AmendmentState.ADOPTED
    assert clauses_by_number(resolution)["2"].text == "Urges every member organisation:"
    assert delete.state == AmendmentState.OBSOLETE


def test_a_rejected_or_inquorate_amendment_is_rejected(db, sitting):
    resolution = make_draft(sitting)
    db.session.commit()
    for quorum, choices in (("0", [NO]), ("1/1", [YES])):
        amendment = admitted_amendment(sitting, resolution, "1", f"Calls upon all ({quorum}).")
        poll = service.create_poll(
            sitting.conference,
            sitting.chair,
            subject=PollSubject.AMENDMENT,
            amendment=amendment,
            quorum=quorum,
        )
        service.open_poll(poll, sitting.chair)
        db.session.commit()
        vote(poll, sitting, choices)
        service.close_poll(poll, sitting.chair)
        db.session.commit()
        assert amendment.state == AmendmentState.REJECTED
    assert clauses_by_number(resolution)["1"].text.startswith("Calls upon all governments")


def test_the_resolution_as_a_whole(db, sitting):
    resolution = make_draft(sitting)
    db.session.commit()
    # No quorum: nothing decided, the resolution stays a draft.
    poll = service.create_poll(
        sitting.conference,
        sitting.chair,
        subject=PollSubject.RESOLUTION,
        resolution=resolution,
        quorum="1/1",
        majority_method=MajorityMethod.TWO_THIRDS,
    )
    service.open_poll(poll, sitting.chair)
    db.session.commit()
    assert poll.title == "The resolution as a whole: On the freedom of association"
    assert poll.subject_text.startswith("Recalling the founding declaration")
    assert "\n\n1. Calls upon all governments" in poll.subject_text
    vote(poll, sitting, [YES])
    service.close_poll(poll, sitting.chair)
    db.session.commit()
    assert (poll.outcome, resolution.state) == (PollOutcome.NO_QUORUM, ResolutionState.DRAFT)
    # Two-thirds: 3 + 2 yes against 2 no.
    again = service.create_poll(
        sitting.conference,
        sitting.chair,
        subject=PollSubject.RESOLUTION,
        resolution=resolution,
        majority_method=MajorityMethod.TWO_THIRDS,
    )
    service.open_poll(again, sitting.chair)
    db.session.commit()
    vote(again, sitting, [YES, YES, NO])
    service.close_poll(again, sitting.chair)
    db.session.commit()
    assert (again.outcome, resolution.state) == (PollOutcome.ADOPTED, ResolutionState.ADOPTED)
    with pytest.raises(DomainError, match="already been decided"):
        service.create_poll(
            sitting.conference,
            sitting.chair,
            subject=PollSubject.RESOLUTION,
            resolution=resolution,
        )


def test_the_queue_lists_admitted_amendments_then_the_resolution(db, sitting):
    resolution = make_draft(sitting)
    db.session.commit()
    second = admitted_amendment(sitting, resolution, "3", "Requests a report every year;")
    first = admitted_amendment(sitting, resolution, "1", "Calls upon every government;")
    queue = service.voting_queue(sitting.conference, resolution)
    assert [(i.subject, i.amendment) for i in queue] == [
        (PollSubject.AMENDMENT, first),
        (PollSubject.AMENDMENT, second),
        (PollSubject.RESOLUTION, None),
    ]
    assert queue[0].title == "A-2: replace operative clause 1"
    assert queue[0].poll is None
    poll = service.create_poll(
        sitting.conference, sitting.chair, subject=PollSubject.AMENDMENT, amendment=first
    )
    db.session.commit()
    assert service.voting_queue(sitting.conference, resolution)[0].poll == poll
    other = make_conference("Elsewhere")
    with pytest.raises(PermissionDenied):
        service.voting_queue(other.conference, resolution)


def _clause_poll(sitting, number: str):
    resolution = make_draft(sitting)
    db_clause = clauses_by_number(resolution)[number]
    _db.session.commit()
    poll = service.create_poll(
        sitting.conference, sitting.chair, subject=PollSubject.CLAUSE, clause=db_clause
    )
    service.open_poll(poll, sitting.chair)
    _db.session.commit()
    return resolution, db_clause, poll


def test_a_clause_rejected_in_a_separate_vote_leaves_the_text(db, sitting):
    resolution, clause, poll = _clause_poll(sitting, "3")
    assert poll.title == "Clause 3"
    assert poll.subject_text == clause.text
    text_before = [c.text for c in drafting.numbered_text(resolution)]
    vote(poll, sitting, [NO])
    service.close_poll(poll, sitting.chair)
    db.session.commit()
    assert poll.outcome == PollOutcome.REJECTED
    assert clause.is_deleted
    after = drafting.numbered_text(resolution)
    assert [c.text for c in after] == [t for t in text_before if t != clause.text]
    # The clause that followed is now number 3: numbers follow positions.
    operative = [c for c in after if c.depth == 0 and c.label]
    assert [c.label for c in operative] == [f"{i}." for i in range(1, len(operative) + 1)]
    assert clause.versions[-1].reason == "vote"
    assert "clause.rejected_by_vote" in audit_actions("clause.")


def test_a_clause_kept_or_without_quorum_stays_in_the_text(db, sitting):
    resolution, clause, poll = _clause_poll(sitting, "2")
    vote(poll, sitting, [YES])
    service.close_poll(poll, sitting.chair)
    db.session.commit()
    assert poll.outcome == PollOutcome.ADOPTED and not clause.is_deleted

    poll = service.create_poll(
        sitting.conference, sitting.chair, subject=PollSubject.CLAUSE, clause=clause, quorum="1/2"
    )
    service.open_poll(poll, sitting.chair)
    db.session.commit()
    vote(poll, sitting, [None, NO])  # weight 2 of 11: below the quorum
    service.close_poll(poll, sitting.chair)
    db.session.commit()
    assert poll.outcome == PollOutcome.NO_QUORUM and not clause.is_deleted


def test_poll_now_open(db, sitting):
    assert service.poll_now_open(sitting.conference.id) is None
    poll = procedural_poll(sitting)
    assert service.poll_now_open(sitting.conference.id) == poll
