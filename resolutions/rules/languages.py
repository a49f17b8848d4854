"""The conference's two working languages, and which text a reader sees.

A conference works in its language (``Conference.language``, the first language: the text
that is amended and voted) and in the other one, the second language: each clause may carry
a translation (``Clause.translation``). Pure rules: no Flask request and no database.
"""

from __future__ import annotations

from typing import Protocol

WORKING_LANGUAGES = ("ru", "en")
# Each language by its own name, as a language menu or a column of a bilingual text shows it.
OWN_NAME = {"ru": "Русский", "en": "English"}


class HasLanguage(Protocol):
    @property
    def language(self) -> str: ...


def first_language(conference: HasLanguage) -> str:
    """The language the conference drafts and votes in ("ru" unless it says "en")."""
    return conference.language if conference.language in WORKING_LANGUAGES else "ru"


def second_language(conference: HasLanguage) -> str:
    """The conference's other working language: "en" for a Russian conference, "ru" for an
    English one."""
    return "en" if first_language(conference) == "ru" else "ru"


def reads_translation(conference: HasLanguage, reader_language: str | None) -> bool:
    """Whether a reader whose language is ``reader_language`` reads the second language."""
    return reader_language == second_language(conference)


def has_current_translation(translation: str, translation_needed: bool) -> bool:
    """A translation that matches the first-language text: given, and not outdated."""
    return bool(translation) and not translation_needed


def text_for_reader(
    text: str,
    translation: str,
    translation_needed: bool,
    conference: HasLanguage,
    reader_language: str | None,
) -> tuple[str, str]:
    """What a reader sees of a clause where one text is shown (ballot, projector, record) and
    in which language: the translation when the reader reads the second language and a
    current one exists; else the first-language text. An outdated translation is never shown
    as the text voted on."""
    if has_current_translation(translation, translation_needed) and reads_translation(
        conference, reader_language
    ):
        return translation, second_language(conference)
    return text, first_language(conference)
