"""Importing a pasted draft: the parsed paragraphs of a confirmed preview become clauses, all
or none (the parser is ``drafting.text``)."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _

from resolutions.drafting.service._common import (
    MAX_IMPORT_PARAGRAPHS,
    _clean_clause_text,
    _record,
    _require_open,
    _require_secretariat,
)
from resolutions.drafting.service.clauses import (
    GAP,
    MAX_DEPTH,
    _siblings,
    _write_version,
)
from resolutions.drafting.text import (
    ParsedParagraph,
    paragraph_parents,
)
from resolutions.errors import DomainError
from resolutions.extensions import db
from resolutions.models import (
    Clause,
    ClauseKind,
    Participant,
    Resolution,
    utcnow,
)


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
