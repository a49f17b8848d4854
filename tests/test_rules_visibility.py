"""Who sees what before it is public (resolutions.rules.visibility): pure, no database."""

from __future__ import annotations

import itertools

import pytest

from resolutions.models import (
    Amendment,
    AmendmentSponsor,
    AmendmentState,
    Participant,
    PollState,
    Role,
)
from resolutions.rules import visibility
from resolutions.rules.roles import has_role

CONF, OTHER = 1, 2


def member(role: Role, *, conference_id: int = CONF, id: int = 10) -> Participant:
    return Participant(id=id, conference_id=conference_id, role=role)


def test_roles_include_what_they_imply():
    assert has_role(member(Role.CHAIR), Role.DELEGATE)
    assert not has_role(member(Role.DELEGATE), Role.CHAIR)
    assert not has_role(member(Role.SECRETARIAT), Role.DELEGATE)
    assert not has_role(None, *Role)


RESULT = {
    # state: (chair/secretariat, delegate/observer)
    PollState.CREATED: (False, False),
    PollState.OPEN: (False, False),
    PollState.CLOSED: (True, False),
    PollState.PUBLISHED: (True, True),
    PollState.CANCELLED: (False, False),
}


@pytest.mark.parametrize(("state", "role"), list(itertools.product(PollState, Role)))
def test_results_are_seen_by_the_chair_and_secretariat_before_publication(state, role):
    insider = role in (Role.CHAIR, Role.SECRETARIAT)
    expected = RESULT[state][0 if insider else 1]
    assert visibility.can_see_result(state, CONF, member(role)) is expected
    assert visibility.sees_unpublished(member(role)) is insider


@pytest.mark.parametrize("role", list(Role))
def test_nobody_outside_the_conference_sees_a_result(role):
    assert not visibility.can_see_result(
        PollState.PUBLISHED, CONF, member(role, conference_id=OTHER)
    )
    assert not visibility.can_see_result(PollState.PUBLISHED, CONF, None)


@pytest.mark.parametrize("role", list(Role))
def test_the_record_lists_cancelled_polls_only_to_those_who_see_unpublished_results(role):
    me = member(role)
    states = visibility.record_states(me)
    assert visibility.result_states(me) <= states
    assert (PollState.CANCELLED in states) is visibility.sees_unpublished(me)
    assert PollState.OPEN not in states and PollState.CREATED not in states


def amendment(state: AmendmentState, *, proposer: int = 10, sponsors=()) -> Amendment:
    return Amendment(
        state=state,
        proposer_id=proposer,
        sponsors=[AmendmentSponsor(participant_id=s) for s in sponsors],
    )


@pytest.mark.parametrize("role", list(Role))
def test_a_draft_is_seen_by_its_proposer_and_invited_sponsors_only(role):
    draft = amendment(AmendmentState.DRAFT, proposer=10, sponsors=[11])
    assert visibility.can_view_amendment(draft, CONF, member(role, id=10))
    assert visibility.can_view_amendment(draft, CONF, member(role, id=11))
    assert not visibility.can_view_amendment(draft, CONF, member(role, id=12))
    assert not visibility.can_view_amendment(draft, CONF, None)  # the documents
    assert not visibility.can_view_amendment(draft, CONF, member(role, id=10, conference_id=OTHER))


@pytest.mark.parametrize("state", [s for s in AmendmentState if s != AmendmentState.DRAFT])
def test_a_submitted_amendment_is_seen_in_its_conference_and_in_its_documents(state):
    submitted = amendment(state)
    assert visibility.can_view_amendment(submitted, CONF, member(Role.OBSERVER, id=99))
    assert visibility.can_view_amendment(submitted, CONF, None)
    assert not visibility.can_view_amendment(
        submitted, CONF, member(Role.SECRETARIAT, conference_id=OTHER)
    )
