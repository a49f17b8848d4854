"""What every part of the voting service shares: the finished and pending states, the chair's
check, the poll lock, and the labels of what is voted on."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask_babel import gettext as _

from resolutions.drafting import service as drafting
from resolutions.drafting.text import NumberedClause
from resolutions.errors import DomainError, PermissionDenied
from resolutions.extensions import db
from resolutions.models import (
    Clause,
    Conference,
    Participant,
    Poll,
    PollState,
    Resolution,
    Role,
)
from resolutions.rules.roles import has_role

log = logging.getLogger(__name__)

FINISHED = (PollState.CLOSED, PollState.PUBLISHED)
PENDING = (PollState.CREATED, PollState.OPEN)


def _require_chair(conference_id: int, actor: Participant) -> None:
    if actor.conference_id != conference_id or not has_role(actor, Role.CHAIR):
        raise PermissionDenied(_("Only the chair may run the polls."))


def _require_not_closed(conference: Conference) -> None:
    if conference.is_closed:
        raise DomainError(_("The conference is closed."))


def _conference_of(poll: Poll) -> Conference:
    conference = db.session.get(Conference, poll.conference_id)
    assert conference is not None
    return conference


def _lock_poll(poll_id: int, *, exclusive: bool) -> Poll | None:
    """Load the poll fresh, locked: FOR UPDATE to change its state, FOR KEY SHARE to cast."""
    return db.session.scalar(
        sa.select(Poll)
        .where(Poll.id == poll_id)
        # read + key_share renders FOR KEY SHARE (key_share alone would be FOR NO KEY UPDATE,
        # which would make every cast wait for the one before it).
        .with_for_update(read=not exclusive, key_share=not exclusive)
        .execution_options(populate_existing=True)
    )


def _numbered(resolution: Resolution) -> dict[int | None, NumberedClause]:
    return {c.clause_id: c for c in drafting.numbered_text(resolution) if c.clause_id}


def _clause_label(clause: Clause) -> str:
    numbered = _numbered(clause.resolution).get(clause.id)
    if numbered is not None and numbered.label:
        return _("Clause %(number)s", number=numbered.number_path)
    if clause.kind.value == "preambular":
        return _("A preambular clause")
    return _("A clause")
