"""Amendments: who sees them and what each viewer may do, proposing and editing them (before
the deadline), discarding a draft. Submitting, withdrawing and the secretariat's ruling are in
``life_cycle``, co-sponsors in ``sponsors``, adopting and rejecting in ``adoption``.

Amendment states, and who moves them (DESIGN.md, "Amendments"):

==========  =========================================  ======================================
from        to                                         by
==========  =========================================  ======================================
draft       submitted                                  the proposer, before the deadline
submitted   admitted / out of order (with a reason)    the secretariat
submitted,  withdrawn                                  the proposer, before a poll on it opens
admitted
admitted    adopted / rejected                         a poll (voting), or the chair "by
                                                       general consent" (adopt only)
submitted,  obsolete                                   the product, when an adopted amendment
admitted                                               (or the secretariat) removes its target
==========  =========================================  ======================================

Adopted, rejected, withdrawn, out of order and obsolete are final. A draft may also be
discarded by its proposer (it was never public).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import format_datetime
from flask_babel import gettext as _

from resolutions.drafting.service._common import (
    LIVE_STATES,
    MAX_JUSTIFICATION_CHARS,
    PENDING_STATES,
    _clean,
    _clean_clause_text,
    _clean_translation,
    _conference,
    _lock,
    _record,
    _require_amendment_state,
    _require_member,
    _require_open,
    _require_proposer,
    require_version,
)
from resolutions.drafting.service.clauses import _check_parent
from resolutions.errors import DomainError, PermissionDenied, StaleError
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AmendmentKind,
    AmendmentState,
    AuditEntry,
    Clause,
    ClauseKind,
    Conference,
    Participant,
    Poll,
    PollState,
    Resolution,
    ResolutionState,
    Role,
    SponsorStatus,
    utcnow,
)
from resolutions.rules import visibility
from resolutions.rules.roles import has_role

POLL_STARTED = (PollState.OPEN, PollState.CLOSED, PollState.PUBLISHED)

ACTIONS = (
    "edit",
    "discard",
    "submit",
    "withdraw",
    "invite",
    "respond",
    "admit",
    "rule_out_of_order",
    "adopt_by_consent",
)


# --- amendments: reading ----------------------------------------------------------------------


def can_view_amendment(amendment: Amendment, viewer: Participant) -> bool:
    """Everyone in the conference sees a submitted amendment; a draft only its proposer and
    the delegates invited to co-sponsor it (the rule: ``rules.visibility``)."""
    return visibility.can_view_amendment(amendment, amendment.resolution.conference_id, viewer)


def _started_polls(amendment_ids: Iterable[int]) -> tuple[set[int], set[int]]:
    """Of ``amendment_ids``: those with a poll that has opened, and those with one open now."""
    ids = list(amendment_ids)  # queried even when empty: the draft page's count stays constant
    rows = db.session.execute(
        sa.select(Poll.amendment_id, Poll.state).where(
            Poll.amendment_id.in_(ids), Poll.state.in_(POLL_STARTED)
        )
    )
    started: set[int] = set()
    open_now: set[int] = set()
    for amendment_id, state in rows:
        if amendment_id is None:  # never: the query asks for these amendments only
            continue
        started.add(amendment_id)
        if state == PollState.OPEN:
            open_now.add(amendment_id)
    return started, open_now


def _poll_started(amendment: Amendment) -> tuple[bool, bool]:
    started, open_now = _started_polls([amendment.id])
    return amendment.id in started, amendment.id in open_now


def _deadline_passed(conference: Conference, now: datetime) -> bool:
    return conference.amendment_deadline is not None and now > conference.amendment_deadline


def _concerns_a_deleted_clause(amendment: Amendment) -> bool:
    """Whether the clause the amendment replaces, deletes or inserts under is deleted (as
    ``_require_target_still_there`` refuses it)."""
    clauses = (amendment.target_clause, amendment.parent_clause, amendment.after_clause)
    return any(clause is not None and clause.is_deleted for clause in clauses)


def _actions(
    amendment: Amendment,
    viewer: Participant,
    resolution: Resolution,
    conference: Conference,
    *,
    now: datetime,
    poll_started: bool,
    poll_open: bool,
) -> frozenset[str]:
    if (
        viewer.conference_id != resolution.conference_id
        or conference.is_closed
        or resolution.state != ResolutionState.DRAFT
    ):
        return frozenset()
    state = amendment.state
    mine = amendment.proposer_id == viewer.id
    actions: set[str] = set()
    if mine and state == AmendmentState.DRAFT:
        actions |= {"edit", "discard"}
        if not _deadline_passed(conference, now) and not _concerns_a_deleted_clause(amendment):
            actions.add("submit")  # submit_amendment refuses the other cases
    if mine and state in PENDING_STATES and not poll_started:
        actions.add("withdraw")
    if mine and state in LIVE_STATES:
        actions.add("invite")
    if state in LIVE_STATES and any(
        s.participant_id == viewer.id and s.status == SponsorStatus.INVITED
        for s in amendment.sponsors
    ):
        actions.add("respond")
    if state == AmendmentState.SUBMITTED and has_role(viewer, Role.SECRETARIAT):
        actions |= {"admit", "rule_out_of_order"}
    if state == AmendmentState.ADMITTED and has_role(viewer, Role.CHAIR) and not poll_open:
        actions.add("adopt_by_consent")
    return frozenset(actions)


def allowed_actions(amendment: Amendment, viewer: Participant) -> frozenset[str]:
    """What ``viewer`` may do to ``amendment`` now, of ``ACTIONS``: by state, role, being the
    proposer or an invited co-sponsor, the deadline and the polls on it (one query)."""
    started, open_now = _started_polls([amendment.id])
    resolution = amendment.resolution
    return _actions(
        amendment,
        viewer,
        resolution,
        _conference(resolution),
        now=utcnow(),
        poll_started=amendment.id in started,
        poll_open=amendment.id in open_now,
    )


def amendment_history(amendment: Amendment) -> list[AuditEntry]:
    """The audit entries about ``amendment``, oldest first (one query)."""
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(
                AuditEntry.conference_id == amendment.resolution.conference_id,
                AuditEntry.object_type == "Amendment",
                AuditEntry.object_id == amendment.id,
            )
            .order_by(AuditEntry.id)
        )
    )


# --- amendments: proposing --------------------------------------------------------------------


def _deadline_check(conference: Conference, now: datetime) -> None:
    deadline = conference.amendment_deadline
    if deadline is not None and now > deadline:
        raise DomainError(
            _(
                "The deadline for amendments passed on %(when)s; amendments can no longer be "
                "proposed or submitted.",
                when=format_datetime(deadline, "long"),
            )
        )


@dataclass(frozen=True)
class _Shape:
    text: str
    target: Clause | None
    new_clause_kind: ClauseKind | None
    parent: Clause | None
    after: Clause | None


def _shape(
    resolution: Resolution,
    kind: AmendmentKind,
    *,
    text: str,
    target: Clause | None,
    new_clause_kind: ClauseKind | None,
    parent: Clause | None,
    after: Clause | None,
) -> _Shape:
    """Check what the amendment does against the current text; return it normalised."""
    if kind in (AmendmentKind.REPLACE, AmendmentKind.DELETE):
        if target is None:
            raise DomainError(_("Choose the clause to amend."), "target")
        if target.resolution_id != resolution.id:
            raise DomainError(_("That clause belongs to another resolution."), "target")
        if target.is_deleted:
            raise StaleError(
                _("This clause has been deleted; it can no longer be amended."), "target"
            )
        if kind == AmendmentKind.DELETE:
            return _Shape("", target, None, None, None)
        text = _clean_clause_text(text)
        if text == target.text:
            raise DomainError(
                _("The new text is the same as the current text: change something."), "text"
            )
        return _Shape(text, target, None, None, None)
    # Insert.
    if target is not None:
        raise DomainError(_("An insertion does not replace a clause."), "target")
    if parent is not None:
        new_clause_kind = ClauseKind.OPERATIVE if new_clause_kind is None else new_clause_kind
    if new_clause_kind is None:
        raise DomainError(_("Choose where the new clause goes."), "position")
    _check_parent(resolution, parent, new_clause_kind)
    if after is not None:
        if after.resolution_id != resolution.id:
            raise DomainError(_("That clause belongs to another resolution."), "position")
        if after.is_deleted:
            raise StaleError(_("That clause has been deleted. Choose another place."), "position")
        if after.kind != new_clause_kind or after.parent_id != (parent.id if parent else None):
            raise DomainError(
                _("A clause can only be placed among clauses of the same kind and level."),
                "position",
            )
    text = _clean_clause_text(text)
    return _Shape(text, None, new_clause_kind, parent, after)


def _clean_justification(justification: str | None) -> str:
    return _clean(
        justification, limit=MAX_JUSTIFICATION_CHARS, field="justification", required=False
    )


def _amendment_translation(translation: str | None, kind: AmendmentKind) -> str:
    """The amendment's text in the second language: optional; a delete has none."""
    return "" if kind == AmendmentKind.DELETE else _clean_translation(translation)


