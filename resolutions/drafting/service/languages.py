"""What a reader of the conference's second language reads of a poll's subject: the clause
or amendment as translated, where a current translation exists (``rules.languages``).

Numbering, structure and the vote stay one: a poll is on the clause, whichever language is
read. This module only picks the words shown: the translation of the clause as it stood when
the poll opened, the amendment's own translation, and the word diff between translations. A
text without a current translation is shown in the first language, as frozen at opening.
"""

from __future__ import annotations

from dataclasses import dataclass

from resolutions.drafting.service.clauses import numbered_text, text_at_poll
from resolutions.drafting.text import DiffSegment, NumberedClause, word_diff
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AmendmentKind,
    Clause,
    Conference,
    Poll,
    PollSubject,
    Resolution,
)
from resolutions.rules.languages import (
    first_language,
    has_current_translation,
    reads_translation,
    second_language,
)


@dataclass(frozen=True)
class ReaderText:
    """A poll's subject in the reader's language: ``text`` (the words) in ``language``, and
    ``diff`` (an amendment's change between the translations) when the reader reads the
    second language and both sides have one; None otherwise (the first-language diff stands)."""

    text: str
    language: str
    diff: list[DiffSegment] | None = None
    translated: bool = False


def _current(clause: NumberedClause | Clause | None) -> str | None:
    if clause is None or not has_current_translation(clause.translation, clause.translation_needed):
        return None
    return clause.translation


def _clause_at_poll(poll: Poll, clause_id: int | None) -> NumberedClause | None:
    if clause_id is None or poll.resolution_id is None:
        return None
    return next((c for c in text_at_poll(poll) if c.clause_id == clause_id), None)


def poll_subject_for_reader(poll: Poll, reader_language: str | None) -> ReaderText:
    """The subject of ``poll`` as a reader of ``reader_language`` reads it (see the module)."""
    conference = db.session.get(Conference, poll.conference_id)
    assert conference is not None
    first = ReaderText(poll.subject_text, first_language(conference))
    if not reads_translation(conference, reader_language):
        return first
    second = second_language(conference)
    if poll.subject == PollSubject.CLAUSE:
        translated = _current(_clause_at_poll(poll, poll.clause_id))
        return ReaderText(translated, second, translated=True) if translated else first
    if poll.subject == PollSubject.RESOLUTION and poll.resolution_id is not None:
        resolution = db.session.get(Resolution, poll.resolution_id)
        assert resolution is not None
        clauses = text_at_poll(poll) if poll.opened_at else numbered_text(resolution)
        translations = [_current(c) for c in clauses]
        if not clauses or None in translations:
            return first  # all in one language rather than a mixture
        return ReaderText(
            "\n\n".join(
                f"{c.label} {t}".strip() for c, t in zip(clauses, translations, strict=True)
            ),
            second,
            translated=True,
        )
    if poll.subject == PollSubject.AMENDMENT and poll.amendment_id is not None:
        amendment = db.session.get(Amendment, poll.amendment_id)
        assert amendment is not None
        return _amendment_for_reader(poll, amendment, first, second)
    return first


def _amendment_for_reader(
    poll: Poll, amendment: Amendment, first: ReaderText, second: str
) -> ReaderText:
    # The target as it stood when the poll opened (now, for a poll not opened yet).
    target: NumberedClause | Clause | None = (
        _clause_at_poll(poll, amendment.target_clause_id)
        if poll.opened_at
        else amendment.target_clause
    )
    target_translation = _current(target)
    if amendment.kind == AmendmentKind.DELETE:
        if target_translation is None:
            return first
        return ReaderText(target_translation, second, [DiffSegment("delete", target_translation)])
    if not amendment.translation:
        return first
    if amendment.kind == AmendmentKind.INSERT:
        return ReaderText(
            amendment.translation, second, [DiffSegment("insert", amendment.translation)], True
        )
    if target_translation is None:
        return ReaderText(amendment.translation, second, translated=True)
    return ReaderText(
        amendment.translation,
        second,
        word_diff(target_translation, amendment.translation),
        True,
    )
