"""Amendments from submission to a ruling: the proposer submits (the amendment gets its
number) or withdraws it; the secretariat admits it or rules it out of order, one by one or in
a batch from the triage table. The states are listed in ``amendments``; adopting and rejecting
are in ``adoption``.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _

from resolutions.drafting.service._common import (
    MAX_REASON_CHARS,
    PENDING_STATES,
    _clean,
    _conference,
    _lock,
    _record,
    _require_amendment_state,
    _require_member,
    _require_open,
    _require_proposer,
    amendment_name,
)
from resolutions.drafting.service.amendments import _deadline_check, _poll_started
from resolutions.drafting.service.clauses import _clause
from resolutions.errors import DomainError, PermissionDenied, StaleError
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AmendmentState,
    Conference,
    Participant,
    Resolution,
    ResolutionState,
    Role,
    utcnow,
)
from resolutions.rules.roles import has_role


def _require_target_still_there(amendment: Amendment) -> None:
    for clause_id, field_name in (
        (amendment.target_clause_id, "target"),
        (amendment.parent_clause_id, "position"),
        (amendment.after_clause_id, "position"),
    ):
        clause = _clause(clause_id)
        if clause is not None and clause.is_deleted:
            raise StaleError(
                _(
                    "The clause this amendment concerns has been deleted; change the "
                    "amendment or discard it."
                ),
                field_name,
            )


def submit_amendment(amendment: Amendment, actor: Participant) -> Amendment:
    """The proposer submits their draft to the secretariat, before the amendment deadline.

    The amendment gets its number (A-1, A-2, … in order of submission).
    """
    _require_proposer(amendment, actor, _("Only the proposer may submit an amendment."))
    resolution = amendment.resolution
    _require_open(resolution)
    _lock(amendment)
    _require_amendment_state(
        amendment,
        (AmendmentState.DRAFT,),
        _("Only a draft can be submitted; this amendment is %(state)s."),
    )
    now = utcnow()
    _deadline_check(_conference(resolution), now)
    _require_target_still_there(amendment)
    # Serialise numbering per resolution (PostgreSQL); the unique constraint is the backstop.
    db.session.execute(
        sa.select(Resolution.id).where(Resolution.id == resolution.id).with_for_update()
    )
    last = db.session.scalar(
        sa.select(sa.func.max(Amendment.number)).where(Amendment.resolution_id == resolution.id)
    )
    amendment.number = (last or 0) + 1
    amendment.state = AmendmentState.SUBMITTED
    amendment.submitted_at = now
    db.session.flush()
    _record(
        "amendment.submitted",
        resolution,
        actor.user,
        amendment,
        {"number": amendment_name(amendment)},
    )
    return amendment


def withdraw_amendment(amendment: Amendment, actor: Participant) -> None:
    """The proposer withdraws their submitted or admitted amendment, before a poll on it has
    opened (a draft is discarded instead)."""
    _require_proposer(amendment, actor, _("Only the proposer may withdraw an amendment."))
    resolution = amendment.resolution
    _require_open(resolution)
    _lock(amendment)
    _require_amendment_state(
        amendment,
        PENDING_STATES,
        _("Only a submitted or admitted amendment can be withdrawn; this one is %(state)s."),
    )
    if _poll_started(amendment)[0]:
        raise DomainError(_("A poll on this amendment has opened; it can no longer be withdrawn."))
    amendment.state = AmendmentState.WITHDRAWN
    amendment.decided_at = utcnow()
    db.session.flush()
    _record(
        "amendment.withdrawn",
        resolution,
        actor.user,
        amendment,
        {"number": amendment_name(amendment)},
    )


def _require_secretariat_member(actor: Participant, resolution: Resolution, message: str) -> None:
    _require_member(actor, resolution)
    if not has_role(actor, Role.SECRETARIAT):
        raise PermissionDenied(message)


def admit_amendment(amendment: Amendment, actor: Participant) -> None:
    """The secretariat rules a submitted amendment admissible: it can be put to the vote."""
    resolution = amendment.resolution
    _require_secretariat_member(
        actor, resolution, _("Only the secretariat may rule on amendments.")
    )
    _require_open(resolution)
    _lock(amendment)
    _require_amendment_state(
        amendment,
        (AmendmentState.SUBMITTED,),
        _("Only a submitted amendment can be admitted; this one is %(state)s."),
    )
    _require_target_still_there(amendment)
    amendment.state = AmendmentState.ADMITTED
    db.session.flush()
    _record(
        "amendment.admitted",
        resolution,
        actor.user,
        amendment,
        {"number": amendment_name(amendment)},
    )


def rule_out_of_order(amendment: Amendment, actor: Participant, reason: str) -> None:
    """The secretariat rules a submitted amendment out of order, with the reason shown."""
    resolution = amendment.resolution
    _require_secretariat_member(
        actor, resolution, _("Only the secretariat may rule on amendments.")
    )
    _require_open(resolution)
    reason = _clean(
        reason,
        limit=MAX_REASON_CHARS,
        field="reason",
        empty_message=_("Give the reason why the amendment is out of order."),
    )
    _lock(amendment)
    _require_amendment_state(
        amendment,
        (AmendmentState.SUBMITTED,),
        _("Only a submitted amendment can be ruled out of order; this one is %(state)s."),
    )
    amendment.state = AmendmentState.OUT_OF_ORDER
    amendment.state_reason = reason
    amendment.decided_at = utcnow()
    db.session.flush()
    _record(
        "amendment.out_of_order",
        resolution,
        actor.user,
        amendment,
        {"number": amendment_name(amendment), "reason": reason},
    )


# --- triage: the secretariat's table of amendments ---------------------------------------------


def resolutions_awaiting_ruling(conference: Conference) -> list[tuple[Resolution, int]]:
    """The conference's draft resolutions with amendments waiting for the secretariat's
    ruling (submitted), and how many (``voting.sitting.unruled_amendments`` lists one
    resolution's), in the resolutions' order (one query)."""
    rows = db.session.execute(
        sa.select(Resolution, sa.func.count(Amendment.id))
        .join(Amendment, Amendment.resolution_id == Resolution.id)
        .where(
            Resolution.conference_id == conference.id,
            Resolution.state == ResolutionState.DRAFT,
            Amendment.state == AmendmentState.SUBMITTED,
        )
        .group_by(Resolution.id)
        .order_by(Resolution.position, Resolution.id)
    )
    return [(resolution, count) for resolution, count in rows]


def rule_on_amendments(
    resolution: Resolution,
    actor: Participant,
    amendment_ids: Iterable[int],
    *,
    admit: bool,
    reason: str = "",
) -> list[Amendment]:
    """The secretariat rules on several submitted amendments at once: all admitted, or all
    ruled out of order with one reason. Each goes through ``admit_amendment`` or
    ``rule_out_of_order`` (the same rules and audit entries as one by one); the first refusal
    raises and the caller rolls the whole batch back."""
    ids = sorted(set(amendment_ids))
    if not ids:
        raise DomainError(_("Tick the amendments to rule on."), "amendments")
    found = {
        a.id: a
        for a in db.session.scalars(
            sa.select(Amendment).where(
                Amendment.id.in_(ids), Amendment.resolution_id == resolution.id
            )
        )
    }
    if len(found) != len(ids):
        raise StaleError(_("The list of amendments has changed. Reload the page."))
    ruled = []
    for amendment_id in ids:
        amendment = found[amendment_id]
        if admit:
            admit_amendment(amendment, actor)
        else:
            rule_out_of_order(amendment, actor, reason)
        ruled.append(amendment)
    return ruled