def check_target_version(target: Clause | None, expected_version: int | None) -> None:
    """Never save (nor preview) an amendment against a text its author has not seen: the
    target must still be at ``expected_version``, else ``StaleError`` (a deleted target is
    refused by ``_shape``). Saving checks it; the form's preview asks it too, so the author is
    warned before they save."""
    if target is None or target.is_deleted:
        return
    require_version(
        target,
        expected_version,
        _(
            "Someone changed this clause while you were writing (it is now at version "
            "%(version)s). Nothing was saved: the current text is shown above your text; "
            "check your amendment and save again."
        ),
        "expected_version",
    )


def propose_amendment(
    resolution: Resolution,
    proposer: Participant,
    *,
    kind: AmendmentKind,
    text: str = "",
    justification: str = "",
    translation: str = "",
    target: Clause | None = None,
    new_clause_kind: ClauseKind | None = None,
    parent: Clause | None = None,
    after: Clause | None = None,
    expected_version: int | None = None,
) -> Amendment:
    """A delegate (or the chair) drafts an amendment; only they see it until they submit it.

    replace: ``target`` and its new ``text`` (which must differ); delete: ``target``; insert:
    ``text`` and its place: ``new_clause_kind``, ``parent`` (a sub-clause) and ``after``
    (None: first among its siblings). Records the target's version it was written against.
    ``expected_version`` is the target's version the form showed: if the target changed since,
    nothing is saved (StaleError), as for clauses. None (scripts) takes the current version.
    ``translation`` is the same text in the conference's second language, if the proposer
    gives it (ignored for a delete). Refused after the amendment deadline.
    """
    _require_member(proposer, resolution)
    if not has_role(proposer, Role.DELEGATE):
        raise PermissionDenied(_("Only delegates may propose amendments."))
    _require_open(resolution)
    now = utcnow()
    _deadline_check(_conference(resolution), now)
    check_target_version(target, expected_version)
    shape = _shape(
        resolution,
        kind,
        text=text,
        target=target,
        new_clause_kind=new_clause_kind,
        parent=parent,
        after=after,
    )
    amendment = Amendment(
        resolution_id=resolution.id,
        proposer_id=proposer.id,
        kind=kind,
        target_clause_id=shape.target.id if shape.target else None,
        target_version=shape.target.version if shape.target else None,
        new_clause_kind=shape.new_clause_kind,
        parent_clause_id=shape.parent.id if shape.parent else None,
        after_clause_id=shape.after.id if shape.after else None,
        text=shape.text,
        translation=_amendment_translation(translation, kind),
        justification=_clean_justification(justification),
        state=AmendmentState.DRAFT,
        created_at=now,
    )
    db.session.add(amendment)
    db.session.flush()
    _record("amendment.drafted", resolution, proposer.user, amendment, {"kind": kind.value})
    return amendment


