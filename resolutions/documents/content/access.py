"""Who may have what: the resolution's PDF, the polls in the record, the documents on offer to
a member; and the secretariat's access cards.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from resolutions.documents import cards as access_cards
from resolutions.documents.render import PdfFile, created_stamp, render_pdf
from resolutions.extensions import db
from resolutions.models import (
    Conference,
    Participant,
    Poll,
    PollSubject,
    Resolution,
    ResolutionState,
    Role,
    utcnow,
)
from resolutions.rules import visibility
from resolutions.rules.roles import has_role

# --- who may have what ----------------------------------------------------------------------


def may_get_resolution(resolution: Resolution, me: Participant) -> bool:
    """The resolution as a document: once adopted for all, before that (marked DRAFT) for the
    secretariat and the chair."""
    return resolution.state == ResolutionState.ADOPTED or visibility.sees_unpublished(me)


def visible_polls(conference: Conference, me: Participant) -> list[Poll]:
    """The polls whose results ``me`` may read, in the order they were held.

    Published polls for everyone; closed and cancelled ones too for the secretariat and the
    chair. Prepared and open polls have no result yet and are not part of any record.
    """
    states = visibility.record_states(me)
    return list(
        db.session.scalars(
            sa.select(Poll)
            .where(Poll.conference_id == conference.id, Poll.state.in_(sorted(states)))
            .order_by(Poll.opened_at.is_(None), Poll.opened_at, Poll.created_at, Poll.id)
        )
    )


def deciding_poll(resolution: Resolution, me: Participant) -> Poll | None:
    """The last poll on the resolution as a whole that ``me`` may see and that has a result."""
    candidates = [
        poll
        for poll in visible_polls(resolution.conference, me)
        if poll.subject == PollSubject.RESOLUTION
        and poll.resolution_id == resolution.id
        and poll.outcome is not None
    ]
    return candidates[-1] if candidates else None


@dataclass(frozen=True)
class ResolutionOffer:
    resolution: Resolution
    resolution_pdf: bool
    adopted: bool
    has_figures: bool


@dataclass(frozen=True)
class DocumentsOffer:
    """What the documents page offers to one member."""

    resolutions: list[ResolutionOffer]
    polls_in_record: int
    unpublished_included: bool
    cards: bool
    participants: int = 0


def documents_on_offer(conference: Conference, me: Participant) -> DocumentsOffer:
    """Which downloads ``me`` may get, as DESIGN.md's table of roles says."""
    polls = visible_polls(conference, me)
    decided = {
        poll.resolution_id
        for poll in polls
        if poll.subject == PollSubject.RESOLUTION and poll.outcome is not None
    }
    offers = [
        ResolutionOffer(
            resolution=resolution,
            resolution_pdf=may_get_resolution(resolution, me),
            adopted=resolution.state == ResolutionState.ADOPTED,
            has_figures=resolution.id in decided,
        )
        for resolution in conference.resolutions
    ]
    cards = has_role(me, Role.SECRETARIAT)
    participants = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Participant)
            .where(Participant.conference_id == conference.id)
        )
        if cards
        else 0
    )
    return DocumentsOffer(
        resolutions=offers,
        polls_in_record=len(polls),
        unpublished_included=visibility.sees_unpublished(me),
        cards=cards,
        participants=participants or 0,
    )


# --- access cards -------------------------------------------------------------------------------


def cards_pdf(conference: Conference, *, language: str) -> PdfFile:
    """Every participant's access card, ten to a sheet, with cut marks."""
    cards = access_cards.access_cards(conference)
    return PdfFile(
        render_pdf(
            "documents/cards.html",
            language,
            conference=conference,
            sheets=access_cards.sheets(cards),
            created=created_stamp(utcnow()),
        ),
        f"access-cards-{conference.id}.pdf",
    )
