"""Reading polls: turnout, the frozen result, who may see it, and the chair's voting queue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, selectinload

from resolutions.drafting import service as drafting
from resolutions.errors import DomainError, PermissionDenied
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AmendmentState,
    BallotKind,
    Choice,
    Clause,
    Conference,
    MajorityMethod,
    Participant,
    Poll,
    PollEntitlement,
    PollOutcome,
    PollState,
    PollSubject,
    Resolution,
    ResolutionState,
    User,
    VoteRecord,
)
from resolutions.rules import visibility
from resolutions.voting.majority import Tally, threshold
from resolutions.voting.service._common import FINISHED, PENDING, _numbered
from resolutions.voting.service.secrecy import count_units


@dataclass(frozen=True)
class Turnout:
    voted_weight: int
    entitled_weight: int
    ballots: int
    entitled: int

    @property
    def share(self) -> Fraction:
        """Voted weight over entitled weight (0 when nobody is entitled)."""
        if self.entitled_weight == 0:
            return Fraction(0)
        return Fraction(self.voted_weight, self.entitled_weight)


@dataclass(frozen=True)
class NamedVote:
    participant_id: int
    name: str
    delegation: str
    choice: Choice
    weight: int
    cast_by: str | None  # the proxy holder's name when someone else cast it


@dataclass(frozen=True)
class PollResult:
    """The frozen result of a closed poll; ``votes`` lists choices for named polls only."""

    poll_id: int
    state: PollState
    ballot_kind: BallotKind
    majority_method: MajorityMethod
    quorum: str
    outcome: PollOutcome
    yes: int
    no: int
    abstain: int
    ballots_cast: int
    entitled_weight: int
    participating_weight: int
    quorum_weight: Fraction
    required: Fraction  # derived from the frozen counts, for display
    basis: str
    strict: bool
    votes: list[NamedVote]


@dataclass(frozen=True)
class QueueItem:
    """One thing for the chair to put to the vote, and its pending poll if one exists."""

    subject: PollSubject
    title: str
    resolution: Resolution
    amendment: Amendment | None = None
    clause: Clause | None = None
    poll: Poll | None = None


# --- reading ---------------------------------------------------------------------------------


def poll_now_open(conference_id: int) -> Poll | None:
    """The conference's open poll, if any."""
    return db.session.scalar(
        sa.select(Poll)
        .where(Poll.conference_id == conference_id, Poll.state == PollState.OPEN)
        .limit(1)
    )


def last_opened_poll(conference_id: int) -> Poll | None:
    """The poll the sitting is on: the open one, else the one opened last (closed, published
    or cancelled), so that pages show its outcome until the next poll opens."""
    return db.session.scalar(
        sa.select(Poll)
        .where(Poll.conference_id == conference_id, Poll.opened_at.is_not(None))
        .order_by((Poll.state == PollState.OPEN).desc(), Poll.opened_at.desc(), Poll.id.desc())
        .limit(1)
    )


def polls_of(conference: Conference, *, opened: bool = False) -> list[Poll]:
    """The conference's polls, newest first; ``opened``: only those ever opened, in the order
    they were opened (the voting record)."""
    statement = sa.select(Poll).where(Poll.conference_id == conference.id)
    if opened:
        return list(
            db.session.scalars(
                statement.where(Poll.state != PollState.CREATED).order_by(
                    sa.func.coalesce(Poll.opened_at, Poll.created_at), Poll.id
                )
            )
        )
    return list(db.session.scalars(statement.order_by(Poll.created_at.desc(), Poll.id.desc())))


@dataclass(frozen=True)
class HeldVote:
    """One vote a holder casts in a poll: their own or a principal's, with its frozen weight."""

    participant: Participant
    weight: int


def castable(poll_id: int, holder: Participant) -> list[HeldVote]:
    """The votes ``holder`` casts in the poll: their own first, then their principals' by name."""
    rows = db.session.execute(
        sa.select(PollEntitlement.weight, Participant, User)
        .join(Participant, Participant.id == PollEntitlement.participant_id)
        .join(User, User.id == Participant.user_id)
        .where(PollEntitlement.poll_id == poll_id, PollEntitlement.holder_id == holder.id)
        .order_by(Participant.id != holder.id, User.name)
    ).all()
    return [HeldVote(participant, weight) for weight, participant, _user in rows]


def participant_names(participant_ids: Sequence[int], conference_id: int) -> list[str]:
    """The names of ``participant_ids`` in their order ("" for one not in the conference: a
    message never names a participant of another conference)."""
    if not participant_ids:
        return []
    rows = db.session.execute(
        sa.select(Participant.id, User.name)
        .join(User, User.id == Participant.user_id)
        .where(Participant.id.in_(participant_ids), Participant.conference_id == conference_id)
    ).all()
    by_id = dict(rows)
    return [by_id.get(pid, "") for pid in participant_ids]


def turnout(poll: Poll) -> Turnout:
    """Weight and number of votes cast so far against the frozen entitlement (one query)."""
    entitled = (
        sa.select(sa.func.count())
        .select_from(PollEntitlement)
        .where(PollEntitlement.poll_id == poll.id)
        .scalar_subquery()
    )
    ballots, voted_weight, entitled_count = db.session.execute(
        sa.select(
            sa.func.count(VoteRecord.id),
            sa.func.coalesce(sa.func.sum(PollEntitlement.weight), 0),
            entitled,
        )
        .select_from(VoteRecord)
        .join(
            PollEntitlement,
            sa.and_(
                PollEntitlement.poll_id == VoteRecord.poll_id,
                PollEntitlement.participant_id == VoteRecord.participant_id,
            ),
        )
        .where(VoteRecord.poll_id == poll.id)
    ).one()
    return Turnout(
        voted_weight=int(voted_weight),
        entitled_weight=poll.entitled_weight or 0,
        ballots=int(ballots),
        entitled=int(entitled_count),
    )