def update_amendment(
    amendment: Amendment,
    actor: Participant,
    *,
    text: str,
    justification: str,
    translation: str = "",
    new_clause_kind: ClauseKind | None = None,
    parent: Clause | None = None,
    after: Clause | None = None,
    expected_version: int | None = None,
) -> Amendment:
    """The proposer changes their draft: its text and justification, and an insert's place
    (``new_clause_kind``/``parent``/``after``; ignored for replace and delete). The kind and
    the target stay. A replace or delete is now written against the target's version the
    form showed (``expected_version``; StaleError if it changed since, None: the current one).
    """
    _require_proposer(amendment, actor, _("Only the proposer may edit an amendment."))
    resolution = amendment.resolution
    _require_open(resolution)
    _lock(amendment)
    _require_amendment_state(
        amendment,
        (AmendmentState.DRAFT,),
        _("Only a draft can be edited; this amendment is %(state)s."),
    )
    insert = amendment.kind == AmendmentKind.INSERT
    check_target_version(amendment.target_clause, expected_version)
    shape = _shape(
        resolution,
        amendment.kind,
        text=text,
        target=amendment.target_clause,
        new_clause_kind=new_clause_kind if insert else None,
        parent=parent if insert else None,
        after=after if insert else None,
    )
    amendment.text = shape.text
    amendment.translation = _amendment_translation(translation, amendment.kind)
    amendment.justification = _clean_justification(justification)
    if insert:
        amendment.new_clause_kind = shape.new_clause_kind
        amendment.parent_clause_id = shape.parent.id if shape.parent else None
        amendment.after_clause_id = shape.after.id if shape.after else None
    elif shape.target is not None:
        amendment.target_version = shape.target.version
    db.session.flush()
    _record("amendment.updated", resolution, actor.user, amendment, {})
    return amendment


def discard_amendment(amendment: Amendment, actor: Participant) -> None:
    """The proposer throws away a draft (never seen by others, so nothing stays of it but
    the audit entry)."""
    _require_proposer(amendment, actor, _("Only the proposer may discard an amendment."))
    resolution = amendment.resolution
    _lock(amendment)
    _require_amendment_state(
        amendment,
        (AmendmentState.DRAFT,),
        _("Only a draft can be discarded; this amendment is %(state)s."),
    )
    _record("amendment.discarded", resolution, actor.user, amendment, {})
    db.session.delete(amendment)
    db.session.flush()
