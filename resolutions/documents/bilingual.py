"""Which language the resolution's text is printed in: the first, the second, or both side by
side; and what a version in the second language lacks.

The conference drafts and votes in its first language; each clause may carry its text in the
second (``rules.languages``). A document in the second language prints those translations,
each gap marked, followed by the first-language text. A bilingual document (two aligned
columns) with gaps is refused with the list of clauses (``TranslationsMissing``) unless the
secretariat insists; then each gap is marked. A gap is never filled silently.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from flask_babel import force_locale
from flask_babel import gettext as _

from resolutions.documents.resolution_data import NumberedLike
from resolutions.drafting.service import clause_reference
from resolutions.errors import DomainError
from resolutions.models import NumberingStyle
from resolutions.rules.languages import (
    HasLanguage,
    first_language,
    has_current_translation,
    second_language,
)

BILINGUAL = "bilingual"  # the value of the ``lang`` choice for both languages side by side


class TextMode(enum.StrEnum):
    FIRST = "first"
    SECOND = "second"
    BOTH = "both"


class DocumentClause(NumberedLike, Protocol):
    """What is printed of a clause: a ``NumberedClause`` or a ``FrozenClause``, with its
    translation."""

    @property
    def translation(self) -> str: ...
    @property
    def translation_needed(self) -> bool: ...


@dataclass(frozen=True)
class TextChoice:
    """A document's languages: ``language`` for its frame (heading, dates, footer) and which
    version of the clauses it prints."""

    language: str
    mode: TextMode


def text_choice(conference: HasLanguage, requested: str | None) -> TextChoice:
    """``requested`` is "ru", "en" or "bilingual"; anything else means the first language."""
    first, second = first_language(conference), second_language(conference)
    if requested == BILINGUAL:
        return TextChoice(first, TextMode.BOTH)
    if requested == second:
        return TextChoice(second, TextMode.SECOND)
    return TextChoice(first, TextMode.FIRST)


class TranslationsMissing(DomainError):
    """The clauses (their references, in document order) whose second-language text is
    missing or outdated (409: the documents page lists them)."""

    def __init__(self, references: list[str]) -> None:
        super().__init__(", ".join(references))
        self.references = references


@dataclass(frozen=True)
class Cell:
    """One language's text of one clause, as a column prints it. ``mark`` names a gap
    ("translation missing" / "translation outdated") in ``language``; ``text`` may then be
    empty, or the outdated translation kept for reference."""

    language: str
    text: str
    mark: str = ""


@dataclass(frozen=True)
class ParallelClause:
    """A clause with its cells: one (a one-language document) or two (first, second)."""

    clause: DocumentClause
    cells: tuple[Cell, ...]

    # What the clause macro reads.
    @property
    def kind(self) -> str:
        return self.clause.kind

    @property
    def depth(self) -> int:
        return self.clause.depth

    @property
    def label(self) -> str:
        return self.clause.label

    clause_id = None


def missing_references(clauses: Iterable[DocumentClause], style: NumberingStyle) -> list[str]:
    """How the product names each clause without a current translation, in document order."""
    return [
        clause_reference(c, style)  # type: ignore[arg-type]
        for c in clauses
        if not has_current_translation(c.translation, c.translation_needed)
    ]


def _marks(language: str) -> tuple[str, str]:
    with force_locale(language):
        return _("Translation missing"), _("Translation outdated: the text has since changed")


def parallel_text(
    clauses: Sequence[DocumentClause],
    conference: HasLanguage,
    mode: TextMode,
    style: NumberingStyle,
    *,
    insist: bool,
) -> list[ParallelClause]:
    """The clauses with the cells ``mode`` prints. Both languages side by side with gaps
    raise ``TranslationsMissing`` unless ``insist``. Each gap is marked in its cell; in a
    second-language document the clause's first-language text stands after the mark."""
    first, second = first_language(conference), second_language(conference)
    if mode == TextMode.BOTH and not insist:
        missing = missing_references(clauses, style)
        if missing:
            raise TranslationsMissing(missing)
    missing_mark, outdated_mark = _marks(second)
    rows = []
    for clause in clauses:
        own = Cell(first, clause.text)
        if mode == TextMode.FIRST:
            rows.append(ParallelClause(clause, (own,)))
            continue
        if not clause.translation:
            other = Cell(second, "", missing_mark)
        elif clause.translation_needed:
            other = Cell(second, clause.translation, outdated_mark)
        else:
            other = Cell(second, clause.translation)
        if mode == TextMode.SECOND:
            # A gap keeps the first-language text beside its mark, in its own language.
            rows.append(ParallelClause(clause, (other, own) if other.mark else (other,)))
        else:
            rows.append(ParallelClause(clause, (own, other)))
    return rows