def my_votes(poll: Poll, participant: Participant) -> dict[int, VoteRecord]:
    """The votes already recorded that ``participant`` cast or that are theirs, by whose."""
    records = db.session.scalars(
        sa.select(VoteRecord).where(
            VoteRecord.poll_id == poll.id,
            sa.or_(
                VoteRecord.cast_by_id == participant.id,
                VoteRecord.participant_id == participant.id,
            ),
        )
    )
    return {r.participant_id: r for r in records}


def can_see_result(poll: Poll, participant: Participant | None) -> bool:
    """Results exist once a poll closes: the chair and the secretariat see them then (to check
    before publishing), delegates and observers once they are published (``rules.visibility``)."""
    return visibility.can_see_result(poll.state, poll.conference_id, participant)


def poll_result(poll: Poll) -> PollResult:
    """The result frozen at close; for a named poll also each voter's choice, by name.

    Refused while the poll is prepared, open or cancelled: there is no result to show (a
    secret poll's counts are never shown before it closes).
    """
    if poll.state not in FINISHED or poll.outcome is None:
        raise DomainError(_("The result is shown once the poll is closed."))
    yes, no, abstain = poll.yes_weight or 0, poll.no_weight or 0, poll.abstain_weight or 0
    entitled = poll.entitled_weight or 0
    needed, basis, strict = threshold(poll.majority_method, Tally(yes, no, abstain, entitled))
    votes: list[NamedVote] = []
    if poll.ballot_kind == BallotKind.NAMED:
        voter = aliased(Participant)
        caster = aliased(Participant)
        rows = db.session.execute(
            sa.select(VoteRecord, voter, caster)
            .join(voter, voter.id == VoteRecord.participant_id)
            .join(caster, caster.id == VoteRecord.cast_by_id)
            .options(selectinload(voter.user), selectinload(caster.user))
            .where(VoteRecord.poll_id == poll.id)
        ).all()
        votes = sorted(
            (
                NamedVote(
                    participant_id=person.id,
                    name=person.name,
                    delegation=person.delegation,
                    choice=record.choice,
                    weight=record.weight or 0,
                    cast_by=by.name if by.id != person.id else None,
                )
                for record, person, by in rows
                if record.choice is not None  # always, in a named poll
            ),
            key=lambda v: (v.name.casefold(), v.participant_id),
        )
    return PollResult(
        poll_id=poll.id,
        state=poll.state,
        ballot_kind=poll.ballot_kind,
        majority_method=poll.majority_method,
        quorum=poll.quorum,
        outcome=poll.outcome,
        yes=yes,
        no=no,
        abstain=abstain,
        ballots_cast=poll.ballots_cast or 0,
        entitled_weight=entitled,
        participating_weight=poll.participating_weight or 0,
        quorum_weight=Fraction(poll.quorum_weight or "0"),
        required=needed,
        basis=basis,
        strict=strict,
        votes=votes,
    )


def voting_queue(conference: Conference, resolution: Resolution) -> list[QueueItem]:
    """What the chair puts to the vote, in order: the resolution's admitted amendments in
    drafting's voting order, then the resolution as a whole (while it is a draft), each with
    its prepared or open poll if there is one."""
    if resolution.conference_id != conference.id:
        raise PermissionDenied(_("This resolution belongs to another conference."))
    pending = db.session.scalars(
        sa.select(Poll).where(
            Poll.conference_id == conference.id,
            Poll.resolution_id == resolution.id,
            Poll.state.in_(PENDING),
        )
    ).all()
    by_amendment = {p.amendment_id: p for p in pending if p.subject == PollSubject.AMENDMENT}
    on_resolution = next((p for p in pending if p.subject == PollSubject.RESOLUTION), None)
    numbered = _numbered(resolution)
    items = [
        QueueItem(
            subject=PollSubject.AMENDMENT,
            title=drafting.amendment_label(amendment, numbered),
            resolution=resolution,
            amendment=amendment,
            poll=by_amendment.get(amendment.id),
        )
        for amendment in drafting.voting_queue(resolution)
        if amendment.state == AmendmentState.ADMITTED
    ]
    if resolution.state == ResolutionState.DRAFT:
        items.append(
            QueueItem(
                subject=PollSubject.RESOLUTION,
                title=_("The resolution as a whole: %(title)s", title=resolution.title),
                resolution=resolution,
                poll=on_resolution,
            )
        )
    return items


def _count(poll: Poll) -> tuple[dict[Choice, int], int, int] | None:
    """({choice: weight}, ballots cast, weight of those who voted) from the stored rows; None
    for a secret poll whose ballot box a database crash emptied (the poll is void)."""
    if poll.ballot_kind == BallotKind.SECRET:
        units = count_units(poll.id)
        if units is None:
            return None
        weights = units
    else:
        rows = db.session.execute(
            sa.select(VoteRecord.choice, sa.func.sum(VoteRecord.weight))
            .where(VoteRecord.poll_id == poll.id)
            .group_by(VoteRecord.choice)
        ).all()
        weights = {choice: 0 for choice in Choice}
        for choice, weight in rows:
            if choice is not None:  # always, in a named poll
                weights[choice] += int(weight or 0)
    counted = turnout(poll)
    return weights, counted.ballots, counted.voted_weight
