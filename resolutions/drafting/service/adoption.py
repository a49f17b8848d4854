"""Deciding: the voting order of admitted amendments (the chair's, or by clause and kind),
adopting an amendment into the text (after a poll or by general consent) with what it makes
obsolete, rejecting one, deciding the resolution as a whole, and the text as it would read if
an amendment were adopted.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from resolutions.drafting.service._common import (
    LIVE_STATES,
    PENDING_STATES,
    _lock,
    _record,
    _require_amendment_state,
    _require_member,
    _require_open,
    amendment_name,
)
from resolutions.drafting.service.amendments import _poll_started
from resolutions.drafting.service.clause_tree import _delete_subtree
from resolutions.drafting.service.clauses import (
    _all_clauses,
    _bump,
    _clause,
    _create_clause,
    numbered_text,
)
from resolutions.drafting.service.obsolescence import (
    _after_deletion,
    _live_amendments_touching,
    _obsolete,
)
from resolutions.drafting.service.record import freeze_adopted_text
from resolutions.drafting.text import ClauseSnapshot, NumberedClause, number_clauses
from resolutions.errors import DomainError, PermissionDenied, StaleError
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AmendmentKind,
    AmendmentState,
    Clause,
    ClauseKind,
    Participant,
    Resolution,
    ResolutionState,
    Role,
    User,
    utcnow,
)
from resolutions.rules.roles import has_role

# Voting order among amendments to one clause when the chair has not set one: the furthest
# from the original first.
DEFAULT_RANK = {AmendmentKind.DELETE: 0, AmendmentKind.REPLACE: 1, AmendmentKind.INSERT: 2}


# --- voting order and conflicts ---------------------------------------------------------------


def anchor_clause_id(amendment: Amendment) -> int | None:
    """The clause an amendment touches, for grouping: the target of a replace/delete; for an
    insert the clause it follows, or the clause it is the first sub-clause of; None for an
    insert at the start of the preamble or of the operative part."""
    if amendment.kind != AmendmentKind.INSERT:
        return amendment.target_clause_id
    return amendment.after_clause_id or amendment.parent_clause_id


def _voting_key(amendment: Amendment) -> tuple[int, int, int, int, int]:
    return (
        amendment.vote_order is None,
        amendment.vote_order or 0,
        DEFAULT_RANK[amendment.kind],
        amendment.number if amendment.number is not None else 1 << 30,
        amendment.id,
    )


def _group_key(
    amendment: Amendment, index: dict[int | None, int], preambular_count: int
) -> tuple[int, int]:
    """Where an amendment's group goes in document order (see ``voting_queue``)."""
    anchor = anchor_clause_id(amendment)
    if anchor is None:
        at_start = (
            1 if amendment.new_clause_kind == ClauseKind.PREAMBULAR else 2 * (preambular_count) + 1
        )
        return (at_start, 0)
    if anchor in index:
        return (2 * index[anchor] + 2, 0)
    return (1 << 30, anchor)  # a clause no longer in the text: last


def _admitted(resolution: Resolution) -> list[Amendment]:
    return list(
        db.session.scalars(
            sa.select(Amendment).where(
                Amendment.resolution_id == resolution.id,
                Amendment.state == AmendmentState.ADMITTED,
            )
        )
    )


def vote_order_groups(
    resolution: Resolution,
) -> list[tuple[NumberedClause | None, list[Amendment]]]:
    """Admitted amendments grouped by the clause they touch (``anchor_clause_id``), groups in
    document order, each in its voting order. A group of two or more is a conflict the chair
    may order with ``set_vote_order``. Inserts at the start of a part have no clause (None)."""
    numbered = numbered_text(resolution)
    by_id = {c.clause_id: c for c in numbered}
    index = {c.clause_id: i for i, c in enumerate(numbered)}
    preambular = sum(1 for c in numbered if c.kind == ClauseKind.PREAMBULAR)
    groups: dict[tuple[int, int], list[Amendment]] = {}
    anchors: dict[tuple[int, int], NumberedClause | None] = {}
    for amendment in _admitted(resolution):
        key = _group_key(amendment, index, preambular)
        groups.setdefault(key, []).append(amendment)
        anchors[key] = by_id.get(anchor_clause_id(amendment))
    return [(anchors[key], sorted(groups[key], key=_voting_key)) for key in sorted(groups)]


