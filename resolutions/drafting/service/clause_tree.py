"""Changing the shape of a resolution's text: moving a clause (with its sub-clauses) among its
siblings, deleting one with its sub-clauses (the secretariat) or removing it by a vote; the
amendments pending on what was removed follow (``obsolescence``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _

from resolutions.drafting.service._common import (
    _lock,
    _record,
    _require_open,
    _require_secretariat,
    require_version,
)
from resolutions.drafting.service.clauses import (
    _all_clauses,
    _bump,
    _place,
    _reference,
    _siblings,
)
from resolutions.drafting.service.obsolescence import _after_deletion
from resolutions.errors import DomainError, StaleError
from resolutions.extensions import db
from resolutions.models import (
    Clause,
    Participant,
    User,
    utcnow,
)


def _changed_under_the_page() -> str:
    """The delete and move buttons' refusal: the edit form's check, for the page's text."""
    return _(
        "Someone changed this clause while you had the page open (it is now at version "
        "%(version)s). Nothing was done: read the current text and try again."
    )


def move_clause(
    clause: Clause, actor: Participant, *, after: Clause | None, expected_version: int | None = None
) -> None:
    """Move ``clause`` among its siblings (secretariat only): after ``after``, or first.

    Only the moved clause is rewritten (a "move" version); a clause stays at its level.
    ``expected_version`` is the version the page showed (StaleError if it changed since).
    """
    resolution = clause.resolution
    author = _require_secretariat(resolution.conference_id, actor)
    _require_open(resolution)
    if clause.is_deleted:
        raise StaleError(_("This clause has been deleted; it can no longer be moved."))
    require_version(clause, expected_version, _changed_under_the_page())
    if after is not None and after.id == clause.id:
        raise DomainError(_("A clause cannot be placed after itself."), "position")
    parent = db.session.get(Clause, clause.parent_id) if clause.parent_id else None
    siblings = _siblings(resolution.id, clause.kind, clause.parent_id)
    index = next(i for i, s in enumerate(siblings) if s.id == clause.id)
    current_after = siblings[index - 1] if index > 0 else None
    if (current_after.id if current_after else None) == (after.id if after else None):
        return
    before_ref = _reference(resolution, clause.id)
    now = utcnow()
    clause.position = _place(
        resolution, clause.kind, parent, after, exclude_id=clause.id, author=author, now=now
    )
    _bump(clause, "move", author, now)
    db.session.flush()
    _record(
        "clause.moved",
        resolution,
        author,
        clause,
        {"from": before_ref, "to": _reference(resolution, clause.id)},
    )


def _subtree(clauses: Iterable[Clause], root_id: int) -> list[Clause]:
    """``root_id`` and every live clause below it."""
    children: dict[int | None, list[Clause]] = {}
    by_id: dict[int, Clause] = {}
    for clause in clauses:
        by_id[clause.id] = clause
        if not clause.is_deleted:
            children.setdefault(clause.parent_id, []).append(clause)
    found, stack = [], [by_id[root_id]]
    while stack:
        clause = stack.pop()
        found.append(clause)
        stack.extend(children.get(clause.id, []))
    return found


def _delete_subtree(
    clause: Clause,
    reason: str,
    author: User | None,
    now: datetime,
    amendment_id: int | None = None,
) -> tuple[set[int], int | None]:
    """Mark ``clause`` and its sub-clauses deleted, each with a version.

    Returns the deleted ids and the id of the live sibling just before ``clause`` (None when
    it was the first), where inserts that followed it are moved to.
    """
    siblings = _siblings(clause.resolution_id, clause.kind, clause.parent_id)
    index = next(i for i, s in enumerate(siblings) if s.id == clause.id)
    previous = siblings[index - 1].id if index > 0 else None
    deleted = _subtree(_all_clauses(clause.resolution), clause.id)
    for item in deleted:
        item.is_deleted = True
        _bump(item, reason, author, now, amendment_id)
    return {c.id for c in deleted}, previous


def delete_clause(
    clause: Clause, actor: Participant, *, expected_version: int | None = None
) -> None:
    """Delete ``clause`` and its sub-clauses from the text (secretariat only).

    The clauses stay in the database, marked deleted with a "delete" version, so history and
    earlier texts still show them. Amendments that the deletion makes impossible follow the
    same rules as after an adopted delete amendment (see ``adopt_amendment``).
    ``expected_version`` is the version the page showed (StaleError if it changed since).
    """
    author = _require_secretariat(clause.resolution.conference_id, actor)
    _remove_clause(
        clause,
        author,
        version_reason="delete",
        action="clause.deleted",
        details={},
        obsolete_reason=_("The clause it concerns was deleted by the secretariat."),
        expected_version=expected_version,
    )


def remove_clause_by_vote(clause: Clause, actor: Participant | None, *, poll_id: int) -> None:
    """Take ``clause`` (and its sub-clauses) out of the text because the conference rejected it
    in a separate vote. Flushes.

    The poll decided, so no role check here: the voting service calls this when it closes a
    poll on the clause with the outcome "rejected". Amendments the removal makes impossible
    follow the same rules as after a deletion.
    """
    author = actor.user if actor is not None else None
    _remove_clause(
        clause,
        author,
        version_reason="vote",
        action="clause.rejected_by_vote",
        details={"poll": poll_id},
        obsolete_reason=_("The conference rejected the clause it concerns in a separate vote."),
    )


def _remove_clause(
    clause: Clause,
    actor: User | None,
    *,
    version_reason: str,
    action: str,
    details: dict[str, object],
    obsolete_reason: str,
    expected_version: int | None = None,
) -> None:
    resolution = clause.resolution
    _require_open(resolution)
    _lock(clause)
    if clause.is_deleted:
        raise StaleError(_("This clause has already been deleted."))
    require_version(clause, expected_version, _changed_under_the_page())
    reference = _reference(resolution, clause.id)
    deleted, previous = _delete_subtree(clause, version_reason, actor, utcnow())
    db.session.flush()
    _record(action, resolution, actor, clause, {"number": reference, **details})
    _after_deletion(
        resolution, deleted, {clause.id: previous}, by=None, reason=obsolete_reason, actor=actor
    )
    db.session.flush()
