"""Who sees what before it is public: unpublished poll results and draft amendments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from resolutions.enums import AmendmentState, PollState, Role
from resolutions.rules.roles import has_role

if TYPE_CHECKING:
    from resolutions.models import Amendment, Participant

# A poll has a result once it closes; it is public once published.
_WITH_RESULT = frozenset({PollState.CLOSED, PollState.PUBLISHED})
_PUBLIC = frozenset({PollState.PUBLISHED})


def sees_unpublished(participant: Participant | None) -> bool:
    """The chair and the secretariat see results (and documents) before they are published:
    they check them before publishing. Delegates and observers see the published ones only."""
    return has_role(participant, Role.CHAIR, Role.SECRETARIAT)


def result_states(participant: Participant | None) -> frozenset[PollState]:
    """The states of the polls whose result ``participant`` may read."""
    return _WITH_RESULT if sees_unpublished(participant) else _PUBLIC


def record_states(participant: Participant | None) -> frozenset[PollState]:
    """The states of the polls listed in ``participant``'s record of votes: those whose result
    they may read and, for those who see unpublished results, the cancelled polls too (a
    cancelled poll has no result, but the record says it was cancelled)."""
    if sees_unpublished(participant):
        return result_states(participant) | {PollState.CANCELLED}
    return result_states(participant)


def can_see_result(
    poll_state: PollState, poll_conference_id: int, participant: Participant | None
) -> bool:
    """Whether ``participant`` may read the result of a poll in ``poll_state`` of the
    conference ``poll_conference_id``: members of that conference only."""
    if participant is None or participant.conference_id != poll_conference_id:
        return False
    return poll_state in result_states(participant)


def can_view_amendment(
    amendment: Amendment, conference_id: int, viewer: Participant | None
) -> bool:
    """Everyone in the conference sees a submitted amendment; a draft only its proposer and
    the delegates invited to co-sponsor it. ``conference_id`` is the amendment's conference.

    ``viewer`` None is nobody in particular (the conference's documents): it sees what every
    member sees, never a draft.
    """
    if viewer is not None and viewer.conference_id != conference_id:
        return False
    if amendment.state != AmendmentState.DRAFT:
        return True
    if viewer is None:
        return False
    return amendment.proposer_id == viewer.id or any(
        s.participant_id == viewer.id for s in amendment.sponsors
    )