def voting_queue(resolution: Resolution) -> list[Amendment]:
    """Admitted amendments in the order they are put to the vote: by the clause they touch
    in document order (an insert with the clause it follows, or the clause it opens); within
    one clause by the chair's order when set, else delete, then replace, then insert, then by
    number."""
    return [a for _anchor, items in vote_order_groups(resolution) for a in items]


def set_vote_order(
    resolution: Resolution, actor: Participant, ordered_amendment_ids: list[int]
) -> None:
    """The chair's voting order: ``ordered_amendment_ids`` (admitted amendments of this
    resolution) are voted in the order given, before any amendment of the same clause
    left out of the list."""
    _require_member(actor, resolution)
    if not has_role(actor, Role.CHAIR):
        raise PermissionDenied(_("Only the chair may set the voting order."))
    _require_open(resolution)
    if len(set(ordered_amendment_ids)) != len(ordered_amendment_ids):
        raise DomainError(_("Each amendment may appear only once in the voting order."))
    found = {
        a.id: a
        for a in db.session.scalars(
            sa.select(Amendment).where(
                Amendment.id.in_(ordered_amendment_ids), Amendment.resolution_id == resolution.id
            )
        )
    }
    for amendment_id in ordered_amendment_ids:
        amendment = found.get(amendment_id)
        if amendment is None or amendment.state != AmendmentState.ADMITTED:
            raise StaleError(
                _(
                    "Only admitted amendments can be ordered, and the list has changed. "
                    "Reload the page."
                )
            )
    for order, amendment_id in enumerate(ordered_amendment_ids, start=1):
        found[amendment_id].vote_order = order
    db.session.flush()
    _record(
        "amendments.ordered",
        resolution,
        actor.user,
        resolution,
        {"order": [amendment_name(found[i]) for i in ordered_amendment_ids]},
    )


# --- deciding ---------------------------------------------------------------------------------


def _apply_replace(
    amendment: Amendment, target: Clause, actor: User | None, now: datetime, reason: str
) -> list[Amendment]:
    target.text = amendment.text
    # The other language follows the amendment when it carries one; otherwise the previous
    # translation stays, marked outdated, for the secretariat to bring up to date (a clause
    # without one simply has none: it is missing either way).
    if amendment.translation:
        target.translation = amendment.translation
        target.translation_needed = False
    elif target.translation:
        target.translation_needed = True
    _bump(target, "amendment", actor, now, amendment.id)
    # A delete of the replaced clause would now delete a text nobody voted to delete.
    # Other replaces stay: they become stale, and the chair decides.
    obsolete = []
    for other in _live_amendments_touching(amendment.resolution, {target.id}):
        if (
            other.id != amendment.id
            and other.kind == AmendmentKind.DELETE
            and other.target_clause_id == target.id
            and other.state in PENDING_STATES
        ):
            _obsolete(other, amendment, reason, actor)
            obsolete.append(other)
    return obsolete


def _apply_insert(amendment: Amendment, actor: User | None, now: datetime) -> None:
    resolution = amendment.resolution
    parent = _clause(amendment.parent_clause_id)
    after = _clause(amendment.after_clause_id)
    if (parent is not None and parent.is_deleted) or (after is not None and after.is_deleted):
        raise StaleError(_("The clause this amendment concerns has been deleted."))
    kind = amendment.new_clause_kind or ClauseKind.OPERATIVE
    created = _create_clause(
        resolution,
        kind=kind,
        text=amendment.text,
        translation=amendment.translation,
        parent=parent,
        after=after,
        author=actor,
        now=now,
        reason="amendment",
        amendment_id=amendment.id,
    )
    amendment.applied_clause_id = created.id
    # Other inserts at the same place now follow the new clause, so inserts at one place
    # land in the order they are adopted.
    same_place = db.session.scalars(
        sa.select(Amendment).where(
            Amendment.resolution_id == resolution.id,
            Amendment.id != amendment.id,
            Amendment.kind == AmendmentKind.INSERT,
            Amendment.state.in_(LIVE_STATES),
            Amendment.new_clause_kind == kind,
            Amendment.parent_clause_id.is_(None)
            if parent is None
            else Amendment.parent_clause_id == parent.id,
            Amendment.after_clause_id.is_(None)
            if after is None
            else Amendment.after_clause_id == after.id,
        )
    )
    for other in same_place:
        other.after_clause_id = created.id
        _record(
            "amendment.reanchored",
            resolution,
            actor,
            other,
            {"after_was": after.id if after else None, "after_now": created.id},
        )


