"""Amendments: proposing, the state machine with its roles, co-sponsors, the deadline, audit."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from resolutions.drafting import service
from resolutions.errors import DomainError, PermissionDenied, StaleError
from resolutions.models import (
    Amendment,
    AmendmentKind,
    AmendmentState,
    AuditEntry,
    BallotKind,
    ClauseKind,
    MajorityMethod,
    Poll,
    PollState,
    PollSubject,
    SponsorStatus,
    utcnow,
)
from tests.objects.drafting import clauses_by_number

S = AmendmentState
REPLACE, DELETE, INSERT = AmendmentKind.REPLACE, AmendmentKind.DELETE, AmendmentKind.INSERT


def replace(world, resolution, *, by=None, clause="2", text="Urges everyone:") -> Amendment:
    return service.propose_amendment(
        resolution,
        by or world.delegate,
        kind=REPLACE,
        target=clauses_by_number(resolution)[clause],
        text=text,
        justification="Because.",
    )


def audit_actions(db, amendment: Amendment) -> list[str]:
    return [e.action for e in service.amendment_history(amendment)]


_serial = itertools.count(1)


def amendment_in(world, resolution, state: AmendmentState) -> Amendment:
    """An amendment by world.delegate brought into ``state`` through the service."""
    # Each on a clause of its own, so that one adoption does not disturb the next call.
    target = service.add_clause(
        resolution, world.secretariat, kind=ClauseKind.OPERATIVE, text="Requests."
    )
    amendment = service.propose_amendment(
        resolution,
        world.delegate,
        kind=REPLACE,
        target=target,
        text=f"Requests ({next(_serial)}).",
    )
    if state == S.DRAFT:
        return amendment
    service.submit_amendment(amendment, world.delegate)
    if state == S.SUBMITTED:
        return amendment
    if state == S.OUT_OF_ORDER:
        service.rule_out_of_order(amendment, world.secretariat, "Not germane.")
        return amendment
    if state == S.WITHDRAWN:
        service.withdraw_amendment(amendment, world.delegate)
        return amendment
    service.admit_amendment(amendment, world.secretariat)
    if state == S.ADMITTED:
        return amendment
    if state == S.ADOPTED:
        service.adopt_by_consent(amendment, world.chair)
    elif state == S.REJECTED:
        service.reject_amendment(amendment, world.chair)
    elif state == S.OBSOLETE:
        other = service.propose_amendment(
            resolution, world.delegates[1], kind=DELETE, target=target
        )
        service.submit_amendment(other, world.delegates[1])
        service.admit_amendment(other, world.secretariat)
        service.adopt_by_consent(other, world.chair)
    assert amendment.state == state
    return amendment


# --- proposing --------------------------------------------------------------------------------


def test_delegate_drafts_a_replace_written_against_the_current_version(db, world, draft):
    target = clauses_by_number(draft)["2"]
    service.edit_clause(target, world.secretariat, "Urges the members:", expected_version=1)
    amendment = replace(world, draft)
    db.session.commit()
    assert amendment.state == S.DRAFT
    assert amendment.number is None
    assert (amendment.target_clause_id, amendment.target_version) == (target.id, 2)
    assert amendment.proposer_id == world.delegate.id
    assert amendment.justification == "Because."
    assert audit_actions(db, amendment) == ["amendment.drafted"]


def test_the_chair_may_propose_as_a_delegate(db, world, draft):
    assert replace(world, draft, by=world.chair).state == S.DRAFT


@pytest.mark.parametrize("role", ["secretariat", "observer"])
def test_secretariat_and_observers_do_not_propose(db, world, draft, role):
    with pytest.raises(PermissionDenied):
        replace(world, draft, by=world.member(role))


def test_a_delegate_of_another_conference_cannot_propose(db, world, other_world, draft):
    with pytest.raises(PermissionDenied):
        replace(world, draft, by=other_world.delegate)


@pytest.mark.parametrize(
    ("kwargs", "message", "field"),
    [
        ({"kind": REPLACE, "text": "x"}, "Choose the clause", "target"),
        ({"kind": REPLACE, "target": "2", "text": ""}, "Enter the text", "text"),
        ({"kind": REPLACE, "target": "2", "text": "x" * 50_000}, "too long", "text"),
        (
            {"kind": REPLACE, "target": "2", "text": " Urges the member organisations: "},
            "same as the current text",
            "text",
        ),
        ({"kind": DELETE}, "Choose the clause", "target"),
        ({"kind": INSERT, "text": "x"}, "Choose where", "position"),
        ({"kind": INSERT, "text": "", "new_clause_kind": ClauseKind.OPERATIVE}, "Enter", "text"),
        ({"kind": INSERT, "text": "x", "target": "2"}, "does not replace", "target"),
        ({"kind": INSERT, "text": "x", "parent": "P1"}, "Only operative", "position"),
        (
            {"kind": INSERT, "text": "x", "new_clause_kind": ClauseKind.OPERATIVE, "after": "P1"},
            "same kind and level",
            "position",
        ),
        (
            {"kind": INSERT, "text": "x", "parent": "2", "after": "3"},
            "same kind and level",
            "position",
        ),
    ],
)
def test_propose_checks_the_shape(db, world, draft, kwargs, message, field):
    by = clauses_by_number(draft)
    kwargs = dict(kwargs)  # the parameters are shared by the SQLite and PostgreSQL runs
    for key in ("target", "parent", "after"):
        if key in kwargs:
            kwargs[key] = by[kwargs[key]]
    with pytest.raises(DomainError, match=message) as error:
        service.propose_amendment(draft, world.delegate, **kwargs)
    assert error.value.field == field
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Amendment.id))) == 0


def test_propose_on_a_deleted_clause_is_stale(db, world, draft):
    target = clauses_by_number(draft)["2"]
    service.delete_clause(target, world.secretariat)
    with pytest.raises(StaleError, match="deleted"):
        service.propose_amendment(draft, world.delegate, kind=DELETE, target=target)


def test_propose_and_update_refuse_a_text_written_against_an_older_version(db, world, draft):
    target = clauses_by_number(draft)["2"]
    service.edit_clause(target, world.secretariat, "Urges all members:", expected_version=1)
    with pytest.raises(StaleError, match="now at version 2") as error:
        service.propose_amendment(
            draft, world.delegate, kind=DELETE, target=target, expected_version=1
        )
    assert error.value.field == "expected_version"
    amendment = service.propose_amendment(
        draft, world.delegate, kind=DELETE, target=target, expected_version=2
    )
    assert amendment.target_version == 2
    service.edit_clause(target, world.secretariat, "Urges everyone:", expected_version=2)
    with pytest.raises(StaleError, match="now at version 3"):
        service.update_amendment(
            amendment, world.delegate, text="", justification="Why.", expected_version=2
        )
    assert amendment.target_version == 2
    service.update_amendment(
        amendment, world.delegate, text="", justification="Why.", expected_version=3
    )
    assert amendment.target_version == 3


def test_propose_inserts_at_every_kind_of_place(db, world, draft):
    by = clauses_by_number(draft)
    first_pre = service.propose_amendment(
        draft, world.delegate, kind=INSERT, text="Mindful,", new_clause_kind=ClauseKind.PREAMBULAR
    )
    sub = service.propose_amendment(draft, world.delegate, kind=INSERT, text="(c)", parent=by["2"])
    after = service.propose_amendment(
        draft,
        world.delegate,
        kind=INSERT,
        text="new",
        new_clause_kind=ClauseKind.OPERATIVE,
        after=by["1"],
    )
    assert (first_pre.new_clause_kind, first_pre.after_clause_id) == (ClauseKind.PREAMBULAR, None)
    assert (sub.new_clause_kind, sub.parent_clause_id) == (ClauseKind.OPERATIVE, by["2"].id)
    assert after.after_clause_id == by["1"].id
    assert after.target_clause_id is None and after.target_version is None


def test_deadline_refuses_proposing_and_submitting_with_a_clear_message(db, world, draft):
    amendment = replace(world, draft)
    world.conference.amendment_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(DomainError, match="deadline for amendments passed on"):
        service.submit_amendment(amendment, world.delegate)
    with pytest.raises(DomainError, match="deadline"):
        replace(world, draft, clause="3")
    db.session.rollback()
    assert amendment.state == S.DRAFT
    assert "submit" not in service.allowed_actions(amendment, world.delegate)


def test_before_the_deadline_submitting_works(db, world, draft):
    world.conference.amendment_deadline = utcnow() + timedelta(hours=1)
    amendment = replace(world, draft)
    service.submit_amendment(amendment, world.delegate)
    assert amendment.state == S.SUBMITTED


# --- drafts -----------------------------------------------------------------------------------


def test_update_changes_a_draft_and_rewrites_it_against_the_current_version(db, world, draft):
    amendment = replace(world, draft)
    target = clauses_by_number(draft)["2"]
    service.edit_clause(target, world.secretariat, "Urges members:", expected_version=1)
    service.update_amendment(amendment, world.delegate, text="Urges all:", justification="  J  ")
    assert (amendment.text, amendment.justification, amendment.target_version) == (
        "Urges all:",
        "J",
        2,
    )
    assert audit_actions(db, amendment) == ["amendment.drafted", "amendment.updated"]


def test_update_moves_an_insert(db, world, draft):
    by = clauses_by_number(draft)
    amendment = service.propose_amendment(
        draft, world.delegate, kind=INSERT, text="x", new_clause_kind=ClauseKind.OPERATIVE
    )
    service.update_amendment(
        amendment, world.delegate, text="y", justification="", parent=by["2"], after=by["2(a)"]
    )
    assert (amendment.parent_clause_id, amendment.after_clause_id) == (by["2"].id, by["2(a)"].id)


def test_only_the_proposer_updates_and_only_a_draft(db, world, draft):
    amendment = replace(world, draft)
    with pytest.raises(PermissionDenied):
        service.update_amendment(amendment, world.delegates[1], text="x", justification="")
    service.submit_amendment(amendment, world.delegate)
    with pytest.raises(DomainError, match="Only a draft can be edited"):
        service.update_amendment(amendment, world.delegate, text="x", justification="")


def test_discard_deletes_a_draft_only(db, world, draft):
    amendment = replace(world, draft)
    with pytest.raises(PermissionDenied):
        service.discard_amendment(amendment, world.delegates[1])
    amendment_id = amendment.id
    service.discard_amendment(amendment, world.delegate)
    db.session.commit()
    assert db.session.get(Amendment, amendment_id) is None
    assert (
        db.session.scalar(
            sa.select(AuditEntry.action)
            .where(AuditEntry.object_id == amendment_id)
            .order_by(AuditEntry.id.desc())
        )
        == "amendment.discarded"
    )
    submitted = amendment_in(world, draft, S.SUBMITTED)
    with pytest.raises(DomainError, match="Only a draft can be discarded"):
        service.discard_amendment(submitted, world.delegate)


def test_drafts_are_seen_by_their_proposer_and_invitees_only(db, world, draft):
    amendment = replace(world, draft)
    service.invite_sponsor(amendment, world.delegate, world.delegates[1])
    assert service.can_view_amendment(amendment, world.delegate)
    assert service.can_view_amendment(amendment, world.delegates[1])
    for other in (world.delegates[2], world.chair, world.secretariat, world.observer):
        assert not service.can_view_amendment(amendment, other)
    service.submit_amendment(amendment, world.delegate)
    assert service.can_view_amendment(amendment, world.observer)


def test_amendments_of_another_conference_are_not_visible(db, world, other_world, draft):
    amendment = amendment_in(world, draft, S.SUBMITTED)
    assert not service.can_view_amendment(amendment, other_world.secretariat)


# --- submitting and numbering -----------------------------------------------------------------


def test_numbers_follow_the_order_of_submission(db, world, draft):
    first = replace(world, draft, clause="1", text="a")
    second = replace(world, draft, clause="2", text="b", by=world.delegates[1])
    third = replace(world, draft, clause="3", text="c")
    service.submit_amendment(second, world.delegates[1])
    service.submit_amendment(third, world.delegate)
    service.submit_amendment(first, world.delegate)
    db.session.commit()
    assert (second.number, third.number, first.number) == (1, 2, 3)
    assert service.amendment_name(second) == "A-1"
    assert second.submitted_at is not None
    entry = service.amendment_history(second)[-1]
    assert (entry.action, json.loads(entry.details)) == ("amendment.submitted", {"number": "A-1"})


def test_only_the_proposer_submits(db, world, draft):
    amendment = replace(world, draft)
    for other in (world.delegates[1], world.chair, world.secretariat):
        with pytest.raises(PermissionDenied):
            service.submit_amendment(amendment, other)


def test_submitting_an_amendment_to_a_clause_deleted_since_is_stale(db, world, draft):
    amendment = replace(world, draft)
    service.delete_clause(clauses_by_number(draft)["2"], world.secretariat)
    with pytest.raises(StaleError, match="has been deleted"):
        service.submit_amendment(amendment, world.delegate)
    assert amendment.state == S.DRAFT


# --- the state machine ------------------------------------------------------------------------

TRANSITIONS = {
    "submit": lambda w, a: service.submit_amendment(a, w.delegate),
    "admit": lambda w, a: service.admit_amendment(a, w.secretariat),
    "rule_out_of_order": lambda w, a: service.rule_out_of_order(a, w.secretariat, "Reason."),
    "withdraw": lambda w, a: service.withdraw_amendment(a, w.delegate),
    "adopt_by_consent": lambda w, a: service.adopt_by_consent(a, w.chair),
    "adopt": lambda w, a: service.adopt_amendment(a, w.chair, poll_id=None),
    "reject": lambda w, a: service.reject_amendment(a, w.chair),
}
ALLOWED = {
    S.DRAFT: {"submit"},
    S.SUBMITTED: {"admit", "rule_out_of_order", "withdraw"},
    S.ADMITTED: {"withdraw", "adopt_by_consent", "adopt", "reject"},
    S.OUT_OF_ORDER: set(),
    S.ADOPTED: set(),
    S.REJECTED: set(),
    S.WITHDRAWN: set(),
    S.OBSOLETE: set(),
}
RESULT = {
    "submit": S.SUBMITTED,
    "admit": S.ADMITTED,
    "rule_out_of_order": S.OUT_OF_ORDER,
    "withdraw": S.WITHDRAWN,
    "adopt_by_consent": S.ADOPTED,
    "adopt": S.ADOPTED,
    "reject": S.REJECTED,
}


@pytest.mark.parametrize("state", list(S))
def test_every_transition_from_every_state(db, world, draft, state):
    """Each transition is allowed exactly from the states DESIGN.md names, and audited."""
    for name, transition in TRANSITIONS.items():
        amendment = amendment_in(world, draft, state)
        db.session.commit()
        entries = len(service.amendment_history(amendment))
        if name in ALLOWED[state]:
            transition(world, amendment)
            db.session.commit()
            assert amendment.state == RESULT[name], name
            assert len(service.amendment_history(amendment)) > entries, name
        else:
            with pytest.raises(DomainError) as error:
                transition(world, amendment)
            assert not isinstance(error.value, PermissionDenied), name
            db.session.rollback()
            assert amendment.state == state, name
            assert len(service.amendment_history(amendment)) == entries, name


@pytest.mark.parametrize(
    ("transition", "state", "who"),
    [
        ("admit", S.SUBMITTED, ["chair", "delegate", "observer"]),
        ("rule_out_of_order", S.SUBMITTED, ["chair", "delegate", "observer"]),
        ("withdraw", S.SUBMITTED, ["chair", "secretariat", "observer", "delegate2"]),
        ("adopt_by_consent", S.ADMITTED, ["secretariat", "delegate", "observer"]),
        ("submit", S.DRAFT, ["chair", "secretariat", "delegate2"]),
    ],
)
def test_transitions_by_the_wrong_role_are_refused(db, world, draft, transition, state, who):
    amendment = amendment_in(world, draft, state)
    db.session.commit()
    calls = {
        "admit": service.admit_amendment,
        "withdraw": service.withdraw_amendment,
        "adopt_by_consent": service.adopt_by_consent,
        "submit": service.submit_amendment,
        "rule_out_of_order": lambda a, p: service.rule_out_of_order(a, p, "Reason."),
    }
    for role in who:
        actor = world.delegates[1] if role == "delegate2" else world.member(role)
        with pytest.raises(PermissionDenied):
            calls[transition](amendment, actor)
        assert amendment.state == state


def test_out_of_order_needs_a_reason_and_keeps_it(db, world, draft):
    amendment = amendment_in(world, draft, S.SUBMITTED)
    with pytest.raises(DomainError, match="Give the reason") as error:
        service.rule_out_of_order(amendment, world.secretariat, "   ")
    assert error.value.field == "reason"
    assert amendment.state == S.SUBMITTED
    service.rule_out_of_order(amendment, world.secretariat, "Not germane to the clause.")
    assert (amendment.state, amendment.state_reason) == (
        S.OUT_OF_ORDER,
        "Not germane to the clause.",
    )
    assert amendment.decided_at is not None
    entry = service.amendment_history(amendment)[-1]
    assert json.loads(entry.details)["reason"] == "Not germane to the clause."


def _poll(db, world, amendment, state):
    poll = Poll(
        conference_id=world.conference.id,
        resolution_id=amendment.resolution_id,
        subject=PollSubject.AMENDMENT,
        amendment_id=amendment.id,
        title="Vote",
        ballot_kind=BallotKind.NAMED,
        majority_method=MajorityMethod.SIMPLE,
        state=state,
        opened_at=utcnow() if state != PollState.CREATED else None,
    )
    db.session.add(poll)
    db.session.commit()
    return poll


@pytest.mark.parametrize("poll_state", [PollState.OPEN, PollState.CLOSED, PollState.PUBLISHED])
def test_withdrawal_is_refused_once_a_poll_has_opened(db, world, draft, poll_state):
    amendment = amendment_in(world, draft, S.ADMITTED)
    _poll(db, world, amendment, poll_state)
    assert "withdraw" not in service.allowed_actions(amendment, world.delegate)
    with pytest.raises(DomainError, match="poll on this amendment has opened"):
        service.withdraw_amendment(amendment, world.delegate)
    assert amendment.state == S.ADMITTED


@pytest.mark.parametrize("poll_state", [PollState.CREATED, PollState.CANCELLED])
def test_withdrawal_is_allowed_while_the_poll_has_not_opened(db, world, draft, poll_state):
    amendment = amendment_in(world, draft, S.ADMITTED)
    _poll(db, world, amendment, poll_state)
    service.withdraw_amendment(amendment, world.delegate)
    assert amendment.state == S.WITHDRAWN


def test_adopt_by_consent_is_refused_while_a_poll_on_it_is_open(db, world, draft):
    amendment = amendment_in(world, draft, S.ADMITTED)
    _poll(db, world, amendment, PollState.OPEN)
    assert "adopt_by_consent" not in service.allowed_actions(amendment, world.chair)
    with pytest.raises(DomainError, match="poll on this amendment is open"):
        service.adopt_by_consent(amendment, world.chair)


def test_a_full_flow_is_in_the_audit_log_in_order(db, world, draft):
    amendment = replace(world, draft)
    service.invite_sponsor(amendment, world.delegate, world.delegates[1])
    service.respond_to_sponsorship(amendment, world.delegates[1], True)
    service.submit_amendment(amendment, world.delegate)
    service.admit_amendment(amendment, world.secretariat)
    service.adopt_by_consent(amendment, world.chair)
    db.session.commit()
    history = service.amendment_history(amendment)
    assert [e.action for e in history] == [
        "amendment.drafted",
        "amendment.sponsor_invited",
        "amendment.sponsor_confirmed",
        "amendment.submitted",
        "amendment.admitted",
        "amendment.adopted",
    ]
    assert [e.actor_id for e in history] == [
        world.delegate.user.id,
        world.delegate.user.id,
        world.delegates[1].user.id,
        world.delegate.user.id,
        world.secretariat.user.id,
        world.chair.user.id,
    ]
    assert json.loads(history[-1].details)["by_consent"] is True
    from resolutions.audit import verify_chain

    assert verify_chain().ok


# --- allowed actions --------------------------------------------------------------------------


def test_allowed_actions_by_role_and_state(db, world, draft):
    amendment = replace(world, draft)
    service.invite_sponsor(amendment, world.delegate, world.delegates[1])
    assert service.allowed_actions(amendment, world.delegate) == {
        "edit",
        "discard",
        "submit",
        "invite",
    }
    assert service.allowed_actions(amendment, world.delegates[1]) == {"respond"}
    assert service.allowed_actions(amendment, world.secretariat) == frozenset()
    service.submit_amendment(amendment, world.delegate)
    assert service.allowed_actions(amendment, world.delegate) == {"withdraw", "invite"}
    assert service.allowed_actions(amendment, world.secretariat) == {"admit", "rule_out_of_order"}
    assert service.allowed_actions(amendment, world.chair) == frozenset()
    assert service.allowed_actions(amendment, world.observer) == frozenset()
    service.admit_amendment(amendment, world.secretariat)
    assert service.allowed_actions(amendment, world.chair) == {"adopt_by_consent"}
    assert service.allowed_actions(amendment, world.secretariat) == frozenset()
    service.adopt_by_consent(amendment, world.chair)
    for member in (world.delegate, world.delegates[1], world.chair, world.secretariat):
        assert service.allowed_actions(amendment, member) == frozenset()


# --- co-sponsors ------------------------------------------------------------------------------


def test_co_sponsors_confirm_or_decline(db, world, draft):
    amendment = amendment_in(world, draft, S.SUBMITTED)
    first, second = world.delegates[1], world.delegates[2]
    service.invite_sponsor(amendment, world.delegate, first)
    service.invite_sponsor(amendment, world.delegate, second)
    service.invite_sponsor(amendment, world.delegate, world.chair)
    service.respond_to_sponsorship(amendment, first, True)
    service.respond_to_sponsorship(amendment, second, False)
    db.session.commit()
    status = {s.participant_id: s.status for s in amendment.sponsors}
    assert status == {
        first.id: SponsorStatus.CONFIRMED,
        second.id: SponsorStatus.DECLINED,
        world.chair.id: SponsorStatus.INVITED,
    }
    view = service.amendment_view(amendment, world.delegate)
    assert [p.id for p in view.confirmed_sponsors] == [first.id]
    # Who may still be asked: the one who declined, not those invited or confirmed.
    assert [p.id for p in service.sponsor_candidates(amendment)] == [second.id]
    service.invite_sponsor(amendment, world.delegate, second)
    assert {s.participant_id: s.status for s in amendment.sponsors}[second.id] == (
        SponsorStatus.INVITED
    )


def test_sponsor_invitation_refusals(db, world, other_world, draft):
    amendment = amendment_in(world, draft, S.SUBMITTED)
    invite = service.invite_sponsor
    with pytest.raises(PermissionDenied):
        invite(amendment, world.delegates[1], world.delegates[2])
    with pytest.raises(DomainError, match="cannot co-sponsor their own"):
        invite(amendment, world.delegate, world.delegate)
    for nobody in (world.observer, world.secretariat, other_world.delegate, None):
        with pytest.raises(DomainError, match="Choose a delegate of this conference"):
            invite(amendment, world.delegate, nobody)
    invite(amendment, world.delegate, world.delegates[1])
    with pytest.raises(DomainError, match="already been invited"):
        invite(amendment, world.delegate, world.delegates[1])
    service.respond_to_sponsorship(amendment, world.delegates[1], True)
    with pytest.raises(DomainError, match="already co-sponsors"):
        invite(amendment, world.delegate, world.delegates[1])


def test_sponsorship_answers_are_checked(db, world, draft):
    amendment = amendment_in(world, draft, S.SUBMITTED)
    with pytest.raises(PermissionDenied, match="not been invited"):
        service.respond_to_sponsorship(amendment, world.delegates[1], True)
    service.invite_sponsor(amendment, world.delegate, world.delegates[1])
    service.respond_to_sponsorship(amendment, world.delegates[1], True)
    with pytest.raises(DomainError, match="already answered"):
        service.respond_to_sponsorship(amendment, world.delegates[1], False)


def test_no_sponsorship_changes_once_decided(db, world, draft):
    amendment = amendment_in(world, draft, S.SUBMITTED)
    service.invite_sponsor(amendment, world.delegate, world.delegates[1])
    service.rule_out_of_order(amendment, world.secretariat, "Late.")
    with pytest.raises(DomainError, match="can no longer be invited"):
        service.invite_sponsor(amendment, world.delegate, world.delegates[2])
    with pytest.raises(DomainError, match="invitation has lapsed"):
        service.respond_to_sponsorship(amendment, world.delegates[1], True)
