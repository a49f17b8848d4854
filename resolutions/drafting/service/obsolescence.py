"""Obsolete amendments: what removing clauses (by the secretariat, or by an adopted delete
amendment) and deciding a resolution do to the amendments still pending on them.
"""

from __future__ import annotations

import sqlalchemy as sa

from resolutions.drafting.service._common import (
    LIVE_STATES,
    PENDING_STATES,
    _record,
    amendment_name,
)
from resolutions.extensions import db
from resolutions.models import Amendment, AmendmentState, Resolution, User, utcnow


def _obsolete(amendment: Amendment, by: Amendment | None, reason: str, actor: User | None) -> None:
    amendment.state = AmendmentState.OBSOLETE
    amendment.obsoleted_by_id = by.id if by is not None else None
    amendment.state_reason = reason
    amendment.decided_at = utcnow()
    _record(
        "amendment.obsolete",
        amendment.resolution,
        actor,
        amendment,
        {"number": amendment_name(amendment), "reason": reason},
    )


def _live_amendments_touching(resolution: Resolution, clause_ids: set[int]) -> list[Amendment]:
    return list(
        db.session.scalars(
            sa.select(Amendment)
            .where(
                Amendment.resolution_id == resolution.id,
                Amendment.state.in_(LIVE_STATES),
                sa.or_(
                    Amendment.target_clause_id.in_(clause_ids),
                    Amendment.parent_clause_id.in_(clause_ids),
                    Amendment.after_clause_id.in_(clause_ids),
                ),
            )
            .order_by(Amendment.id)
        )
    )


def _after_deletion(
    resolution: Resolution,
    deleted: set[int],
    previous: dict[int, int | None],
    *,
    by: Amendment | None,
    reason: str,
    actor: User | None,
) -> list[Amendment]:
    """What deleting ``deleted`` (a clause and its sub-clauses) does to other amendments.

    - A submitted/admitted replace or delete of a deleted clause, or an insert of a
      sub-clause into one, becomes obsolete (a draft stays a draft: it cannot be submitted).
    - An insert after the deleted clause moves up to follow the live sibling before it
      (``previous``), or to the first place among the siblings when it was the first: the new
      clause lands where the deleted one stood. Re-anchoring is always possible, because an
      insert whose own parent was deleted is already obsolete by the rule above.
    """
    made_obsolete = []
    for amendment in _live_amendments_touching(resolution, deleted):
        if amendment.id == (by.id if by else None):
            continue
        gone = amendment.target_clause_id in deleted or amendment.parent_clause_id in deleted
        if gone:
            if amendment.state in PENDING_STATES:
                _obsolete(amendment, by, reason, actor)
                made_obsolete.append(amendment)
            continue
        if amendment.after_clause_id in deleted:
            old = amendment.after_clause_id
            amendment.after_clause_id = previous.get(old) if old is not None else None
            _record(
                "amendment.reanchored",
                resolution,
                actor,
                amendment,
                {"after_was": old, "after_now": amendment.after_clause_id},
            )
    db.session.flush()
    return made_obsolete