def _adopt(
    amendment: Amendment,
    actor: User | None,
    *,
    poll_id: int | None,
    by_consent: bool,
) -> list[Amendment]:
    resolution = amendment.resolution
    _require_open(resolution)
    _lock(amendment)
    _require_amendment_state(
        amendment,
        (AmendmentState.ADMITTED,),
        _("Only an admitted amendment can be adopted; this one is %(state)s."),
    )
    now = utcnow()
    name = amendment_name(amendment)
    reason = _("Made obsolete by the adoption of %(amendment)s.", amendment=name)
    obsolete: list[Amendment] = []
    translation_needed = False
    if amendment.kind == AmendmentKind.INSERT:
        _apply_insert(amendment, actor, now)
    else:
        target = _clause(amendment.target_clause_id)
        if target is None or target.is_deleted:
            raise StaleError(_("The clause this amendment concerns has been deleted."))
        _lock(target)
        if amendment.kind == AmendmentKind.REPLACE:
            obsolete = _apply_replace(amendment, target, actor, now, reason)
            translation_needed = target.translation_needed
        else:
            deleted, previous = _delete_subtree(target, "amendment", actor, now, amendment.id)
            db.session.flush()
            obsolete = _after_deletion(
                resolution,
                deleted,
                {target.id: previous},
                by=amendment,
                reason=reason,
                actor=actor,
            )
    amendment.state = AmendmentState.ADOPTED
    amendment.decided_at = now
    db.session.flush()
    _record(
        "amendment.adopted",
        resolution,
        actor,
        amendment,
        {
            "number": name,
            "poll_id": poll_id,
            "by_consent": by_consent,
            "obsolete": [amendment_name(a) for a in obsolete],
            **({"translation_needed": True} if translation_needed else {}),
        },
    )
    return obsolete


def _author(actor: Participant | None) -> User | None:
    """The person behind the seat (None: the product itself, e.g. a script)."""
    return actor.user if actor is not None else None


def adopt_amendment(
    amendment: Amendment, actor: Participant | None, *, poll_id: int | None = None
) -> list[Amendment]:
    """Adopt an admitted amendment (after a poll, or by consent) and apply it to the text in
    this transaction: a replace gives its target a new version, a delete marks the target and
    its sub-clauses deleted, an insert creates the clause at its place; each version has
    reason "amendment" and the amendment's id. Returns the amendments it made obsolete.

    What the adoption does to the other pending amendments (submitted or admitted):

    - replace of X: delete amendments of X become obsolete; other replaces of X stay
      admitted and are flagged stale (``is_stale``): the chair decides whether to put them.
    - delete of X: amendments to X or its sub-clauses (replace, delete, insert of a
      sub-clause) become obsolete; inserts after X move to follow the sibling before X (or
      to the first place), so they land where X stood.
    - insert: nothing becomes obsolete; other inserts at the same place follow the new clause.

    Obsolete amendments carry the reason "Made obsolete by the adoption of A-n." and
    ``obsoleted_by_id``. No role is checked: voting calls this after a poll, and
    ``adopt_by_consent`` checks the chair.
    """
    return _adopt(amendment, _author(actor), poll_id=poll_id, by_consent=False)


def adopt_by_consent(amendment: Amendment, actor: Participant) -> list[Amendment]:
    """The chair adopts an admitted amendment "by general consent", without a poll, as
    conferences do for uncontested changes; not while a poll on it is open. See
    ``adopt_amendment`` for what it does to the text and to other amendments."""
    resolution = amendment.resolution
    _require_member(actor, resolution)
    if not has_role(actor, Role.CHAIR):
        raise PermissionDenied(_("Only the chair may adopt an amendment by general consent."))
    if _poll_started(amendment)[1]:
        raise DomainError(_("A poll on this amendment is open; wait for its result."))
    return _adopt(amendment, actor.user, poll_id=None, by_consent=True)


def reject_amendment(
    amendment: Amendment, actor: Participant | None, *, poll_id: int | None = None
) -> None:
    """A poll rejected an admitted amendment; the text does not change."""
    resolution = amendment.resolution
    _require_open(resolution)
    _lock(amendment)
    _require_amendment_state(
        amendment,
        (AmendmentState.ADMITTED,),
        _("Only an admitted amendment can be rejected; this one is %(state)s."),
    )
    amendment.state = AmendmentState.REJECTED
    amendment.decided_at = utcnow()
    db.session.flush()
    _record(
        "amendment.rejected",
        resolution,
        _author(actor),
        amendment,
        {"number": amendment_name(amendment), "poll_id": poll_id},
    )


