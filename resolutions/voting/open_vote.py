"""Whether a vote is waiting for a member: the banner every conference page shows.

A read of the open poll's frozen entitled list (``PollEntitlement``): the member may vote in it
when they hold at least one of its votes (their own or a principal's), and still has to when a
held vote has no "has voted" row yet. Two small queries; nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, url_for

from resolutions.extensions import db
from resolutions.models import Participant, Poll, PollEntitlement, PollState, VoteRecord
from resolutions.voting.naming import poll_label


@dataclass(frozen=True)
class OpenVote:
    poll_id: int
    label: str
    url: str
    held: int  # votes this member casts in the poll (their own and their principals')
    pending: int  # of those, not cast yet

    def as_json(self) -> dict[str, Any]:
        return {
            "poll_id": self.poll_id,
            "label": self.label,
            "url": self.url,
            "held": self.held,
            "pending": self.pending,
        }


def open_vote_for(me: Participant | None) -> OpenVote | None:
    """The open poll of ``me``'s conference in which ``me`` holds a vote, else None."""
    if me is None:
        return None
    poll = db.session.scalar(
        sa.select(Poll).where(Poll.conference_id == me.conference_id, Poll.state == PollState.OPEN)
    )
    if poll is None:
        return None
    held, cast = db.session.execute(
        sa.select(
            sa.func.count(PollEntitlement.participant_id),
            sa.func.count(VoteRecord.id),
        )
        .select_from(PollEntitlement)
        .outerjoin(
            VoteRecord,
            sa.and_(
                VoteRecord.poll_id == PollEntitlement.poll_id,
                VoteRecord.participant_id == PollEntitlement.participant_id,
            ),
        )
        .where(PollEntitlement.poll_id == poll.id, PollEntitlement.holder_id == me.id)
    ).one()
    if not held:
        return None
    return OpenVote(
        poll_id=poll.id,
        label=poll_label(poll),
        url=url_for("voting.ballot", conference_id=me.conference_id),
        held=held,
        pending=held - cast,
    )


def vote_banner(me: Participant | None) -> dict[str, Any]:
    """What the banner of a conference page needs: the open vote (or None) and where its
    script follows the live channel (``voting.js``, view ``banner``)."""
    if me is None:
        return {"vote": None, "live_url": "", "events_url": ""}
    cached: dict[str, Any] | None = g.get("vote_banner")
    if cached is not None:  # the banner and the tab's mark ask once per page
        return cached
    conference_id = me.conference_id
    banner: dict[str, Any] = {
        "vote": open_vote_for(me),
        "live_url": url_for("voting.live", conference_id=conference_id, view="banner"),
        "events_url": (
            url_for("voting.events", conference_id=conference_id, view="banner")
            if current_app.config.get("REDIS_URL")
            else ""
        ),
    }
    g.vote_banner = banner
    return banner
