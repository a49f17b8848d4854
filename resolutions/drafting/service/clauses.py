"""Drafting: resolutions, clauses and their versions, amendments and their states.

Service functions take plain arguments, check the rules (role, state, deadline, what the text
allows), change rows, write the audit entries and ``flush()``; they never commit. The view
commits once, or rolls back when a ``DraftingError`` is raised.

Positions. ``Clause.position`` orders siblings (same resolution, kind and parent) with gaps of
``GAP``, so inserting or moving a clause writes that one row. Only when two neighbours leave no
room are the siblings spread out again, each getting a "move" version so that the text at any
earlier moment can still be rebuilt from the versions.

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

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, joinedload, selectinload

from resolutions import audit
from resolutions.auth.access import has_role
from resolutions.drafting.text import (
    ClauseSnapshot,
    DiffSegment,
    NumberedClause,
    ParsedParagraph,
    number_clauses,
    word_diff,
)
from resolutions.extensions import db
from resolutions.labels import AMENDMENT_STATE, label
from resolutions.models import (
    Amendment,
    AmendmentKind,
    AmendmentSponsor,
    AmendmentState,
    AuditEntry,
    Clause,
    ClauseKind,
    ClauseVersion,
    Conference,
    NumberingStyle,
    Participant,
    Poll,
    PollState,
    Resolution,
    ResolutionState,
    Role,
    SponsorStatus,
    User,
    utcnow,
)

GAP = 1024
MAX_DEPTH = 2  # clause (0), sub-clause (a) (1), sub-sub-clause (i) (2)
# The same limits as the forms (resolutions/drafting/forms.py), so both say the same thing.
MAX_CLAUSE_CHARS = 20_000
MAX_JUSTIFICATION_CHARS = 5_000
MAX_REASON_CHARS = 2_000
MAX_TITLE_CHARS = 300
MAX_IMPORT_PARAGRAPHS = 1_000

LIVE_STATES = (AmendmentState.DRAFT, AmendmentState.SUBMITTED, AmendmentState.ADMITTED)
PENDING_STATES = (AmendmentState.SUBMITTED, AmendmentState.ADMITTED)
# Voting order among amendments to one clause when the chair has not set one: the furthest
# from the original first.
DEFAULT_RANK = {AmendmentKind.DELETE: 0, AmendmentKind.REPLACE: 1, AmendmentKind.INSERT: 2}
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


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class DraftingError(Exception):
    """A rule refused the change. ``message`` is translated and meant for the user; ``field``
    names the form field it belongs to, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(DraftingError):
    """The actor may not do this (wrong role, not the proposer, …): the view answers 403."""


class StaleError(DraftingError):
    """The form was written against an older state of the object: the view answers 409."""


# --- small helpers ----------------------------------------------------------------------------


def amendment_name(amendment: Amendment) -> str:
    """ "A-3", or "Draft amendment" before it has a number."""
    if amendment.number is None:
        return _("Draft amendment")
    return _("A-%(number)s", number=amendment.number)


def _clean(
    text: str | None,
    *,
    limit: int,
    field: str,
    required: bool = True,
    empty_message: str | None = None,
) -> str:
    """Normalise line ends, drop control characters (PostgreSQL refuses NUL), strip."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text).strip()
    if required and not text:
        raise DraftingError(empty_message or _("Enter the text."), field)
    if len(text) > limit:
        raise DraftingError(
            _(
                "The text is too long: %(length)s characters, at most %(limit)s are allowed.",
                length=f"{len(text):,}",
                limit=f"{limit:,}",
            ),
            field,
        )
    return text


def _clean_clause_text(text: str | None, field: str = "text") -> str:
    return _clean(
        text,
        limit=MAX_CLAUSE_CHARS,
        field=field,
        empty_message=_("Enter the text of the clause."),
    )


def _conference(resolution: Resolution) -> Conference:
    return resolution.conference


def _require_open(resolution: Resolution) -> None:
    """The text can change: the conference is not closed and the resolution is not decided."""
    if _conference(resolution).is_closed:
        raise DraftingError(_("The conference is closed; its documents can no longer change."))
    if resolution.state == ResolutionState.ADOPTED:
        raise DraftingError(_("The resolution has been adopted; its text can no longer change."))
    if resolution.state == ResolutionState.REJECTED:
        raise DraftingError(_("The resolution has been rejected; its text can no longer change."))


def _require_secretariat(conference_id: int, user: User) -> None:
    member = db.session.scalar(
        sa.select(Participant).where(
            Participant.conference_id == conference_id,
            Participant.user_id == user.id,
        )
    )
    if not has_role(member, Role.SECRETARIAT):
        raise PermissionDenied(_("Only the secretariat may edit the draft directly."))


def _require_member(participant: Participant, resolution: Resolution) -> None:
    if participant.conference_id != resolution.conference_id:
        raise PermissionDenied(_("You do not take part in this conference."))


def _require_proposer(amendment: Amendment, actor: Participant, message: str) -> None:
    _require_member(actor, amendment.resolution)
    if amendment.proposer_id != actor.id:
        raise PermissionDenied(message)


def _lock(obj: object) -> None:
    """Re-read ``obj`` under a row lock (PostgreSQL), so a concurrent request that changed it
    first is seen before this one decides; SQLite serialises writers by itself."""
    db.session.flush()
    db.session.refresh(obj, with_for_update=True)


def _deadline_check(conference: Conference, now: datetime) -> None:
    deadline = conference.amendment_deadline
    if deadline is not None and now > deadline:
        raise DraftingError(
            _(
                "The deadline for amendments passed on %(when)s; amendments can no longer be "
                "proposed or submitted.",
                when=format_datetime(deadline, "medium"),
            )
        )


def _deadline_passed(conference: Conference, now: datetime) -> bool:
    return conference.amendment_deadline is not None and now > conference.amendment_deadline


def _record(
    action: str,
    resolution: Resolution,
    actor: User | None,
    obj: object,
    details: dict[str, object] | None = None,
) -> None:
    audit.record(
        action,
        actor=actor,
        conference_id=resolution.conference_id,
        obj=obj,
        details=details,
    )


# --- reading the text -------------------------------------------------------------------------


def _all_clauses(resolution: Resolution) -> list[Clause]:
    # Deleted ones too: they are few, and having them in the session means that
    # ``amendment.target_clause`` of an amendment to a deleted clause costs no query.
    return list(db.session.scalars(sa.select(Clause).where(Clause.resolution_id == resolution.id)))


def numbered_text(resolution: Resolution) -> list[NumberedClause]:
    """The current text in document order, numbered (one query)."""
    return number_clauses(_all_clauses(resolution), resolution.numbering_style)


def _snapshot(version: ClauseVersion) -> ClauseSnapshot:
    return ClauseSnapshot(
        id=version.clause_id,
        kind=version.kind,
        parent_id=version.parent_id,
        position=version.position,
        text=version.text,
        is_deleted=version.is_deleted,
    )


def text_at(resolution: Resolution, moment: datetime) -> list[NumberedClause]:
    """The text as it stood at ``moment`` (naive UTC), rebuilt from the clause versions: for
    each clause its last version written at or before ``moment`` (one query)."""
    latest = (
        sa.select(ClauseVersion.clause_id, sa.func.max(ClauseVersion.version).label("version"))
        .join(Clause, Clause.id == ClauseVersion.clause_id)
        .where(Clause.resolution_id == resolution.id, ClauseVersion.created_at <= moment)
        .group_by(ClauseVersion.clause_id)
        .subquery()
    )
    versions = db.session.scalars(
        sa.select(ClauseVersion).join(
            latest,
            sa.and_(
                ClauseVersion.clause_id == latest.c.clause_id,
                ClauseVersion.version == latest.c.version,
            ),
        )
    )
    return number_clauses([_snapshot(v) for v in versions], resolution.numbering_style)


def text_at_poll(poll: Poll) -> list[NumberedClause]:
    """The text of the poll's resolution as it stood when the poll opened; the current text
    for a poll not opened yet. A poll without a resolution has no text: DraftingError."""
    if poll.resolution_id is None:
        raise DraftingError(_("This poll is not about a resolution."))
    resolution = db.session.get(Resolution, poll.resolution_id)
    if resolution is None:  # pragma: no cover - the foreign key prevents it
        raise DraftingError(_("This poll is not about a resolution."))
    if poll.opened_at is None:
        return numbered_text(resolution)
    return text_at(resolution, poll.opened_at)


def clause_history(clause: Clause) -> list[ClauseVersion]:
    """Every version of ``clause``, oldest first, with their authors (two queries)."""
    return list(
        db.session.scalars(
            sa.select(ClauseVersion)
            .where(ClauseVersion.clause_id == clause.id)
            .order_by(ClauseVersion.version)
            .options(selectinload(ClauseVersion.author))
        )
    )


def clause_reference(clause: NumberedClause, style: NumberingStyle) -> str:
    """How the product names a clause: "operative clause 2(a)", "preambular paragraph 3",
    or "paragraph 3" in the plain-paragraphs style."""
    if style == NumberingStyle.PARAGRAPHS:
        return _("paragraph %(number)s", number=clause.number_path)
    if clause.kind == ClauseKind.PREAMBULAR:
        return _("preambular paragraph %(number)s", number=clause.number_path.removeprefix("P"))
    return _("operative clause %(number)s", number=clause.number_path)


def _reference(resolution: Resolution, clause_id: int) -> str:
    for numbered in numbered_text(resolution):
        if numbered.clause_id == clause_id:
            return clause_reference(numbered, resolution.numbering_style)
    return ""


# --- resolutions ------------------------------------------------------------------------------


def list_resolutions(conference: Conference) -> list[Resolution]:
    """The conference's resolutions in their order (one query)."""
    return list(
        db.session.scalars(
            sa.select(Resolution)
            .where(Resolution.conference_id == conference.id)
            .order_by(Resolution.position, Resolution.id)
        )
    )