def _decide_resolution(
    resolution: Resolution,
    actor: User | None,
    state: ResolutionState,
    poll_id: int | None,
) -> list[Amendment]:
    _require_open(resolution)
    _lock(resolution)
    _require_open(resolution)  # again, now that the row is locked
    now = utcnow()
    reason = _("The resolution was decided before this amendment was put to the vote.")
    pending = list(
        db.session.scalars(
            sa.select(Amendment)
            .where(
                Amendment.resolution_id == resolution.id,
                Amendment.state.in_(PENDING_STATES),
            )
            .order_by(Amendment.id)
        )
    )
    resolution.state = state
    if state == ResolutionState.ADOPTED:
        resolution.adopted_at = now
    for amendment in pending:
        _obsolete(amendment, None, reason, actor)
    db.session.flush()
    _record(
        f"resolution.{state.value}",
        resolution,
        actor,
        resolution,
        {"poll_id": poll_id, "obsolete": [amendment_name(a) for a in pending]},
    )
    if state == ResolutionState.ADOPTED:
        freeze_adopted_text(resolution, poll_id)
    return pending


def adopt_resolution(
    resolution: Resolution, actor: Participant | None, *, poll_id: int | None = None
) -> list[Amendment]:
    """The resolution as a whole is adopted: its text is locked (no more edits, amendments or
    transitions) and frozen as a record (``record.freeze_adopted_text``: the text, the
    heading data, the poll's figures and the audit head, with its SHA-256). Amendments still
    submitted or admitted become obsolete; they are returned."""
    return _decide_resolution(resolution, _author(actor), ResolutionState.ADOPTED, poll_id)


def reject_resolution(
    resolution: Resolution, actor: Participant | None, *, poll_id: int | None = None
) -> list[Amendment]:
    """The resolution as a whole is rejected: locked like an adopted one."""
    return _decide_resolution(resolution, _author(actor), ResolutionState.REJECTED, poll_id)


# --- preview ----------------------------------------------------------------------------------


def amendment_preview(amendment: Amendment) -> list[NumberedClause]:
    """The whole text as it would read if ``amendment`` were adopted now (nothing is saved).

    The inserted clause has ``clause_id`` None (and the position of the clause it follows).
    An adopted amendment is already in the text, so its preview is the current text; so is
    that of an amendment whose clause is gone.
    """
    resolution = amendment.resolution
    clauses = _all_clauses(resolution)
    snapshots = [
        ClauseSnapshot(c.id, c.kind, c.parent_id, c.position * 2, c.text, c.is_deleted)
        for c in clauses
    ]
    if amendment.state == AmendmentState.ADOPTED:
        return _halved(number_clauses(snapshots, resolution.numbering_style))
    by_id = {c.id: c for c in clauses}
    target = by_id.get(amendment.target_clause_id) if amendment.target_clause_id else None
    if amendment.kind == AmendmentKind.REPLACE and target is not None:
        snapshots = [
            ClauseSnapshot(s.id, s.kind, s.parent_id, s.position, amendment.text, s.is_deleted)
            if s.id == target.id
            else s
            for s in snapshots
        ]
    elif amendment.kind == AmendmentKind.DELETE and target is not None:
        snapshots = [
            ClauseSnapshot(s.id, s.kind, s.parent_id, s.position, s.text, True)
            if s.id == target.id
            else s
            for s in snapshots
        ]
    elif amendment.kind == AmendmentKind.INSERT:
        kind = amendment.new_clause_kind or ClauseKind.OPERATIVE
        parent = by_id.get(amendment.parent_clause_id) if amendment.parent_clause_id else None
        after = by_id.get(amendment.after_clause_id) if amendment.after_clause_id else None
        if (parent is not None and parent.is_deleted) or (after is not None and after.is_deleted):
            return _halved(number_clauses(snapshots, resolution.numbering_style))
        parent_id = parent.id if parent is not None else None
        siblings = [
            s for s in snapshots if s.kind == kind and s.parent_id == parent_id and not s.is_deleted
        ]
        if after is not None:
            position = after.position * 2 + 1  # between it and the next (positions doubled)
        elif siblings:
            position = min(s.position for s in siblings) - 1
        else:
            position = 0
        snapshots.append(ClauseSnapshot(None, kind, parent_id, position, amendment.text))
    return _halved(number_clauses(snapshots, resolution.numbering_style))


def _halved(numbered: list[NumberedClause]) -> list[NumberedClause]:
    # The preview doubles positions to make room for an inserted clause; give back the real ones.
    return [dataclasses.replace(n, position=n.position // 2) for n in numbered]
