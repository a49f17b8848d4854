"""Co-sponsors of an amendment: whom the proposer may invite, the invitation, the answer."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from resolutions.drafting.service._common import (
    LIVE_STATES,
    _lock,
    _record,
    _require_amendment_state,
    _require_member,
    _require_open,
    _require_proposer,
)
from resolutions.errors import DomainError, PermissionDenied
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AmendmentSponsor,
    Participant,
    Role,
    SponsorStatus,
    User,
    utcnow,
)
from resolutions.rules.roles import has_role

# --- co-sponsors ------------------------------------------------------------------------------


def sponsor_candidates(amendment: Amendment) -> list[Participant]:
    """Who may still be invited to co-sponsor: delegates (and the chair) of the conference,
    not the proposer, not already invited or confirmed (one who declined may be asked again)."""
    taken = {
        s.participant_id
        for s in amendment.sponsors
        if s.status in (SponsorStatus.INVITED, SponsorStatus.CONFIRMED)
    }
    members = db.session.scalars(
        sa.select(Participant)
        .join(User, User.id == Participant.user_id)
        .where(
            Participant.conference_id == amendment.resolution.conference_id,
            Participant.role.in_([Role.DELEGATE, Role.CHAIR]),
            Participant.id != amendment.proposer_id,
        )
        .options(joinedload(Participant.user))
        .order_by(User.name, Participant.id)
    )
    return [p for p in members if p.id not in taken]


def invite_sponsor(
    amendment: Amendment, actor: Participant, sponsor: Participant | None
) -> AmendmentSponsor:
    """The proposer invites a delegate of the conference to co-sponsor; the delegate must
    confirm. One who declined may be invited again."""
    _require_proposer(amendment, actor, _("Only the proposer may invite co-sponsors."))
    resolution = amendment.resolution
    _require_open(resolution)
    _require_amendment_state(
        amendment,
        LIVE_STATES,
        _("Co-sponsors can no longer be invited: the amendment is %(state)s."),
    )
    if (
        sponsor is None
        or sponsor.conference_id != resolution.conference_id
        or not has_role(sponsor, Role.DELEGATE)
    ):
        raise DomainError(_("Choose a delegate of this conference."), "participant")
    if sponsor.id == amendment.proposer_id:
        raise DomainError(_("The proposer cannot co-sponsor their own amendment."), "participant")
    now = utcnow()
    existing = db.session.get(AmendmentSponsor, (amendment.id, sponsor.id))
    if existing is not None and existing.status == SponsorStatus.CONFIRMED:
        raise DomainError(
            _("%(name)s already co-sponsors this amendment.", name=sponsor.name), "participant"
        )
    if existing is not None and existing.status == SponsorStatus.INVITED:
        raise DomainError(_("%(name)s has already been invited.", name=sponsor.name), "participant")
    if existing is None:
        existing = AmendmentSponsor(
            amendment_id=amendment.id, participant_id=sponsor.id, invited_at=now
        )
        db.session.add(existing)
    else:  # declined before: ask again
        existing.status = SponsorStatus.INVITED
        existing.invited_at = now
        existing.responded_at = None
    db.session.flush()
    _record(
        "amendment.sponsor_invited",
        resolution,
        actor.user,
        amendment,
        {"participant_id": sponsor.id, "name": sponsor.name},
    )
    return existing


def respond_to_sponsorship(amendment: Amendment, sponsor: Participant, accept: bool) -> None:
    """An invited delegate confirms (``accept``) or declines co-sponsoring the amendment."""
    resolution = amendment.resolution
    _require_member(sponsor, resolution)
    _require_open(resolution)
    invitation = db.session.get(AmendmentSponsor, (amendment.id, sponsor.id))
    if invitation is None:
        raise PermissionDenied(_("You have not been invited to co-sponsor this amendment."))
    _lock(invitation)
    if invitation.status != SponsorStatus.INVITED:
        raise DomainError(_("You have already answered this invitation."))
    _require_amendment_state(
        amendment, LIVE_STATES, _("The amendment is %(state)s; the invitation has lapsed.")
    )
    invitation.status = SponsorStatus.CONFIRMED if accept else SponsorStatus.DECLINED
    invitation.responded_at = utcnow()
    db.session.flush()
    _record(
        "amendment.sponsor_confirmed" if accept else "amendment.sponsor_declined",
        resolution,
        sponsor.user,
        amendment,
        {"participant_id": sponsor.id},
    )
