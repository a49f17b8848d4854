"""The resolution and the draft with amendments as Word documents (.docx).

The words come from the same functions as the PDFs (``content.resolution_html_context`` and
the drafting service's ``draft_page_data``); this module only lays them out with python-docx.
The layout is made of the document's own paragraph styles ("Clause", "Sub-clause", …), so a
secretariat restyles the whole text in one place, and the numbers are written as text ("1.",
"(a)") so that they survive any editing and any word processor.

In the draft, every pending amendment is a Word tracked change, with the proposer as author and
the submission time as date: a replace as word-level insertions and deletions in the clause
(the word diff the screen shows), a delete as a deleted paragraph, an insert as an inserted
paragraph. Word and LibreOffice then accept or reject each one. Several amendments to the same
clause are alternatives that one text cannot hold at once: the clause carries a delete if there
is one, else the first replace in voting order, and each other replace follows the clause as an
inserted paragraph with its whole text.

User text only ever reaches the XML through lxml, which escapes it; characters XML 1.0 forbids
(controls, lone surrogates) are removed first, since lxml refuses them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from resolutions.documents import content
from resolutions.documents.bilingual import TextMode
from resolutions.documents.docx_writer import DOCX_MIMETYPE as DOCX_MIMETYPE
from resolutions.documents.docx_writer import (
    PENDING,
    STYLE_CLOSING,
    STYLE_NOTE,
    Change,
    DocxFile,
    _Plan,
    document_filename,
)
from resolutions.documents.render import datetime_in_words
from resolutions.drafting import service as drafting
from resolutions.drafting.text import (
    ClauseSnapshot,
    NumberedClause,
    number_clauses,
    word_diff,
)
from resolutions.labels import POLL_OUTCOME, label
from resolutions.models import (
    Amendment,
    AmendmentKind,
    ClauseKind,
    NumberingStyle,
    Participant,
    Resolution,
    utcnow,
)


def resolution_docx(
    resolution: Resolution,
    me: Participant,
    *,
    language: str,
    include_votes: bool = True,
    include_signatures: bool = True,
    mode: TextMode = TextMode.FIRST,
    insist: bool = False,
) -> DocxFile:
    """The resolution as the PDF has it (heading, preambular and numbered operative clauses,
    adoption line, signatures), from the same context; marked as a draft until adopted.
    ``mode``: the clauses in the first language, the second, or both as a two-column table;
    both with translations missing raise ``TranslationsMissing`` unless ``insist`` (each gap
    is then marked), as for the PDF."""
    context = content.resolution_html_context(
        resolution,
        me,
        language=language,
        include_votes=include_votes,
        include_signatures=include_signatures,
        mode=mode,
        insist=insist,
    )
    conference: content.DocumentConference = context["conference"]  # type: ignore[assignment]  # the template context holds objects
    title: str = context["title"]  # type: ignore[assignment]  # the template context holds objects
    adopted = bool(context["adopted"])
    with force_locale(language):
        writer = _Plan(language, title, conference.title)
        writer.heading(
            conference.title,
            context["kind"],
            title,
            context["dateline"],
        )
        if not adopted:
            writer.paragraph(_("Draft: not adopted. The text may still change."), STYLE_NOTE)
        rows = list(context["rows"])  # type: ignore[call-overload]
        if mode == TextMode.BOTH and rows:
            names: dict[str, str] = context["language_names"]  # type: ignore[assignment]
            first, second = context["first_language"], context["second_language"]
            writer.parallel(
                ((first, names[first]), (second, names[second])),  # type: ignore[index]
                [_row(row) for row in rows],
            )
        else:
            previous_kind = None
            for row in rows:
                writer.versions(
                    str(row.kind),
                    row.depth,
                    row.label,
                    [(cell.language, cell.text, cell.mark) for cell in row.cells],
                    first_operative=previous_kind == ClauseKind.PREAMBULAR
                    and row.kind == ClauseKind.OPERATIVE,
                )
                previous_kind = row.kind
        if not rows:
            writer.paragraph(_("The resolution has no text yet."), STYLE_NOTE)
        _closing(writer, context)
        kind = _("Resolution") if adopted else _("Draft resolution")
        parts = [conference.short_name, kind, title]
        if mode == TextMode.SECOND:
            parts[-1] += f" ({language})"
        elif mode == TextMode.BOTH:
            parts[-1] += f" ({context['first_language']}, {context['second_language']})"
        filename = document_filename(*parts)
    return DocxFile(writer.save(), filename)


def _row(row: Any) -> dict[str, Any]:  # a bilingual.ParallelClause, as plain data
    return {
        "kind": str(row.kind),
        "depth": row.depth,
        "label": row.label,
        "cells": [(cell.language, cell.text, cell.mark) for cell in row.cells],
    }


def _closing(writer: _Plan, context: dict[str, object]) -> None:
    """The adoption line, the figures, the signatures and the record's fingerprints, in the
    words of the PDF (templates/documents/resolution.html)."""
    figures: content.VotingFigures | None = context["figures"]  # type: ignore[assignment]  # the template context holds objects
    if context["adoption_line"]:
        if context["adopted_on"]:
            writer.paragraph(_("Adopted on %(date)s.", date=context["adopted_on"]), STYLE_CLOSING)
        if figures is not None:
            writer.paragraph(_figures_line(figures), STYLE_CLOSING)
            writer.paragraph(
                _(
                    "%(ballot)s, %(method)s. Votes cast: %(participating)s of %(entitled)s "
                    "entitled.",
                    ballot=figures.ballot_kind,
                    method=figures.majority_method.lower(),
                    participating=figures.participating,
                    entitled=figures.entitled,
                ),
                STYLE_CLOSING,
            )
    if context["signatures"]:
        for role, name in ((_("Chair"), context["chair"]), (_("Secretary"), context["secretary"])):
            writer.paragraph(f"{role}\t{'_' * 24}\t{name or ''}", STYLE_CLOSING)
    if context.get("audit_head"):
        writer.paragraph(
            _(
                "Audit log head: %(digest)s. With it, %(command)s shows whether the log has "
                "since been cut back or rewritten.",
                digest=context["audit_head"],
                command="flask audit-verify --head",
            ),
            STYLE_NOTE,
        )
    record = context.get("record")
    if record is not None:
        writer.paragraph(
            _(
                "Adopted text frozen at adoption. SHA-256: %(hash)s.",
                hash=record.sha256,  # type: ignore[attr-defined]  # the template context holds objects
            ),
            STYLE_NOTE,
        )


def _figures_line(figures: content.VotingFigures) -> str:
    votes_for = ngettext("%(num)s vote", "%(num)s votes", figures.yes)
    if figures.outcome.value == "adopted":
        if figures.abstain:
            return _(
                "Adopted by %(votes_for)s to %(against)s, with %(abstentions)s.",
                votes_for=votes_for,
                against=figures.no,
                abstentions=ngettext("%(num)s abstention", "%(num)s abstentions", figures.abstain),
            )
        return _(
            "Adopted by %(votes_for)s to %(against)s, with no abstentions.",
            votes_for=votes_for,
            against=figures.no,
        )
    return _(
        "Not adopted: %(votes_for)s in favour, %(against)s against, %(abstentions)s "
        "abstaining (%(outcome)s).",
        votes_for=figures.yes,
        against=figures.no,
        abstentions=figures.abstain,
        outcome=label(POLL_OUTCOME, figures.outcome),
    )


# --- the draft with amendments ------------------------------------------------------------------


def _change(amendment: Amendment, kind: str) -> Change:
    return Change(kind, amendment.proposer.name, amendment.submitted_at or amendment.created_at)


def inserted_clause(
    amendment: Amendment, clauses: Sequence[NumberedClause], style: NumberingStyle
) -> NumberedClause:
    """The clause an insert amendment would add, numbered as it would read once adopted
    (the clauses after it keep their present numbers in the draft)."""
    kind = amendment.new_clause_kind or ClauseKind.OPERATIVE
    by_id = {c.clause_id: c for c in clauses}
    parent = by_id.get(amendment.parent_clause_id) if amendment.parent_clause_id else None
    after = by_id.get(amendment.after_clause_id) if amendment.after_clause_id else None
    snapshots = [
        ClauseSnapshot(c.clause_id, c.kind, c.parent_id, c.position * 2, c.text) for c in clauses
    ]
    siblings = [
        s for s in snapshots if s.kind == kind and s.parent_id == (parent and parent.clause_id)
    ]
    if after is not None:
        position = after.position * 2 + 1
    elif siblings:
        position = min(s.position for s in siblings) - 1
    else:
        position = 0
    parent_id = parent.clause_id if parent is not None else None
    snapshots.append(ClauseSnapshot(None, kind, parent_id, position, amendment.text))
    new = next(c for c in number_clauses(snapshots, style) if c.clause_id is None)
    return new


def draft_docx(resolution: Resolution, *, language: str) -> DocxFile:
    """The current text with every pending amendment (submitted or admitted) as a tracked
    change, ready for the secretariat to accept the adopted ones and reject the others."""
    conference = resolution.conference
    with force_locale(language):
        page = drafting.draft_page_data(resolution, None, states=PENDING)
        clauses = page.clauses
        in_text = {c.clause_id for c in clauses}
        pending = [
            view.amendment
            for views in (page.amendments_to, page.inserts_before)
            for key, group in views.items()
            if key is None or key in in_text
            for view in group
        ]
        left_out = (
            sum(len(group) for group in page.amendments_to.values())
            + sum(len(group) for group in page.inserts_before.values())
            - len(pending)
        )
        writer = _Plan(language, resolution.title, conference.title)
        writer.heading(
            conference.title,
            _("Draft with amendments"),
            resolution.title,
            content.resolution_dateline(resolution, language),
        )
        writer.paragraph(
            ngettext(
                "As of %(moment)s: %(num)s pending amendment, shown as a tracked change by its "
                "proposer. Accept the adopted ones and reject the others (Review → Accept, "
                "Reject); the numbers of the paragraphs are text and do not follow.",
                "As of %(moment)s: %(num)s pending amendments, each shown as a tracked change by "
                "its proposer. Accept the adopted ones and reject the others (Review → Accept, "
                "Reject); the numbers of the paragraphs are text and do not follow.",
                len(pending),
                moment=datetime_in_words(utcnow(), language),
            ),
            STYLE_NOTE,
        )
        alternatives = [c for c in clauses if len(page.amendments_to.get(c.clause_id or 0, [])) > 1]
        if alternatives:
            writer.paragraph(
                _(
                    "Where several amendments would change the same paragraph, the paragraph "
                    "carries a deletion if one is proposed, else the first replacement in the "
                    "order of voting; each other replacement follows it as an inserted "
                    "paragraph."
                ),
                STYLE_NOTE,
            )
        if left_out:
            writer.paragraph(
                ngettext(
                    "%(num)s amendment to a paragraph deleted since is not shown.",
                    "%(num)s amendments to paragraphs deleted since are not shown.",
                    left_out,
                ),
                STYLE_NOTE,
            )
        if not clauses and not page.inserts_before.get(None):
            writer.paragraph(_("The resolution has no text yet."), STYLE_NOTE)
        style = resolution.numbering_style
        previous_kind: ClauseKind | None = None

        def inserts(key: int | None) -> None:
            nonlocal previous_kind
            for view in page.inserts_before.get(key, []):
                new = inserted_clause(view.amendment, clauses, style)
                writer.clause(
                    new.kind,
                    new.depth,
                    new.label,
                    [("equal", new.text)],
                    change=_change(view.amendment, "ins"),
                    first_operative=previous_kind == ClauseKind.PREAMBULAR
                    and new.kind == ClauseKind.OPERATIVE,
                )
                previous_kind = new.kind

        for clause in clauses:
            inserts(clause.clause_id)
            _amended_clause(
                writer,
                clause,
                [v.amendment for v in page.amendments_to.get(clause.clause_id or 0, [])],
                first_operative=previous_kind == ClauseKind.PREAMBULAR
                and clause.kind == ClauseKind.OPERATIVE,
            )
            previous_kind = clause.kind
        inserts(None)
        filename = document_filename(
            conference.short_name, _("Draft with amendments"), resolution.title
        )
    return DocxFile(writer.save(), filename)


def _amended_clause(
    writer: _Plan, clause: NumberedClause, amendments: list[Amendment], *, first_operative: bool
) -> None:
    """A clause with the amendments that replace or delete it (in voting order)."""
    delete = next((a for a in amendments if a.kind == AmendmentKind.DELETE), None)
    replaces = [a for a in amendments if a.kind == AmendmentKind.REPLACE]
    if delete is not None:
        writer.clause(
            clause.kind,
            clause.depth,
            clause.label,
            [("equal", clause.text)],
            change=_change(delete, "del"),
            first_operative=first_operative,
        )
    elif replaces:
        first = replaces.pop(0)
        segments = [(s.op, s.text) for s in word_diff(clause.text, first.text)]
        writer.clause(
            clause.kind,
            clause.depth,
            clause.label,
            segments,
            changes={"insert": _change(first, "ins"), "delete": _change(first, "del")},
            first_operative=first_operative,
        )
    else:
        writer.clause(
            clause.kind,
            clause.depth,
            clause.label,
            [("equal", clause.text)],
            first_operative=first_operative,
        )
    for alternative in replaces:
        writer.clause(
            clause.kind,
            clause.depth,
            clause.label,
            [("equal", alternative.text)],
            change=_change(alternative, "ins"),
        )
