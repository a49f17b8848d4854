"""Resolutions and their clauses: creating and editing a draft (secretariat), clause
positions and versions, and the text as it stands now or stood at a moment (a poll's
opening). Moving and deleting clauses is in ``clause_tree``, importing a pasted draft in
``importing``.

Positions. ``Clause.position`` orders siblings (same resolution, kind and parent) with gaps of
``GAP``, so inserting or moving a clause writes that one row. Only when two neighbours leave no
room are the siblings spread out again, each getting a "move" version so that the text at any
earlier moment can still be rebuilt from the versions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from resolutions.drafting.service._common import (
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
from resolutions.drafting.text import (
    ClauseSnapshot,
    NumberedClause,
    number_clauses,
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