def create_resolution(
    conference: Conference,
    actor: User,
    title: str,
    numbering_style: NumberingStyle = NumberingStyle.NUMBERED,
) -> Resolution:
    """A new, empty draft resolution (secretariat only), after the conference's others."""
    _require_secretariat(conference.id, actor)
    if conference.is_closed:
        raise DraftingError(_("The conference is closed; its documents can no longer change."))
    title = _clean(
        title,
        limit=MAX_TITLE_CHARS,
        field="title",
        empty_message=_("Enter the title of the resolution."),
    )
    last = db.session.scalar(
        sa.select(sa.func.max(Resolution.position)).where(Resolution.conference_id == conference.id)
    )
    resolution = Resolution(
        conference_id=conference.id,
        title=title,
        numbering_style=numbering_style,
        position=(last or 0) + 1,
    )
    db.session.add(resolution)
    db.session.flush()
    _record(
        "resolution.created",
        resolution,
        actor,
        resolution,
        {"title": title, "numbering_style": numbering_style.value},
    )
    return resolution


def update_resolution(
    resolution: Resolution, actor: User, *, title: str, numbering_style: NumberingStyle
) -> None:
    """Change the title or the numbering style of a draft (secretariat only)."""
    _require_secretariat(resolution.conference_id, actor)
    _require_open(resolution)
    title = _clean(
        title,
        limit=MAX_TITLE_CHARS,
        field="title",
        empty_message=_("Enter the title of the resolution."),
    )
    if title == resolution.title and numbering_style == resolution.numbering_style:
        return
    resolution.title = title
    resolution.numbering_style = numbering_style
    db.session.flush()
    _record(
        "resolution.updated",
        resolution,
        actor,
        resolution,
        {"title": title, "numbering_style": numbering_style.value},
    )


# --- clauses ----------------------------------------------------------------------------------


def _write_version(
    clause: Clause,
    reason: str,
    author: User | None,
    now: datetime,
    amendment_id: int | None = None,
) -> ClauseVersion:
    """Append a version holding the clause's current state (the clause must have an id)."""
    version = ClauseVersion(
        clause_id=clause.id,
        version=clause.version,
        text=clause.text,
        kind=clause.kind,
        parent_id=clause.parent_id,
        position=clause.position,
        is_deleted=clause.is_deleted,
        reason=reason,
        author_id=author.id if author is not None else None,
        amendment_id=amendment_id,
        created_at=now,
    )
    db.session.add(version)
    return version


def _bump(
    clause: Clause,
    reason: str,
    author: User | None,
    now: datetime,
    amendment_id: int | None = None,
) -> None:
    clause.version += 1
    _write_version(clause, reason, author, now, amendment_id)


def _siblings(
    resolution_id: int, kind: ClauseKind, parent_id: int | None, exclude_id: int | None = None
) -> list[Clause]:
    query = sa.select(Clause).where(
        Clause.resolution_id == resolution_id,
        Clause.kind == kind,
        Clause.parent_id.is_(None) if parent_id is None else Clause.parent_id == parent_id,
        Clause.is_deleted.is_(False),
    )
    if exclude_id is not None:
        query = query.where(Clause.id != exclude_id)
    return sorted(db.session.scalars(query), key=lambda c: (c.position, c.id))


def _depth(clause: Clause) -> int:
    depth = 0
    while clause.parent_id is not None:
        parent = db.session.get(Clause, clause.parent_id)
        if parent is None:  # pragma: no cover - the foreign key prevents it
            break
        clause, depth = parent, depth + 1
    return depth


