"""The draft with amendments: every clause with the amendments on it, as a PDF."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from resolutions.documents.content.resolution import resolution_dateline
from resolutions.documents.render import PdfFile, created_stamp, datetime_in_words, render_pdf
from resolutions.drafting import service as drafting
from resolutions.drafting.text import NumberedClause, excerpt
from resolutions.models import AmendmentState, ClauseKind, NumberingStyle, Resolution, utcnow

# --- the draft with amendments ----------------------------------------------------------------

EXCERPT_LENGTH = 48
# The delegates' paper shows every amendment but a private draft.
SHOWN_STATES = tuple(s for s in AmendmentState if s != AmendmentState.DRAFT)


@dataclass(frozen=True)
class DraftEntry:
    """One clause of the current text followed by the amendments to it: those that replace or
    delete it, then the inserts that would stand right after it (the draft page's
    ``inserts_before`` the next clause)."""

    clause: NumberedClause
    heading: str
    amendments: list[drafting.AmendmentView]

    @property
    def numbers(self) -> list[str]:
        return [drafting.amendment_name(view.amendment) for view in self.amendments]

    @property
    def excerpt(self) -> str:
        """The clause's first words, for the table of contents."""
        return excerpt(self.clause.text.replace("*", ""), EXCERPT_LENGTH, whole_words=True)


@dataclass(frozen=True)
class DraftDocument:
    leading: list[drafting.AmendmentView]  # inserts before the first clause
    entries: list[DraftEntry]
    orphans: list[drafting.AmendmentView]  # amendments to clauses deleted since
    amendment_count: int

    @property
    def leading_numbers(self) -> list[str]:
        return [drafting.amendment_name(view.amendment) for view in self.leading]

    @property
    def orphan_numbers(self) -> list[str]:
        return [drafting.amendment_name(view.amendment) for view in self.orphans]


def clause_heading(clause: NumberedClause, style: NumberingStyle) -> str:
    """ "Preambular paragraph 2", "Operative paragraph 3(a)", "Paragraph 4"."""
    if style == NumberingStyle.PARAGRAPHS:
        return _("Paragraph %(number)s", number=clause.number_path)
    if clause.kind == ClauseKind.PREAMBULAR:
        return _("Preambular paragraph %(number)s", number=clause.number_path.removeprefix("P"))
    return _("Operative paragraph %(number)s", number=clause.number_path)


def draft_document(resolution: Resolution) -> DraftDocument:
    """The current text with every amendment that is not a private draft, from the same
    ``draft_page_data`` the draft page uses (same numbering, labels, diffs and order)."""
    page = drafting.draft_page_data(resolution, None, states=SHOWN_STATES)
    clauses = page.clauses
    in_text = {c.clause_id for c in clauses}
    entries = []
    for index, clause in enumerate(clauses):
        following = clauses[index + 1].clause_id if index + 1 < len(clauses) else None
        entries.append(
            DraftEntry(
                clause=clause,
                heading=clause_heading(clause, resolution.numbering_style),
                amendments=[
                    *page.amendments_to.get(clause.clause_id or 0, []),
                    *page.inserts_before.get(following, []),
                ],
            )
        )
    leading = page.inserts_before.get(clauses[0].clause_id, []) if clauses else []
    if not clauses:
        leading = page.inserts_before.get(None, [])
    orphans = [
        view
        for views in (page.amendments_to, page.inserts_before)
        for key, group in views.items()
        if key is not None and key not in in_text
        for view in group
    ]
    orphans.sort(key=lambda v: (v.amendment.number or 0, v.amendment.id))
    count = len(leading) + sum(len(e.amendments) for e in entries) + len(orphans)
    return DraftDocument(leading, entries, orphans, count)


def draft_pdf(resolution: Resolution, *, language: str) -> PdfFile:
    """The paper delegates hold during the sitting: clause by clause, with the amendments."""
    with force_locale(language):
        document = draft_document(resolution)
    context: dict[str, Any] = {
        "conference": resolution.conference,
        "resolution": resolution,
        "document": document,
        "dateline": resolution_dateline(resolution, language),
        "as_of": datetime_in_words(utcnow(), language),
        "created": created_stamp(utcnow()),
    }
    return PdfFile(
        render_pdf("documents/draft.html", language, **context),
        f"draft-with-amendments-{resolution.id}-{language}.pdf",
    )
