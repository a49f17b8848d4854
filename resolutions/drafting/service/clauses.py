"""Resolutions and their clauses: creating and editing a draft (secretariat), clause
positions and versions, importing a pasted draft, and the text as it stands now or stood at a
moment (a poll's opening).

Positions. ``Clause.position`` orders siblings (same resolution, kind and parent) with gaps of
``GAP``, so inserting or moving a clause writes that one row. Only when two neighbours leave no
room are the siblings spread out again, each getting a "move" version so that the text at any
earlier moment can still be rebuilt from the versions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from resolutions.drafting.service._common import (
    MAX_IMPORT_PARAGRAPHS,
    MAX_TITLE_CHARS,
    _clean,
    _clean_clause_text,
    _clean_translation,
    _lock,
    _record,
    _require_open,
    _require_secretariat,
    require_version,
)
from resolutions.drafting.service.obsolescence import _after_deletion
from resolutions.drafting.text import (
    ClauseSnapshot,
    NumberedClause,
    ParsedParagraph,
    number_clauses,
    paragraph_parents,
)
from resolutions.errors import DomainError, StaleError
from resolutions.extensions import db
from resolutions.models import (
    Clause,
    ClauseKind,
    ClauseVersion,
    Conference,
    NumberingStyle,
    Participant,
    Poll,
    Resolution,
    User,
    utcnow,
)
from resolutions.rules.languages import has_current_translation, second_language

GAP = 1024
MAX_DEPTH = 2  # clause (0), sub-clause (a) (1), sub-sub-clause (i) (2)


# --- reading the text -------------------------------------------------------------------------


def _all_clauses(resolution: Resolution) -> list[Clause]:
    # Deleted ones too: they are few, and having them in the session means that
    # ``amendment.target_clause`` of an amendment to a deleted clause costs no query.
    return list(db.session.scalars(sa.select(Clause).where(Clause.resolution_id == resolution.id)))


def _clause(clause_id: int | None) -> Clause | None:
    # By id rather than through the relationship: an id changed in this session (an insert
    # re-anchored) is seen at once.
    return db.session.get(Clause, clause_id) if clause_id is not None else None


def clause_rows(resolution: Resolution) -> dict[int, Clause]:
    """Every clause row of ``resolution`` by id, deleted ones too (one query)."""
    return {clause.id: clause for clause in _all_clauses(resolution)}


def clause_of(resolution: Resolution, clause_id: int | None) -> Clause | None:
    """The clause ``clause_id`` if it belongs to ``resolution`` (None for a form's choice that
    is not there)."""
    clause = _clause(clause_id)
    return clause if clause is not None and clause.resolution_id == resolution.id else None


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
        translation=version.translation,
        translation_needed=version.translation_needed,
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
    for a poll not opened yet. A poll without a resolution has no text: DomainError."""
    if poll.resolution_id is None:
        raise DomainError(_("This poll is not about a resolution."))
    resolution = db.session.get(Resolution, poll.resolution_id)
    if resolution is None:  # pragma: no cover - the foreign key prevents it
        raise DomainError(_("This poll is not about a resolution."))
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
    actor: Participant,
    title: str,
    numbering_style: NumberingStyle = NumberingStyle.NUMBERED,
) -> Resolution:
    """A new, empty draft resolution (secretariat only), after the conference's others."""
    author = _require_secretariat(conference.id, actor)
    if conference.is_closed:
        raise DomainError(_("The conference is closed; its documents can no longer change."))
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
        author,
        resolution,
        {"title": title, "numbering_style": numbering_style.value},
    )
    return resolution


