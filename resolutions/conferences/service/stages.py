"""The conference's stages: preparation → drafting → sitting → closed, and who may move
them on.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from resolutions import audit
from resolutions.conferences.service._common import _ensure_not_closed
from resolutions.errors import DomainError, PermissionDenied
from resolutions.extensions import db
from resolutions.models import (
    Conference,
    ConferenceState,
    Participant,
    Poll,
    PollState,
    Resolution,
    ResolutionState,
    Role,
)

# --- stages ----------------------------------------------------------------------------------

# preparation → drafting → sitting (stored as "voting") → closed; a stage is never left
# backwards, and closed is final: a closed conference is read-only except for its exports.
STAGES = (
    ConferenceState.PREPARATION,
    ConferenceState.DRAFTING,
    ConferenceState.VOTING,
    ConferenceState.CLOSED,
)


def sitting_started(conference: Conference) -> bool:
    return STAGES.index(conference.state) >= STAGES.index(ConferenceState.VOTING)


def all_resolutions_decided(conference: Conference) -> bool:
    """Every resolution of the conference is adopted or rejected (and there is one)."""
    states = db.session.scalars(
        sa.select(Resolution.state).where(Resolution.conference_id == conference.id)
    ).all()
    return bool(states) and all(state != ResolutionState.DRAFT for state in states)


def stage_offer(conference: Conference, me: Participant) -> ConferenceState | None:
    """The next stage the stage panel offers ``me`` (home page, chair's console): starting
    the sitting before it has started, closing once every resolution is decided."""
    if conference.is_closed or me.role not in (Role.CHAIR, Role.SECRETARIAT):
        return None
    if not sitting_started(conference):
        return ConferenceState.VOTING
    if all_resolutions_decided(conference):
        return ConferenceState.CLOSED
    return None


def move_stage(conference: Conference, stage: ConferenceState, actor: Participant) -> None:
    """The chair or the secretariat moves the conference on to ``stage`` (forward only):
    start the sitting, or close the conference (not while a poll is open). Audited as a
    change of the settings' stage. Flushes."""
    if actor.conference_id != conference.id or actor.role not in (Role.CHAIR, Role.SECRETARIAT):
        raise PermissionDenied(_("Only the chair or the secretariat may change the stage."))
    _ensure_not_closed(conference)
    if STAGES.index(stage) <= STAGES.index(conference.state):
        raise DomainError(_("The conference is already at this stage or past it."))
    if stage == ConferenceState.CLOSED:
        open_polls = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Poll)
            .where(Poll.conference_id == conference.id, Poll.state == PollState.OPEN)
        )
        if open_polls:
            raise DomainError(_("A poll is open: close it before closing the conference."))
    old = conference.state
    conference.state = stage
    audit.record(
        "conference.settings_changed",
        actor=actor.user,
        conference_id=conference.id,
        obj=conference,
        details={"changed": {"state": [old.value, stage.value]}},
    )
    db.session.flush()