def _check_parent(resolution: Resolution, parent: Clause | None, kind: ClauseKind) -> None:
    if parent is None:
        return
    if parent.resolution_id != resolution.id:
        raise DraftingError(_("That clause belongs to another resolution."), "position")
    if parent.is_deleted:
        raise StaleError(_("That clause has been deleted. Choose another place."), "position")
    if parent.kind != ClauseKind.OPERATIVE or kind != ClauseKind.OPERATIVE:
        raise DraftingError(_("Only operative clauses have sub-clauses."), "position")
    if _depth(parent) >= MAX_DEPTH:
        raise DraftingError(
            _("A sub-clause (i) cannot have sub-clauses of its own."),
            "position",
        )


def _place(
    resolution: Resolution,
    kind: ClauseKind,
    parent: Clause | None,
    after: Clause | None,
    *,
    exclude_id: int | None,
    author: User | None,
    now: datetime,
) -> int:
    """The position for a clause going after ``after`` (None: first) among its siblings.

    Halfway between the neighbours; when they are adjacent, the siblings are spread out again
    (each with a "move" version) and the new slot is returned.
    """
    parent_id = parent.id if parent is not None else None
    siblings = _siblings(resolution.id, kind, parent_id, exclude_id)
    if after is None:
        index = 0
    else:
        if (
            after.resolution_id != resolution.id
            or after.kind != kind
            or after.parent_id != parent_id
        ):
            raise DraftingError(
                _("A clause can only be placed among clauses of the same kind and level."),
                "position",
            )
        if after.is_deleted or after.id == exclude_id:
            raise StaleError(_("That clause has been deleted. Choose another place."), "position")
        index = next(i for i, s in enumerate(siblings) if s.id == after.id) + 1
    before = siblings[index - 1].position if index > 0 else None
    following = siblings[index].position if index < len(siblings) else None
    if before is None:
        return GAP if following is None else following - GAP
    if following is None:
        return before + GAP
    if following - before >= 2:
        return (before + following) // 2
    for number, sibling in enumerate(siblings):
        slot = (number + 1 if number < index else number + 2) * GAP
        if sibling.position != slot:
            sibling.position = slot
            _bump(sibling, "move", author, now)
    return (index + 1) * GAP


def _create_clause(
    resolution: Resolution,
    *,
    kind: ClauseKind,
    text: str,
    parent: Clause | None,
    after: Clause | None,
    author: User | None,
    now: datetime,
    reason: str = "create",
    amendment_id: int | None = None,
) -> Clause:
    _check_parent(resolution, parent, kind)
    position = _place(resolution, kind, parent, after, exclude_id=None, author=author, now=now)
    clause = Clause(
        resolution_id=resolution.id,
        parent_id=parent.id if parent is not None else None,
        kind=kind,
        position=position,
        text=text,
        version=1,
        created_at=now,
    )
    db.session.add(clause)
    db.session.flush()
    _write_version(clause, reason, author, now, amendment_id)
    return clause


def add_clause(
    resolution: Resolution,
    actor: User,
    *,
    kind: ClauseKind,
    text: str,
    parent: Clause | None = None,
    after: Clause | None = None,
) -> Clause:
    """Add a clause (secretariat only): after ``after`` among its siblings, or first of them.

    ``parent`` makes it a sub-clause of an operative clause (then ``kind`` must be operative);
    at most two levels below a clause. Writes version 1 (reason "create").
    """
    _require_secretariat(resolution.conference_id, actor)
    _require_open(resolution)
    text = _clean_clause_text(text)
    clause = _create_clause(
        resolution, kind=kind, text=text, parent=parent, after=after, author=actor, now=utcnow()
    )
    db.session.flush()
    _record(
        "clause.added",
        resolution,
        actor,
        clause,
        {"kind": kind.value, "number": _reference(resolution, clause.id)},
    )
    return clause


def edit_clause(clause: Clause, actor: User, text: str, *, expected_version: int) -> Clause:
    """Give ``clause`` a new text (secretariat only), as a new version.

    ``expected_version`` is the version the form showed; if someone changed the clause since,
    the edit is refused (StaleError) rather than overwriting their change. The same text
    again changes nothing.
    """
    resolution = clause.resolution
    _require_secretariat(resolution.conference_id, actor)
    _require_open(resolution)
    _lock(clause)
    if clause.is_deleted:
        raise StaleError(_("This clause has been deleted; it can no longer be edited."))
    if expected_version != clause.version:
        raise StaleError(
            _(
                "Someone changed this clause while you had the form open (it is now at "
                "version %(version)s). Nothing was saved: read the current text and try again.",
                version=clause.version,
            )
        )
    text = _clean_clause_text(text)
    if text == clause.text:
        return clause
    clause.text = text
    _bump(clause, "edit", actor, utcnow())
    db.session.flush()
    _record(
        "clause.edited",
        resolution,
        actor,
        clause,
        {"version": clause.version, "number": _reference(resolution, clause.id)},
    )
    return clause