def update_resolution(
    resolution: Resolution, actor: Participant, *, title: str, numbering_style: NumberingStyle
) -> None:
    """Change the title or the numbering style of a draft (secretariat only)."""
    author = _require_secretariat(resolution.conference_id, actor)
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
        author,
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
        translation=clause.translation,
        translation_needed=clause.translation_needed,
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
        raise DomainError(_("That clause belongs to another resolution."), "position")
    if parent.is_deleted:
        raise StaleError(_("That clause has been deleted. Choose another place."), "position")
    if parent.kind != ClauseKind.OPERATIVE or kind != ClauseKind.OPERATIVE:
        raise DomainError(_("Only operative clauses have sub-clauses."), "position")
    if _depth(parent) >= MAX_DEPTH:
        raise DomainError(
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
            raise DomainError(
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
    translation: str = "",
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
        translation=translation,
        translation_needed=False,
        version=1,
        created_at=now,
    )
    db.session.add(clause)
    db.session.flush()
    _write_version(clause, reason, author, now, amendment_id)
    return clause


def add_clause(
    resolution: Resolution,
    actor: Participant,
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
    author = _require_secretariat(resolution.conference_id, actor)
    _require_open(resolution)
    text = _clean_clause_text(text)
    clause = _create_clause(
        resolution, kind=kind, text=text, parent=parent, after=after, author=author, now=utcnow()
    )
    db.session.flush()
    _record(
        "clause.added",
        resolution,
        author,
        clause,
        {"kind": kind.value, "number": _reference(resolution, clause.id)},
    )
    return clause


def edit_clause(
    clause: Clause,
    actor: Participant,
    text: str,
    *,
    expected_version: int,
    translation: str | None = None,
) -> Clause:
    """Give ``clause`` a new text (secretariat only), and its translation when ``translation``
    is given (None: the translation is not part of the form), as one new version.

    ``expected_version`` is the version the form showed; if someone changed the clause since,
    the edit is refused (StaleError) rather than overwriting their change. The same texts
    again change nothing. A new first-language text with the translation left as it was
    marks that translation outdated (``translation_needed``), never silently stale; a changed
    translation is current again, and so is an outdated one saved unchanged with the text.
    """
    resolution = clause.resolution
    author = _require_secretariat(resolution.conference_id, actor)
    _require_open(resolution)
    _lock(clause)
    _require_current(clause, expected_version)
    text = _clean_clause_text(text)
    new_translation = clause.translation if translation is None else _clean_translation(translation)
    text_changed = text != clause.text
    # Saving an outdated translation unchanged, with the text unchanged, confirms it.
    translation_changed = new_translation != clause.translation or (
        translation is not None and not text_changed and clause.translation_needed
    )
    if not text_changed and not translation_changed:
        return clause
    clause.text = text
    if translation_changed:
        clause.translation = new_translation
        clause.translation_needed = False
    elif text_changed and clause.translation:
        clause.translation_needed = True
    _bump(clause, "edit" if text_changed else "translation", author, utcnow())
    db.session.flush()
    reference = _reference(resolution, clause.id)
    if text_changed:
        details: dict[str, object] = {"version": clause.version, "number": reference}
        if clause.translation_needed:
            details["translation_needed"] = True
        _record("clause.edited", resolution, author, clause, details)
    if translation_changed:
        _record_translation(resolution, author, clause, reference)
    return clause


def set_translation(
    clause: Clause, actor: Participant, translation: str, *, expected_version: int
) -> Clause:
    """Give ``clause`` its text in the conference's second language (secretariat only), as a
    new version; "" removes it. Saving clears ``translation_needed``: whoever saves it says
    it matches the current text (saving an outdated translation unchanged confirms it).
    ``expected_version``: as for ``edit_clause``.
    """
    resolution = clause.resolution
    author = _require_secretariat(resolution.conference_id, actor)
    _require_open(resolution)
    _lock(clause)
    _require_current(clause, expected_version)
    translation = _clean_translation(translation)
    if translation == clause.translation and not clause.translation_needed:
        return clause
    clause.translation = translation
    clause.translation_needed = False
    _bump(clause, "translation", author, utcnow())
    db.session.flush()
    _record_translation(resolution, author, clause, _reference(resolution, clause.id))
    return clause


def _record_translation(
    resolution: Resolution, actor: User | None, clause: Clause, reference: str
) -> None:
    _record(
        "clause.translated",
        resolution,
        actor,
        clause,
        {
            "version": clause.version,
            "number": reference,
            "language": second_language(resolution.conference),
            **({} if clause.translation else {"removed": True}),
        },
    )


def _require_current(clause: Clause, expected_version: int) -> None:
    """The clause is still there and at the version the form showed (StaleError otherwise)."""
    if clause.is_deleted:
        raise StaleError(_("This clause has been deleted; it can no longer be edited."))
    require_version(
        clause,
        expected_version,
        _(
            "Someone changed this clause while you had the form open (it is now at "
            "version %(version)s). Nothing was saved: read the current text and try again."
        ),
    )


def translation_gaps(numbered: Iterable[NumberedClause]) -> list[NumberedClause]:
    """The clauses of a numbered text whose second-language text is missing or outdated, in
    document order."""
    return [c for c in numbered if not has_current_translation(c.translation, c.translation_needed)]


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


def _import_texts(paragraphs: Sequence[ParsedParagraph]) -> list[str]:
    """The cleaned text of each paragraph to import, after checking the order of the
    paragraphs and their depths; every problem names the paragraph's number."""
    if not paragraphs:
        raise DomainError(_("There is nothing to import: paste the text of the draft."), "text")
    if len(paragraphs) > MAX_IMPORT_PARAGRAPHS:
        raise DomainError(
            _("At most %(limit)s paragraphs can be imported at once.", limit=MAX_IMPORT_PARAGRAPHS),
            "text",
        )
    texts: list[str] = []
    seen_operative = False
    last_depth: int | None = None  # depth of the previous operative paragraph
    for number, paragraph in enumerate(paragraphs, start=1):
        try:
            texts.append(_clean_clause_text(paragraph.text))
        except DomainError as error:
            raise DomainError(
                _("Paragraph %(number)s: %(problem)s", number=number, problem=error.message),
                "text",
            ) from None
        if paragraph.kind == ClauseKind.PREAMBULAR:
            if paragraph.depth != 0:
                raise DomainError(
                    _(
                        "Paragraph %(number)s: preambular paragraphs have no sub-clauses.",
                        number=number,
                    ),
                    "text",
                )
            if seen_operative:
                raise DomainError(
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
            raise DomainError(
                _(
                    "Paragraph %(number)s: a sub-clause must follow an operative clause or "
                    "sub-clause one level up.",
                    number=number,
                ),
                "text",
            )
        seen_operative = True
        last_depth = paragraph.depth
    return texts


def import_draft(
    resolution: Resolution, actor: Participant, paragraphs: Sequence[ParsedParagraph]
) -> list[Clause]:
    """Create the clauses of a confirmed import preview (secretariat only), all or none.

    Preambular paragraphs go after the resolution's existing preambular clauses, operative
    ones after its operative clauses. A paragraph of depth 1 or 2 is a sub-clause of the
    operative paragraph before it; preambular paragraphs must come before operative ones and
    have no sub-clauses. Every problem is reported with the paragraph's number.
    """
    author = _require_secretariat(resolution.conference_id, actor)
    _require_open(resolution)
    texts = _import_texts(paragraphs)

    now = utcnow()
    tops: dict[ClauseKind, int] = {}
    for kind in ClauseKind:
        siblings = _siblings(resolution.id, kind, None)
        tops[kind] = siblings[-1].position if siblings else 0
    # (clause, index of its parent in ``items``, depth); saved level by level so that each
    # level is one batch of INSERTs and the sub-clauses know their parents' ids.
    items: list[tuple[Clause, int | None, int]] = []
    parents = paragraph_parents((p.kind, p.depth) for p in paragraphs)
    children: dict[int, int] = {}
    for paragraph, text, parent_index in zip(paragraphs, texts, parents, strict=True):
        depth = paragraph.depth if paragraph.kind == ClauseKind.OPERATIVE else 0
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
    for level in range(MAX_DEPTH + 1):
        for clause, parent_index, depth in items:
            if depth == level:
                if parent_index is not None:
                    clause.parent_id = items[parent_index][0].id
                db.session.add(clause)
        db.session.flush()
    created = [clause for clause, _parent, _depth in items]
    for clause in created:
        _write_version(clause, "create", author, now)
    db.session.flush()
    _record("resolution.imported", resolution, author, resolution, {"clauses": len(created)})
    return created
