"""The conference home as a dashboard: what is happening for this member, by role.

Reads only. A delegate sees the open vote waiting for them, their amendment drafts, the
invitations to co-sponsor they have not answered and the amendment deadline; the chair what
comes next in the queue and the weight present; the secretariat the amendments waiting for a
ruling, the participants who have no access yet (no password set) and the clauses of each
draft without a current translation into the second language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AmendmentSponsor,
    AmendmentState,
    Conference,
    Participant,
    Resolution,
    ResolutionState,
    Role,
    SponsorStatus,
    User,
)
from resolutions.rules.roles import has_role


@dataclass
class Dashboard:
    open_vote: Any = None  # voting.open_vote.OpenVote
    my_drafts: list[Amendment] = field(default_factory=list)
    invitations: list[Amendment] = field(default_factory=list)
    deadline: datetime | None = None
    next_item: Any = None  # voting.service.QueueItem
    present_weight: tuple[int, int] | None = None
    awaiting_ruling: list[Amendment] = field(default_factory=list)
    without_access: int | None = None
    # Draft resolutions with how many clauses lack a current second-language text.
    translation_gaps: list[tuple[Resolution, int]] = field(default_factory=list)
    labels: dict[int, str] = field(default_factory=dict)  # amendment id: its name


def dashboard(conference: Conference, me: Participant) -> Dashboard:
    from resolutions.drafting import service as drafting
    from resolutions.voting import attendance, sitting
    from resolutions.voting.open_vote import open_vote_for

    board = Dashboard(deadline=conference.amendment_deadline)
    if has_role(me, Role.DELEGATE):
        board.open_vote = open_vote_for(me)
        board.my_drafts = list(
            db.session.scalars(
                sa.select(Amendment)
                .where(Amendment.proposer_id == me.id, Amendment.state == AmendmentState.DRAFT)
                .order_by(Amendment.id)
            )
        )
        board.invitations = list(
            db.session.scalars(
                sa.select(Amendment)
                .join(AmendmentSponsor, AmendmentSponsor.amendment_id == Amendment.id)
                .where(
                    AmendmentSponsor.participant_id == me.id,
                    AmendmentSponsor.status == SponsorStatus.INVITED,
                    Amendment.state.in_([AmendmentState.DRAFT, AmendmentState.SUBMITTED]),
                )
                .order_by(Amendment.id)
            )
        )
    if has_role(me, Role.CHAIR):
        board.next_item = sitting.next_in_queue(conference)
        board.present_weight = attendance.present_weight(conference)
    if has_role(me, Role.SECRETARIAT):
        drafts = list(
            db.session.scalars(
                sa.select(Resolution).where(
                    Resolution.conference_id == conference.id,
                    Resolution.state == ResolutionState.DRAFT,
                )
            )
        )
        board.awaiting_ruling = [a for r in drafts for a in sitting.unruled_amendments(r)]
        board.translation_gaps = [
            (r, len(drafting.translation_gaps(drafting.numbered_text(r)))) for r in drafts
        ]
        board.without_access = db.session.scalar(
            sa.select(sa.func.count(Participant.id))
            .join(User, User.id == Participant.user_id)
            .where(Participant.conference_id == conference.id, User.password_hash.is_(None))
        )
    board.labels = _labels([*board.my_drafts, *board.invitations, *board.awaiting_ruling])
    return board


def _labels(amendments: list[Amendment]) -> dict[int, str]:
    from resolutions.drafting import service as drafting

    numbered: dict[int, dict[int | None, Any]] = {}
    labels = {}
    for amendment in amendments:
        if amendment.resolution_id not in numbered:
            text = drafting.numbered_text(amendment.resolution)
            numbered[amendment.resolution_id] = {c.clause_id: c for c in text}
        labels[amendment.id] = drafting.amendment_label(
            amendment, numbered[amendment.resolution_id]
        )
    return labels