def move_clause(clause: Clause, actor: User, *, after: Clause | None) -> None:
    """Move ``clause`` among its siblings (secretariat only): after ``after``, or first.

    Only the moved clause is rewritten (a "move" version); a clause stays at its level.
    """
    resolution = clause.resolution
    _require_secretariat(resolution.conference_id, actor)
    _require_open(resolution)
    if clause.is_deleted:
        raise StaleError(_("This clause has been deleted; it can no longer be moved."))
    if after is not None and after.id == clause.id:
        raise DraftingError(_("A clause cannot be placed after itself."), "position")
    parent = db.session.get(Clause, clause.parent_id) if clause.parent_id else None
    siblings = _siblings(resolution.id, clause.kind, clause.parent_id)
    index = next(i for i, s in enumerate(siblings) if s.id == clause.id)
    current_after = siblings[index - 1] if index > 0 else None
    if (current_after.id if current_after else None) == (after.id if after else None):
        return
    before_ref = _reference(resolution, clause.id)
    now = utcnow()
    clause.position = _place(
        resolution, clause.kind, parent, after, exclude_id=clause.id, author=actor, now=now
    )
    _bump(clause, "move", actor, now)
    db.session.flush()
    _record(
        "clause.moved",
        resolution,
        actor,
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


def delete_clause(clause: Clause, actor: User) -> None:
    """Delete ``clause`` and its sub-clauses from the text (secretariat only).

    The clauses stay in the database, marked deleted with a "delete" version, so history and
    earlier texts still show them. Amendments that the deletion makes impossible follow the
    same rules as after an adopted delete amendment (see ``adopt_amendment``).
    """
    resolution = clause.resolution
    _require_secretariat(resolution.conference_id, actor)
    _require_open(resolution)
    _lock(clause)
    if clause.is_deleted:
        raise StaleError(_("This clause has already been deleted."))
    reference = _reference(resolution, clause.id)
    deleted, previous = _delete_subtree(clause, "delete", actor, utcnow())
    db.session.flush()
    _record("clause.deleted", resolution, actor, clause, {"number": reference})
    _after_deletion(
        resolution,
        deleted,
        {clause.id: previous},
        by=None,
        reason=_("The clause it concerns was deleted by the secretariat."),
        actor=actor,
    )
    db.session.flush()


def import_draft(
    resolution: Resolution, actor: User, paragraphs: Sequence[ParsedParagraph]
) -> list[Clause]:
    """Create the clauses of a confirmed import preview (secretariat only), all or none.

    Preambular paragraphs go after the resolution's existing preambular clauses, operative
    ones after its operative clauses. A paragraph of depth 1 or 2 is a sub-clause of the
    operative paragraph before it; preambular paragraphs must come before operative ones and
    have no sub-clauses. Every problem is reported with the paragraph's number.
    """
    _require_secretariat(resolution.conference_id, actor)
    _require_open(resolution)
    if not paragraphs:
        raise DraftingError(_("There is nothing to import: paste the text of the draft."), "text")
    if len(paragraphs) > MAX_IMPORT_PARAGRAPHS:
        raise DraftingError(
            _("At most %(limit)s paragraphs can be imported at once.", limit=MAX_IMPORT_PARAGRAPHS),
            "text",
        )
    texts: list[str] = []
    seen_operative = False
    last_depth: int | None = None  # depth of the previous operative paragraph
    for number, paragraph in enumerate(paragraphs, start=1):
        try:
            texts.append(_clean_clause_text(paragraph.text))
        except DraftingError as error:
            raise DraftingError(
                _("Paragraph %(number)s: %(problem)s", number=number, problem=error.message),
                "text",
            ) from None
        if paragraph.kind == ClauseKind.PREAMBULAR:
            if paragraph.depth != 0:
                raise DraftingError(
                    _(
                        "Paragraph %(number)s: preambular paragraphs have no sub-clauses.",
                        number=number,
                    ),
                    "text",
                )
            if seen_operative:
                raise DraftingError(
                    _(
                        "Paragraph %(number)s: a preambular paragraph cannot follow an "
                        "operative one. Make it operative or move it up.",
                        number=number,
                    ),
                    "text",
                )
            continue
        if not 0 <= paragraph.depth <= MAX_DEPTH or (
            paragraph.depth > 0 and (last_depth is None or paragraph.depth > last_depth + 1)
        ):
            raise DraftingError(
                _(
                    "Paragraph %(number)s: a sub-clause must follow an operative clause or "
                    "sub-clause one level up.",
                    number=number,
                ),
                "text",
            )
        seen_operative = True
        last_depth = paragraph.depth

    now = utcnow()
    tops: dict[ClauseKind, int] = {}
    for kind in ClauseKind:
        siblings = _siblings(resolution.id, kind, None)
        tops[kind] = siblings[-1].position if siblings else 0
    # (clause, index of its parent in ``items``, depth); saved level by level so that each
    # level is one batch of INSERTs and the sub-clauses know their parents' ids.
    items: list[tuple[Clause, int | None, int]] = []
    chain: list[int] = []  # index in ``items`` of the current clause at each depth
    children: dict[int, int] = {}
    for paragraph, text in zip(paragraphs, texts, strict=True):
        depth = paragraph.depth if paragraph.kind == ClauseKind.OPERATIVE else 0
        parent_index = chain[depth - 1] if depth > 0 else None
        if parent_index is None:
            tops[paragraph.kind] += GAP
            position = tops[paragraph.kind]
        else:
            children[parent_index] = children.get(parent_index, 0) + 1
            position = children[parent_index] * GAP
        clause = Clause(
            resolution_id=resolution.id,
            kind=paragraph.kind,
            position=position,
            text=text,
            version=1,
            created_at=now,
        )
        items.append((clause, parent_index, depth))
        del chain[depth:]
        chain.append(len(items) - 1)
    for level in range(MAX_DEPTH + 1):
        for clause, parent_index, depth in items:
            if depth == level:
                if parent_index is not None:
                    clause.parent_id = items[parent_index][0].id
                db.session.add(clause)
        db.session.flush()
    created = [clause for clause, _parent, _depth in items]
    for clause in created:
        _write_version(clause, "create", actor, now)
    db.session.flush()
    _record("resolution.imported", resolution, actor, resolution, {"clauses": len(created)})
    return created


# --- amendments: reading ----------------------------------------------------------------------


def can_view_amendment(amendment: Amendment, viewer: Participant) -> bool:
    """Everyone in the conference sees a submitted amendment; a draft only its proposer and
    the delegates invited to co-sponsor it."""
    if viewer.conference_id != amendment.resolution.conference_id:
        return False
    if amendment.state != AmendmentState.DRAFT:
        return True
    return amendment.proposer_id == viewer.id or any(
        s.participant_id == viewer.id for s in amendment.sponsors
    )


def _started_polls(amendment_ids: Iterable[int]) -> tuple[set[int], set[int]]:
    """Of ``amendment_ids``: those with a poll that has opened, and those with one open now."""
    ids = list(amendment_ids)  # queried even when empty: the draft page's count stays constant
    rows = db.session.execute(
        sa.select(Poll.amendment_id, Poll.state).where(
            Poll.amendment_id.in_(ids), Poll.state.in_(POLL_STARTED)
        )
    )
    started, open_now = set(), set()
    for amendment_id, state in rows:
        started.add(amendment_id)
        if state == PollState.OPEN:
            open_now.add(amendment_id)
    return started, open_now


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
        if not _deadline_passed(conference, now):
            actions.add("submit")
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


def _version_text(clause_id: int, version: int) -> str | None:
    return db.session.scalar(
        sa.select(ClauseVersion.text).where(
            ClauseVersion.clause_id == clause_id, ClauseVersion.version == version
        )
    )


def _written_against(amendment: Amendment) -> str | None:
    """The text of the target clause the amendment was written against (None: no target)."""
    if amendment.target_clause_id is None or amendment.target_version is None:
        return None
    target = amendment.target_clause
    if target is not None and target.version == amendment.target_version:
        return target.text
    return _version_text(amendment.target_clause_id, amendment.target_version)


def _is_stale(amendment: Amendment, written: str | None, target: Clause | None) -> bool:
    if amendment.kind == AmendmentKind.INSERT or amendment.state not in LIVE_STATES:
        return False
    if target is None or written is None:
        return False
    return target.is_deleted or target.text != written


def is_stale(amendment: Amendment) -> bool:
    """Whether a pending replace/delete amendment's target has changed since it was written
    (its text differs from the version recorded, or it was deleted). Decided amendments are
    never stale: what they were decided on is history."""
    if amendment.kind == AmendmentKind.INSERT or amendment.state not in LIVE_STATES:
        return False
    return _is_stale(amendment, _written_against(amendment), amendment.target_clause)


def amendment_diff(amendment: Amendment) -> list[DiffSegment]:
    """The change as a word diff against the current text: a replace against its target's
    text, a delete as the target's text deleted, an insert as its text inserted. For an
    adopted amendment, against the text it replaced (the current text is already its own)."""
    if amendment.kind == AmendmentKind.INSERT:
        return word_diff("", amendment.text)
    target = amendment.target_clause
    current = target.text if target is not None else ""
    if amendment.state == AmendmentState.ADOPTED:
        before = _texts_before_adoption([amendment.id]).get(amendment.id)
        if before is not None:
            current = before
    if amendment.kind == AmendmentKind.DELETE:
        return word_diff(current, "")
    return word_diff(current, amendment.text)


def amendment_original_diff(amendment: Amendment) -> list[DiffSegment]:
    """The change as a word diff against the version of the target it was written against
    (what the proposer saw). The same as ``amendment_diff`` for an insert."""
    if amendment.kind == AmendmentKind.INSERT:
        return word_diff("", amendment.text)
    written = _written_against(amendment) or ""
    return word_diff(written, "" if amendment.kind == AmendmentKind.DELETE else amendment.text)


def target_change_diff(amendment: Amendment) -> list[DiffSegment]:
    """How the target clause changed since the amendment was written (version written against
    → current text); [] for an insert."""
    if amendment.kind == AmendmentKind.INSERT or amendment.target_clause is None:
        return []
    return word_diff(_written_against(amendment) or "", amendment.target_clause.text)


def _texts_before_adoption(amendment_ids: Sequence[int]) -> dict[int, str]:
    """For adopted amendments: the text of their target just before they were applied."""
    previous = aliased(ClauseVersion)  # queried even when empty, like _started_polls
    rows = db.session.execute(
        sa.select(ClauseVersion.amendment_id, previous.text)
        .join(Amendment, Amendment.id == ClauseVersion.amendment_id)
        .join(
            previous,
            sa.and_(
                previous.clause_id == ClauseVersion.clause_id,
                previous.version == ClauseVersion.version - 1,
            ),
        )
        .where(
            ClauseVersion.amendment_id.in_(amendment_ids),
            # a delete also versions the sub-clauses it removes: the target's text counts
            ClauseVersion.clause_id == Amendment.target_clause_id,
        )
    )
    return {amendment_id: text for amendment_id, text in rows}


def amendment_label(amendment: Amendment, numbered: dict[int | None, NumberedClause]) -> str:
    """How an amendment is named in lists and polls: "A-3: replace operative clause 2".

    ``numbered`` maps clause ids to the current numbered text (``numbered_text``).
    """
    return _label(amendment, numbered, amendment.resolution.numbering_style, {})


def _label(
    amendment: Amendment,
    numbered: dict[int | None, NumberedClause],
    style: NumberingStyle,
    references: dict[int, str | None],
) -> str:
    """``amendment_label`` with the clause references remembered in ``references`` (a page
    names the same clauses many times)."""
    name = amendment_name(amendment)

    def ref(clause_id: int | None) -> str | None:
        if clause_id is None:
            return None
        if clause_id not in references:
            clause = numbered.get(clause_id)
            references[clause_id] = clause_reference(clause, style) if clause else None
        return references[clause_id]

    if amendment.kind in (AmendmentKind.REPLACE, AmendmentKind.DELETE):
        target = ref(amendment.target_clause_id)
        if target is None:
            if amendment.kind == AmendmentKind.REPLACE:
                return _("%(amendment)s: replace a clause since deleted", amendment=name)
            return _("%(amendment)s: delete a clause since deleted", amendment=name)
        if amendment.kind == AmendmentKind.REPLACE:
            return _("%(amendment)s: replace %(clause)s", amendment=name, clause=target)
        return _("%(amendment)s: delete %(clause)s", amendment=name, clause=target)
    if amendment.state == AmendmentState.ADOPTED and ref(amendment.applied_clause_id):
        return _(
            "%(amendment)s: insert %(clause)s",
            amendment=name,
            clause=ref(amendment.applied_clause_id),
        )
    if amendment.after_clause_id is not None:
        after = ref(amendment.after_clause_id)
        if after is None:
            return _("%(amendment)s: insert after a clause since deleted", amendment=name)
        return _("%(amendment)s: insert after %(clause)s", amendment=name, clause=after)
    if amendment.parent_clause_id is not None:
        parent = ref(amendment.parent_clause_id)
        if parent is None:
            return _("%(amendment)s: insert into a clause since deleted", amendment=name)
        return _(
            "%(amendment)s: insert a first sub-clause into %(clause)s",
            amendment=name,
            clause=parent,
        )
    if amendment.new_clause_kind == ClauseKind.PREAMBULAR:
        return _("%(amendment)s: insert at the start of the preamble", amendment=name)
    return _("%(amendment)s: insert at the start of the operative part", amendment=name)


@dataclass(frozen=True)
class AmendmentView:
    """An amendment with what a page shows about it, computed once."""

    amendment: Amendment
    label: str
    target: NumberedClause | None  # replace/delete: the target in the current text
    diff: list[DiffSegment]
    is_stale: bool
    original_diff: list[DiffSegment]  # against the version written against; [] unless stale
    confirmed_sponsors: list[Participant]
    actions: frozenset[str]


@dataclass
class _PageContext:
    """What every amendment of one page shares, looked up once."""

    resolution: Resolution
    conference: Conference
    numbered: dict[int | None, NumberedClause]
    clause_rows: dict[int, Clause]
    now: datetime
    references: dict[int, str | None] = field(default_factory=dict)


def _view(
    amendment: Amendment,
    viewer: Participant | None,
    page: _PageContext,
    *,
    written: str | None,
    before_adoption: str | None,
    poll_started: bool,
    poll_open: bool,
) -> AmendmentView:
    target = (
        page.clause_rows.get(amendment.target_clause_id)
        if amendment.target_clause_id is not None
        else None
    )
    # The same segments word_diff gives when one side is empty, without the work.
    if amendment.kind == AmendmentKind.INSERT:
        diff = [DiffSegment("insert", amendment.text)] if amendment.text else []
    else:
        current = target.text if target is not None else ""
        if before_adoption is not None:
            current = before_adoption
        if amendment.kind == AmendmentKind.DELETE:
            diff = [DiffSegment("delete", current)] if current else []
        else:
            diff = word_diff(current, amendment.text)
    stale = _is_stale(amendment, written, target)
    original: list[DiffSegment] = []
    if stale:
        original = word_diff(
            written or "", "" if amendment.kind == AmendmentKind.DELETE else amendment.text
        )
    return AmendmentView(
        amendment=amendment,
        label=_label(amendment, page.numbered, page.resolution.numbering_style, page.references),
        target=page.numbered.get(amendment.target_clause_id)
        if amendment.target_clause_id
        else None,
        diff=diff,
        is_stale=stale,
        original_diff=original,
        confirmed_sponsors=[
            s.participant
            for s in sorted(amendment.sponsors, key=lambda s: s.responded_at or s.invited_at)
            if s.status == SponsorStatus.CONFIRMED
        ],
        actions=(
            _actions(
                amendment,
                viewer,
                page.resolution,
                page.conference,
                now=page.now,
                poll_started=poll_started,
                poll_open=poll_open,
            )
            if viewer is not None
            else frozenset()
        ),
    )


def amendment_view(amendment: Amendment, viewer: Participant | None) -> AmendmentView:
    """One amendment as the pages show it (a few queries)."""
    resolution = amendment.resolution
    clauses = _all_clauses(resolution)
    page = _PageContext(
        resolution=resolution,
        conference=_conference(resolution),
        numbered={c.clause_id: c for c in number_clauses(clauses, resolution.numbering_style)},
        clause_rows={c.id: c for c in clauses},
        now=utcnow(),
    )
    started, open_now = _started_polls([amendment.id])
    before = (
        _texts_before_adoption([amendment.id]).get(amendment.id)
        if amendment.state == AmendmentState.ADOPTED
        else None
    )
    return _view(
        amendment,
        viewer,
        page,
        written=_written_against(amendment),
        before_adoption=before,
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
        raise DraftingError(_("Each amendment may appear only once in the voting order."))
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


# --- the draft page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftPage:
    """What the draft page shows, loaded in a constant number of queries.

    ``amendments_to``: replace/delete amendments by target clause id; ``inserts_before``:
    inserts by the clause they would stand just before in document order (None: at the end;
    an adopted insert stands before the clause it created). Both also carry amendments whose
    clause was deleted, under that clause's id (absent from ``clauses``). Lists are in voting
    order. ``total`` counts the visible amendments before the filters; ``proposers`` are all
    their proposers (for the filter).
    """

    resolution: Resolution
    clauses: list[NumberedClause]
    amendments_to: dict[int, list[AmendmentView]]
    inserts_before: dict[int | None, list[AmendmentView]]
    proposers: list[Participant]
    total: int
    numbered: dict[int | None, NumberedClause] = field(default_factory=dict)
    # Every clause row, deleted ones too. Holding them keeps them in the session's (weak)
    # identity map, so ``amendment.target_clause`` and the like cost no query while the page
    # is drawn.
    clause_rows: dict[int, Clause] = field(default_factory=dict)


def _insert_place(
    amendment: Amendment,
    clauses: list[NumberedClause],
    index: dict[int | None, int],
) -> int | None:
    """The clause an insert amendment stands before in document order (see ``DraftPage``)."""
    if amendment.state == AmendmentState.ADOPTED and amendment.applied_clause_id is not None:
        return amendment.applied_clause_id
    if amendment.after_clause_id is not None:
        if amendment.after_clause_id not in index:
            return amendment.after_clause_id
        at = index[amendment.after_clause_id]
        depth = clauses[at].depth
        at += 1
        while at < len(clauses) and clauses[at].depth > depth:
            at += 1
        return clauses[at].clause_id if at < len(clauses) else None
    if amendment.parent_clause_id is not None:
        if amendment.parent_clause_id not in index:
            return amendment.parent_clause_id
        at = index[amendment.parent_clause_id] + 1
        return clauses[at].clause_id if at < len(clauses) else None
    if amendment.new_clause_kind == ClauseKind.PREAMBULAR:
        return clauses[0].clause_id if clauses else None
    return next((c.clause_id for c in clauses if c.kind == ClauseKind.OPERATIVE), None)


def draft_page_data(
    resolution: Resolution,
    viewer: Participant | None = None,
    *,
    state: AmendmentState | None = None,
    states: Iterable[AmendmentState] | None = None,
    proposer_id: int | None = None,
) -> DraftPage:
    """The numbered text and the amendments beneath each clause, in five queries whatever the
    size of the resolution: clauses, amendments with proposers and sponsors, the versions
    they were written against, the texts adopted ones replaced, and the polls on them.

    Drafts are visible only to their proposer and to the delegates invited to co-sponsor
    them. ``state``/``states`` and ``proposer_id`` filter the amendments shown (``total`` and
    ``proposers`` ignore the filters).
    """
    all_clauses = _all_clauses(resolution)
    clauses = number_clauses(all_clauses, resolution.numbering_style)
    numbered: dict[int | None, NumberedClause] = {c.clause_id: c for c in clauses}
    index: dict[int | None, int] = {c.clause_id: i for i, c in enumerate(clauses)}

    amendments = list(
        db.session.scalars(
            sa.select(Amendment)
            .where(Amendment.resolution_id == resolution.id)
            .options(
                # One query however many amendments, even none (a selectinload would add
                # one only when there are amendments).
                joinedload(Amendment.proposer).joinedload(Participant.user),
                joinedload(Amendment.sponsors)
                .joinedload(AmendmentSponsor.participant)
                .joinedload(Participant.user),
            )
        ).unique()
    )
    visible = [
        a
        for a in amendments
        if a.state != AmendmentState.DRAFT
        or (
            viewer is not None
            and (
                a.proposer_id == viewer.id or any(s.participant_id == viewer.id for s in a.sponsors)
            )
        )
    ]
    proposers = sorted(
        {a.proposer_id: a.proposer for a in visible}.values(), key=lambda p: (p.user.name, p.id)
    )
    total = len(visible)
    wanted: set[AmendmentState] | None = None
    if states is not None or state is not None:
        wanted = set(states or ()) | ({state} if state is not None else set())
    shown = [
        a
        for a in visible
        if (wanted is None or a.state in wanted)
        and (proposer_id is None or a.proposer_id == proposer_id)
    ]
    shown.sort(key=_voting_key)

    # Written-against texts, in one query.
    written: dict[int, str] = {
        amendment_id: text
        for amendment_id, text in db.session.execute(
            sa.select(Amendment.id, ClauseVersion.text)
            .join(
                ClauseVersion,
                sa.and_(
                    ClauseVersion.clause_id == Amendment.target_clause_id,
                    ClauseVersion.version == Amendment.target_version,
                ),
            )
            .where(Amendment.resolution_id == resolution.id)
        )
    }
    before = _texts_before_adoption(
        [
            a.id
            for a in shown
            if a.state == AmendmentState.ADOPTED and a.kind != AmendmentKind.INSERT
        ]
    )
    started, open_now = _started_polls([a.id for a in shown if a.state in PENDING_STATES])
    page = _PageContext(
        resolution=resolution,
        conference=_conference(resolution),
        numbered=numbered,
        clause_rows={c.id: c for c in all_clauses},
        now=utcnow(),
    )
    amendments_to: dict[int, list[AmendmentView]] = {}
    inserts_before: dict[int | None, list[AmendmentView]] = {}
    for amendment in shown:
        view = _view(
            amendment,
            viewer,
            page,
            written=written.get(amendment.id),
            before_adoption=before.get(amendment.id),
            poll_started=amendment.id in started,
            poll_open=amendment.id in open_now,
        )
        if amendment.kind == AmendmentKind.INSERT:
            inserts_before.setdefault(_insert_place(amendment, clauses, index), []).append(view)
        else:
            target_id = amendment.target_clause_id
            assert target_id is not None  # the database's check: replace/delete have a target
            amendments_to.setdefault(target_id, []).append(view)
    return DraftPage(
        resolution=resolution,
        clauses=clauses,
        amendments_to=amendments_to,
        inserts_before=inserts_before,
        proposers=proposers,
        total=total,
        numbered=numbered,
        clause_rows=page.clause_rows,
    )


# --- amendments: proposing --------------------------------------------------------------------


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
            raise DraftingError(_("Choose the clause to amend."), "target")
        if target.resolution_id != resolution.id:
            raise DraftingError(_("That clause belongs to another resolution."), "target")
        if target.is_deleted:
            raise StaleError(
                _("This clause has been deleted; it can no longer be amended."), "target"
            )
        if kind == AmendmentKind.DELETE:
            return _Shape("", target, None, None, None)
        text = _clean_clause_text(text)
        if text == target.text:
            raise DraftingError(
                _("The new text is the same as the current text: change something."), "text"
            )
        return _Shape(text, target, None, None, None)
    # Insert.
    if target is not None:
        raise DraftingError(_("An insertion does not replace a clause."), "target")
    if parent is not None:
        new_clause_kind = ClauseKind.OPERATIVE if new_clause_kind is None else new_clause_kind
    if new_clause_kind is None:
        raise DraftingError(_("Choose where the new clause goes."), "position")
    _check_parent(resolution, parent, new_clause_kind)
    if after is not None:
        if after.resolution_id != resolution.id:
            raise DraftingError(_("That clause belongs to another resolution."), "position")
        if after.is_deleted:
            raise StaleError(_("That clause has been deleted. Choose another place."), "position")
        if after.kind != new_clause_kind or after.parent_id != (parent.id if parent else None):
            raise DraftingError(
                _("A clause can only be placed among clauses of the same kind and level."),
                "position",
            )
    text = _clean_clause_text(text)
    return _Shape(text, None, new_clause_kind, parent, after)


def _clean_justification(justification: str | None) -> str:
    return _clean(
        justification, limit=MAX_JUSTIFICATION_CHARS, field="justification", required=False
    )


def propose_amendment(
    resolution: Resolution,
    proposer: Participant,
    *,
    kind: AmendmentKind,
    text: str = "",
    justification: str = "",
    target: Clause | None = None,
    new_clause_kind: ClauseKind | None = None,
    parent: Clause | None = None,
    after: Clause | None = None,
) -> Amendment:
    """A delegate (or the chair) drafts an amendment; only they see it until they submit it.

    replace: ``target`` and its new ``text`` (which must differ); delete: ``target``; insert:
    ``text`` and its place: ``new_clause_kind``, ``parent`` (a sub-clause) and ``after``
    (None: first among its siblings). Records the target's version it was written against.
    Refused after the amendment deadline.
    """
    _require_member(proposer, resolution)
    if not has_role(proposer, Role.DELEGATE):
        raise PermissionDenied(_("Only delegates may propose amendments."))
    _require_open(resolution)
    now = utcnow()
    _deadline_check(_conference(resolution), now)
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
    new_clause_kind: ClauseKind | None = None,
    parent: Clause | None = None,
    after: Clause | None = None,
) -> Amendment:
    """The proposer changes their draft: its text and justification, and an insert's place
    (``new_clause_kind``/``parent``/``after``; ignored for replace and delete). The kind and
    the target stay. A replace or delete is now written against the target's current version.
    """
    _require_proposer(amendment, actor, _("Only the proposer may edit an amendment."))
    resolution = amendment.resolution
    _require_open(resolution)
    _lock(amendment)
    if amendment.state != AmendmentState.DRAFT:
        raise DraftingError(
            _(
                "Only a draft can be edited; this amendment is %(state)s.",
                state=label(AMENDMENT_STATE, amendment.state),
            )
        )
    insert = amendment.kind == AmendmentKind.INSERT
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
    if amendment.state != AmendmentState.DRAFT:
        raise DraftingError(
            _(
                "Only a draft can be discarded; this amendment is %(state)s.",
                state=label(AMENDMENT_STATE, amendment.state),
            )
        )
    _record("amendment.discarded", resolution, actor.user, amendment, {})
    db.session.delete(amendment)
    db.session.flush()


def _clause(clause_id: int | None) -> Clause | None:
    # By id rather than through the relationship: an id changed in this session (an insert
    # re-anchored) is seen at once.
    return db.session.get(Clause, clause_id) if clause_id is not None else None


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
    if amendment.state != AmendmentState.DRAFT:
        raise DraftingError(
            _(
                "Only a draft can be submitted; this amendment is %(state)s.",
                state=label(AMENDMENT_STATE, amendment.state),
            )
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


def _poll_started(amendment: Amendment) -> tuple[bool, bool]:
    started, open_now = _started_polls([amendment.id])
    return amendment.id in started, amendment.id in open_now


def withdraw_amendment(amendment: Amendment, actor: Participant) -> None:
    """The proposer withdraws their submitted or admitted amendment, before a poll on it has
    opened (a draft is discarded instead)."""
    _require_proposer(amendment, actor, _("Only the proposer may withdraw an amendment."))
    resolution = amendment.resolution
    _require_open(resolution)
    _lock(amendment)
    if amendment.state not in PENDING_STATES:
        raise DraftingError(
            _(
                "Only a submitted or admitted amendment can be withdrawn; this one is %(state)s.",
                state=label(AMENDMENT_STATE, amendment.state),
            )
        )
    if _poll_started(amendment)[0]:
        raise DraftingError(
            _("A poll on this amendment has opened; it can no longer be withdrawn.")
        )
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
    if amendment.state != AmendmentState.SUBMITTED:
        raise DraftingError(
            _(
                "Only a submitted amendment can be admitted; this one is %(state)s.",
                state=label(AMENDMENT_STATE, amendment.state),
            )
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
    if amendment.state != AmendmentState.SUBMITTED:
        raise DraftingError(
            _(
                "Only a submitted amendment can be ruled out of order; this one is %(state)s.",
                state=label(AMENDMENT_STATE, amendment.state),
            )
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


# --- co-sponsors ------------------------------------------------------------------------------


def invite_sponsor(
    amendment: Amendment, actor: Participant, sponsor: Participant | None
) -> AmendmentSponsor:
    """The proposer invites a delegate of the conference to co-sponsor; the delegate must
    confirm. One who declined may be invited again."""
    _require_proposer(amendment, actor, _("Only the proposer may invite co-sponsors."))
    resolution = amendment.resolution
    _require_open(resolution)
    if amendment.state not in LIVE_STATES:
        raise DraftingError(
            _(
                "Co-sponsors can no longer be invited: the amendment is %(state)s.",
                state=label(AMENDMENT_STATE, amendment.state),
            )
        )
    if (
        sponsor is None
        or sponsor.conference_id != resolution.conference_id
        or not has_role(sponsor, Role.DELEGATE)
    ):
        raise DraftingError(_("Choose a delegate of this conference."), "participant")
    if sponsor.id == amendment.proposer_id:
        raise DraftingError(_("The proposer cannot co-sponsor their own amendment."), "participant")
    now = utcnow()
    existing = db.session.get(AmendmentSponsor, (amendment.id, sponsor.id))
    if existing is not None and existing.status == SponsorStatus.CONFIRMED:
        raise DraftingError(
            _("%(name)s already co-sponsors this amendment.", name=sponsor.name), "participant"
        )
    if existing is not None and existing.status == SponsorStatus.INVITED:
        raise DraftingError(
            _("%(name)s has already been invited.", name=sponsor.name), "participant"
        )
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
        raise DraftingError(_("You have already answered this invitation."))
    if amendment.state not in LIVE_STATES:
        raise DraftingError(
            _(
                "The amendment is %(state)s; the invitation has lapsed.",
                state=label(AMENDMENT_STATE, amendment.state),
            )
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


# --- deciding ---------------------------------------------------------------------------------


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


def _apply_replace(
    amendment: Amendment, target: Clause, actor: User | None, now: datetime, reason: str
) -> list[Amendment]:
    target.text = amendment.text
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
    if amendment.state != AmendmentState.ADMITTED:
        raise DraftingError(
            _(
                "Only an admitted amendment can be adopted; this one is %(state)s.",
                state=label(AMENDMENT_STATE, amendment.state),
            )
        )
    now = utcnow()
    name = amendment_name(amendment)
    reason = _("Made obsolete by the adoption of %(amendment)s.", amendment=name)
    obsolete: list[Amendment] = []
    if amendment.kind == AmendmentKind.INSERT:
        _apply_insert(amendment, actor, now)
    else:
        target = _clause(amendment.target_clause_id)
        if target is None or target.is_deleted:
            raise StaleError(_("The clause this amendment concerns has been deleted."))
        _lock(target)
        if amendment.kind == AmendmentKind.REPLACE:
            obsolete = _apply_replace(amendment, target, actor, now, reason)
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
        },
    )
    return obsolete


def adopt_amendment(
    amendment: Amendment, actor: User | None, *, poll_id: int | None = None
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
    return _adopt(amendment, actor, poll_id=poll_id, by_consent=False)


def adopt_by_consent(amendment: Amendment, actor: Participant) -> list[Amendment]:
    """The chair adopts an admitted amendment "by general consent", without a poll, as
    conferences do for uncontested changes; not while a poll on it is open. See
    ``adopt_amendment`` for what it does to the text and to other amendments."""
    resolution = amendment.resolution
    _require_member(actor, resolution)
    if not has_role(actor, Role.CHAIR):
        raise PermissionDenied(_("Only the chair may adopt an amendment by general consent."))
    if _poll_started(amendment)[1]:
        raise DraftingError(_("A poll on this amendment is open; wait for its result."))
    return _adopt(amendment, actor.user, poll_id=None, by_consent=True)


def reject_amendment(
    amendment: Amendment, actor: User | None, *, poll_id: int | None = None
) -> None:
    """A poll rejected an admitted amendment; the text does not change."""
    resolution = amendment.resolution
    _require_open(resolution)
    _lock(amendment)
    if amendment.state != AmendmentState.ADMITTED:
        raise DraftingError(
            _(
                "Only an admitted amendment can be rejected; this one is %(state)s.",
                state=label(AMENDMENT_STATE, amendment.state),
            )
        )
    amendment.state = AmendmentState.REJECTED
    amendment.decided_at = utcnow()
    db.session.flush()
    _record(
        "amendment.rejected",
        resolution,
        actor,
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
    return pending


def adopt_resolution(
    resolution: Resolution, actor: User | None, *, poll_id: int | None = None
) -> list[Amendment]:
    """The resolution as a whole is adopted: its text is locked (no more edits, amendments or
    transitions). Amendments still submitted or admitted become obsolete; they are returned."""
    return _decide_resolution(resolution, actor, ResolutionState.ADOPTED, poll_id)


def reject_resolution(
    resolution: Resolution, actor: User | None, *, poll_id: int | None = None
) -> list[Amendment]:
    """The resolution as a whole is rejected: locked like an adopted one."""
    return _decide_resolution(resolution, actor, ResolutionState.REJECTED, poll_id)


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


__all__ = [
    "ACTIONS",
    "AmendmentView",
    "DraftPage",
    "DraftingError",
    "PermissionDenied",
    "StaleError",
    "adopt_amendment",
    "adopt_by_consent",
    "adopt_resolution",
    "allowed_actions",
    "amendment_diff",
    "amendment_history",
    "amendment_label",
    "amendment_name",
    "amendment_original_diff",
    "amendment_preview",
    "amendment_view",
    "anchor_clause_id",
    "can_view_amendment",
    "clause_history",
    "clause_reference",
    "create_resolution",
    "delete_clause",
    "discard_amendment",
    "draft_page_data",
    "edit_clause",
    "import_draft",
    "invite_sponsor",
    "is_stale",
    "list_resolutions",
    "move_clause",
    "numbered_text",
    "propose_amendment",
    "reject_amendment",
    "reject_resolution",
    "respond_to_sponsorship",
    "rule_out_of_order",
    "set_vote_order",
    "sponsor_candidates",
    "submit_amendment",
    "target_change_diff",
    "text_at",
    "text_at_poll",
    "update_amendment",
    "vote_order_groups",
    "voting_queue",
    "withdraw_amendment",
]
