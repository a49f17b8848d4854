"""What the chair's console warns about and counts: reads only, no writes.

- ``unruled_amendments``: one resolution's amendments submitted but never ruled on; they
  would lapse silently at the vote on the resolution as a whole.
- ``quorum_signal``: the weight a poll needs to be valid against the weight present (before a
  poll, with the conference's rule) or the weight voted (during one, with its frozen rule).
- ``not_voted``: who has not voted yet in an open named poll.
- ``next_in_queue``: what the chair puts to the vote next (the idle projector, the home page).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AmendmentState,
    BallotKind,
    Conference,
    Participant,
    Poll,
    PollEntitlement,
    PollState,
    Resolution,
    ResolutionState,
    User,
    VoteRecord,
)
from resolutions.voting.majority import parse_quorum


def unruled_amendments(resolution: Resolution) -> list[Amendment]:
    """The resolution's submitted amendments nobody has ruled on yet, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Amendment)
            .where(
                Amendment.resolution_id == resolution.id,
                Amendment.state == AmendmentState.SUBMITTED,
            )
            .order_by(Amendment.id)
        )
    )


@dataclass(frozen=True)
class QuorumSignal:
    """``required`` weight (exact) against ``have``: present weight before a poll, voted
    weight during one. ``kind`` is the quorum's kind ("none", "weight", "fraction")."""

    kind: str
    required: Fraction
    have: int
    during_poll: bool

    @property
    def reached(self) -> bool:
        return self.have >= self.required

    @property
    def required_whole(self) -> int:
        """The smallest whole weight that reaches the quorum."""
        return -(-self.required.numerator // self.required.denominator)


def quorum_signal(
    conference: Conference, present_weight: int, open_poll: Poll | None, voted_weight: int = 0
) -> QuorumSignal:
    """The quorum against the room: during a poll its frozen rule against the weight voted,
    otherwise the conference's rule against the weight present (entitled if a poll opened
    now)."""
    if open_poll is not None:
        quorum = parse_quorum(open_poll.quorum)
        required = quorum.weight(open_poll.entitled_weight or 0)
        return QuorumSignal(quorum.kind, required, voted_weight, during_poll=True)
    quorum = parse_quorum(conference.quorum)
    return QuorumSignal(quorum.kind, quorum.weight(present_weight), present_weight, False)


@dataclass(frozen=True)
class Absentee:
    name: str
    delegation: str
    weight: int
    holder: str  # who casts this vote (a proxy holder), "" for the voter themself


def not_voted(poll: Poll) -> list[Absentee]:
    """Entitled votes of an open named poll not cast yet, by name (one query). Empty for a
    secret poll or a poll not open."""
    if poll.state != PollState.OPEN or poll.ballot_kind != BallotKind.NAMED:
        return []
    voter = aliased(Participant)
    voter_user = aliased(User)
    holder = aliased(Participant)
    holder_user = aliased(User)
    cast = (
        sa.select(VoteRecord.id)
        .where(
            VoteRecord.poll_id == poll.id,
            VoteRecord.participant_id == PollEntitlement.participant_id,
        )
        .exists()
    )
    rows = db.session.execute(
        sa.select(
            voter_user.name,
            voter.delegation,
            PollEntitlement.weight,
            holder_user.name,
            PollEntitlement.holder_id != PollEntitlement.participant_id,
        )
        .select_from(PollEntitlement)
        .join(voter, voter.id == PollEntitlement.participant_id)
        .join(voter_user, voter_user.id == voter.user_id)
        .join(holder, holder.id == PollEntitlement.holder_id)
        .join(holder_user, holder_user.id == holder.user_id)
        .where(PollEntitlement.poll_id == poll.id, ~cast)
        .order_by(voter_user.name)
    ).all()
    return [
        Absentee(name, delegation or "", weight, holder_name if by_proxy else "")
        for name, delegation, weight, holder_name, by_proxy in rows
    ]


def next_in_queue(conference: Conference) -> Any:
    """The first item (``service.QueueItem``) of the first draft's voting queue not yet put to
    the vote, or None."""
    from resolutions.voting import service

    drafts = db.session.scalars(
        sa.select(Resolution)
        .where(
            Resolution.conference_id == conference.id,
            Resolution.state == ResolutionState.DRAFT,
        )
        .order_by(Resolution.position, Resolution.id)
    )
    for resolution in drafts:
        for item in service.voting_queue(conference, resolution):
            if item.poll is None or item.poll.state == PollState.CREATED:
                return item
    return None
