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

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from resolutions.concurrency import off_loop
from resolutions.documents import content
from resolutions.documents.bilingual import TextMode
from resolutions.documents.render import datetime_in_words
from resolutions.drafting import service as drafting
from resolutions.drafting.text import (
    ClauseSnapshot,
    NumberedClause,
    emphasis_mask,
    number_clauses,
    word_diff,
)
from resolutions.labels import POLL_OUTCOME, label
from resolutions.models import (
    Amendment,
    AmendmentKind,
    AmendmentState,
    ClauseKind,
    NumberingStyle,
    Participant,
    Resolution,
    utcnow,
)

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PENDING = (AmendmentState.SUBMITTED, AmendmentState.ADMITTED)
# Word's language tags for the spelling checker.
WORD_LANGUAGES = {"ru": "ru-RU", "en": "en-GB"}

# The document's own styles: (name, based on, what it sets).
STYLE_CONFERENCE = "Conference"
STYLE_KIND = "Document Kind"
STYLE_TITLE = "Heading 1"
STYLE_DATELINE = "Date Line"
STYLE_NOTE = "Document Note"
STYLE_PREAMBULAR = "Preambular Clause"
STYLE_CLAUSE = "Clause"
STYLE_SUB_CLAUSE = "Sub-clause"
STYLE_SUB_SUB_CLAUSE = "Sub-sub-clause"
STYLE_CLOSING = "Closing"
CLAUSE_STYLES = (STYLE_PREAMBULAR, STYLE_CLAUSE, STYLE_SUB_CLAUSE, STYLE_SUB_SUB_CLAUSE)
HANG = Cm(1.0)  # the margin the number hangs in, per level

# Everything XML 1.0 allows but the controls no text needs (tab and line feed stay).
_NOT_XML = re.compile("[^\t\n\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def xml_text(text: str) -> str:
    """``text`` as a Word paragraph can hold it: line ends as line feeds, nothing XML 1.0
    forbids (lxml would refuse the document), no C1 controls."""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def document_filename(*parts: str) -> str:
    """ "ICC-2026 – Resolution – On freedom of association.docx": readable, no character a
    file system or a header forbids, not too long."""
    name = " – ".join(" ".join(_UNSAFE_FILENAME.sub(" ", p).split()) for p in parts if p.strip())
    if len(name) > 120:
        name = name[:119].rstrip() + "…"
    return f"{name or 'document'}.docx"


@dataclass(frozen=True)
class DocxFile:
    content: bytes
    filename: str


@dataclass(frozen=True)
class Change:
    """Who made a tracked change and when (an amendment's proposer and submission)."""

    kind: str  # "ins" or "del"
    author: str
    date: datetime


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


# --- the document and its styles ---------------------------------------------------------------


class _Writer:
    """One Word document being written: styles, paragraphs, runs and tracked changes."""

    def __init__(self, language: str, title: str, author: str) -> None:
        self.document = Document()
        self.language = language
        self.next_change_id = 1
        self._style_ids: dict[str, str] = {}
        self._changes: dict[str, Change] = {}  # w:id of each w:ins/w:del written → its change
        self._page()
        self._styles()
        props = self.document.core_properties
        now = utcnow()
        props.title = xml_text(title)
        props.author = xml_text(author)
        props.last_modified_by = xml_text(author)
        props.language = WORD_LANGUAGES.get(language, language)
        props.comments = ""
        props.keywords = ""
        props.subject = ""
        props.category = ""
        props.revision = 1
        props.created = now
        props.modified = now

    def _page(self) -> None:
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
        # The page number, centred at the foot of every page.
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _page_field(footer)

    def _styles(self) -> None:
        styles = self.document.styles
        normal = styles["Normal"]
        _serif(normal)
        normal.font.size = Pt(12)
        rpr = normal.element.get_or_add_rPr()
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), WORD_LANGUAGES.get(self.language, self.language))
        rpr.append(lang)
        normal.paragraph_format.space_after = Pt(0)

        def paragraph_style(name: str, base: str = "Normal") -> Any:  # a python-docx style
            style = (
                styles[name]
                if name in [s.name for s in styles]
                else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            )
            style.base_style = styles[base]
            style.quick_style = True
            return style

        conference = paragraph_style(STYLE_CONFERENCE)
        conference.font.bold = True
        conference.font.all_caps = True
        conference.font.size = Pt(11)
        conference.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        conference.paragraph_format.space_after = Pt(12)

        kind = paragraph_style(STYLE_KIND)
        kind.font.bold = True
        kind.font.all_caps = True
        kind.font.size = Pt(16)
        kind.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        kind.paragraph_format.space_after = Pt(6)
        kind.paragraph_format.keep_with_next = True

        title = paragraph_style(STYLE_TITLE)
        _serif(title)
        title.font.size = Pt(14)
        title.font.bold = True
        title.font.italic = False
        title.font.color.rgb = RGBColor(0, 0, 0)
        title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.paragraph_format.space_before = Pt(0)
        title.paragraph_format.space_after = Pt(6)
        title.paragraph_format.keep_with_next = True

        dateline = paragraph_style(STYLE_DATELINE)
        dateline.font.italic = True
        dateline.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        dateline.paragraph_format.space_after = Pt(18)

        note = paragraph_style(STYLE_NOTE)
        note.font.size = Pt(10)
        note.font.italic = True
        note.paragraph_format.space_after = Pt(12)

        self._clause_styles(paragraph_style)

    def _clause_styles(self, paragraph_style: Any) -> None:
        """The clauses' styles: each level hangs its number in a margin of its own."""
        clause = paragraph_style(STYLE_CLAUSE)
        clause.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        clause.paragraph_format.space_after = Pt(8)
        clause.paragraph_format.widow_control = True
        for depth, style in enumerate(
            (clause, paragraph_style(STYLE_SUB_CLAUSE, STYLE_CLAUSE)),
        ):
            style.paragraph_format.left_indent = HANG * (depth + 1)
            style.paragraph_format.first_line_indent = -HANG
            style.paragraph_format.tab_stops.add_tab_stop(HANG * (depth + 1))
        sub_sub = paragraph_style(STYLE_SUB_SUB_CLAUSE, STYLE_CLAUSE)
        sub_sub.paragraph_format.left_indent = HANG * 3
        sub_sub.paragraph_format.first_line_indent = -HANG
        sub_sub.paragraph_format.tab_stops.add_tab_stop(HANG * 3)

        preambular = paragraph_style(STYLE_PREAMBULAR, STYLE_CLAUSE)
        preambular.paragraph_format.left_indent = Cm(0)
        preambular.paragraph_format.first_line_indent = HANG

        closing = paragraph_style(STYLE_CLOSING)
        closing.paragraph_format.space_before = Pt(6)
        closing.paragraph_format.space_after = Pt(6)
        closing.paragraph_format.tab_stops.add_tab_stop(Cm(4.0))
        closing.paragraph_format.tab_stops.add_tab_stop(Cm(16.0), WD_TAB_ALIGNMENT.RIGHT)

    # paragraphs

    def _add_paragraph(self, style: str, paragraph: Paragraph | None = None) -> Paragraph:
        """A new paragraph (or ``paragraph``, e.g. a table cell's first) in ``style``."""
        # python-docx looks a style up by name through every style of the document on each
        # paragraph (most of the export's time); the ids are looked up once.
        if style not in self._style_ids:
            self._style_ids[style] = self.document.styles[style].style_id
        paragraph = paragraph or self.document.add_paragraph()
        paragraph._p.get_or_add_pPr().style = self._style_ids[style]
        return paragraph

    def paragraph(self, text: str, style: str) -> Paragraph:
        paragraph = self._add_paragraph(style)
        if text:
            self.runs(paragraph, [(text, False)])
        return paragraph

    def heading(self, conference: str, kind: str | None, title: str, dateline: str) -> None:
        self.paragraph(conference, STYLE_CONFERENCE)
        if kind:
            self.paragraph(kind, STYLE_KIND)
        self.paragraph(title, STYLE_TITLE)
        if dateline:
            self.paragraph(dateline, STYLE_DATELINE)

    def clause(
        self,
        kind: str,
        depth: int,
        label: str,
        segments: Sequence[tuple[str, str]],
        *,
        change: Change | None = None,
        changes: dict[str, Change] | None = None,
        first_operative: bool = False,
    ) -> Paragraph:
        """One clause: its label and text. ``segments`` are (op, text) pieces of a word diff
        ("equal", "insert", "delete") whose insertions and deletions become tracked changes
        by ``changes[op]``; ``change`` marks the whole paragraph inserted or deleted."""
        paragraph = self._add_paragraph(_clause_style(kind, depth))
        if not label and kind != ClauseKind.PREAMBULAR:
            # Plain paragraphs (that numbering style): indented by level, no hanging number.
            paragraph.paragraph_format.left_indent = HANG * depth
            paragraph.paragraph_format.first_line_indent = HANG
        if first_operative:
            paragraph.paragraph_format.space_before = Pt(12)
        if change is not None:
            self._mark_paragraph(paragraph, change)
        if label:
            self.runs(paragraph, [(label + "\t", False)], change)
        for op, text in _emphasised_segments(segments):
            for piece, italic in text:
                tracked = change if op == "equal" else (changes or {}).get(op)
                self.runs(paragraph, [(piece, italic)], tracked)
        return paragraph

    def runs(
        self,
        paragraph: Paragraph,
        pieces: Iterable[tuple[str, bool]],
        change: Change | None = None,
        lang: str | None = None,
    ) -> None:
        """Append runs; inside a ``w:ins`` or ``w:del`` when ``change`` is given; tagged with
        ``lang`` when it is not the document's language (spelling, hyphenation)."""
        for text, italic in pieces:
            text = xml_text(text)
            if not text:
                continue
            run = paragraph.add_run(text)
            if italic:
                run.italic = True
            if lang and lang != self.language:
                tag = OxmlElement("w:lang")
                tag.set(qn("w:val"), WORD_LANGUAGES.get(lang, lang))
                run._r.get_or_add_rPr().append(tag)
            if change is None:
                continue
            r = run._r
            if change.kind == "del":
                for t in r.iter(qn("w:t")):
                    t.tag = qn("w:delText")
            # Runs of one change side by side share one w:ins or w:del.
            previous = r.getprevious()
            if (
                previous is not None
                and previous.tag == qn(f"w:{change.kind}")
                and self._changes.get(previous.get(qn("w:id"))) is change
            ):
                previous.append(r)
                continue
            wrapper = self._change_element(change)
            self._changes[wrapper.get(qn("w:id"))] = change
            r.addprevious(wrapper)
            wrapper.append(r)

    def versions(
        self,
        kind: str,
        depth: int,
        label: str,
        cells: Sequence[tuple[str, str, str]],
        *,
        first_operative: bool = False,
        target: Paragraph | None = None,
    ) -> None:
        """A clause in one or two languages: ``cells`` are (language, text, mark); a mark
        names a gap ("translation missing") before whatever text the cell keeps."""
        paragraph = self._add_paragraph(_clause_style(kind, depth), target)
        if not label and kind != ClauseKind.PREAMBULAR:
            paragraph.paragraph_format.left_indent = HANG * depth
            paragraph.paragraph_format.first_line_indent = HANG
        if first_operative:
            paragraph.paragraph_format.space_before = Pt(12)
        if label:
            self.runs(paragraph, [(label + "\t", False)])
        for index, (language, text, mark) in enumerate(cells):
            if index:
                self.runs(paragraph, [("\n", False)])
            if mark:
                self.runs(paragraph, [(f"[{mark}]" + (" " if text else ""), True)], lang=language)
            for _op, pieces in _emphasised_segments([("equal", text)]):
                self.runs(paragraph, pieces, lang=language)

    def parallel(
        self, names: tuple[tuple[str, str], tuple[str, str]], rows: Sequence[dict[str, Any]]
    ) -> None:
        """Both languages side by side: a table of two columns, a row per clause, the header
        row (each language by its own name) repeated on every page."""
        table = self.document.add_table(rows=1, cols=2)
        table.autofit = False
        for column in table.columns:
            column.width = Cm(8.0)
        header = table.rows[0]
        tr_pr = header._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        tr_pr.append(repeat)
        for cell, (language, name) in zip(header.cells, names, strict=True):
            paragraph = cell.paragraphs[0]
            self.runs(paragraph, [(name, False)], lang=language)
            paragraph.runs[0].bold = True
        for row in rows:
            cells = table.add_row().cells
            for cell, version in zip(cells, row["cells"], strict=True):
                self.versions(
                    row["kind"], row["depth"], row["label"], [version], target=cell.paragraphs[0]
                )

    def _change_element(self, change: Change) -> Any:  # an lxml element
        element = OxmlElement(f"w:{change.kind}")
        element.set(qn("w:id"), str(self.next_change_id))
        element.set(qn("w:author"), xml_text(change.author) or "?")
        element.set(qn("w:date"), _iso(change.date))
        self.next_change_id += 1
        return element

    def _mark_paragraph(self, paragraph: Paragraph, change: Change) -> None:
        """The paragraph mark itself inserted or deleted, so accepting the change adds or
        removes the whole paragraph, not only its words."""
        ppr = paragraph._p.get_or_add_pPr()
        rpr = ppr.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            ppr.append(rpr)
        rpr.append(self._change_element(change))

    def save(self) -> bytes:
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()


def _serif(style: Any) -> None:  # a python-docx style
    """Times New Roman (it covers Cyrillic) for every script, instead of the theme's fonts."""
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in list(fonts.attrib):
        if attribute.endswith("Theme") or attribute.endswith("theme"):
            del fonts.attrib[attribute]
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), "Times New Roman")


class _Plan:
    """The document gathered where the database and the translations are (the same calls as
    ``_Writer``'s), then written by python-docx in ``save``, off a gevent worker's event loop:
    writing a long draft is a fraction of a second of pure CPU (``concurrency.off_loop``)."""

    def __init__(self, language: str, title: str, author: str) -> None:
        self.setup = (language, title, author)
        self.steps: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def heading(self, *args: Any, **kwargs: Any) -> None:
        self.steps.append(("heading", args, kwargs))

    def paragraph(self, *args: Any, **kwargs: Any) -> None:
        self.steps.append(("paragraph", args, kwargs))

    def clause(self, *args: Any, **kwargs: Any) -> None:
        self.steps.append(("clause", args, kwargs))

    def versions(self, *args: Any, **kwargs: Any) -> None:
        self.steps.append(("versions", args, kwargs))

    def parallel(self, *args: Any, **kwargs: Any) -> None:
        self.steps.append(("parallel", args, kwargs))

    def save(self) -> bytes:
        return off_loop(_write, self.setup, self.steps)


def _write(
    setup: tuple[str, str, str], steps: list[tuple[str, tuple[Any, ...], dict[str, Any]]]
) -> bytes:
    writer = _Writer(*setup)
    for name, args, kwargs in steps:
        getattr(writer, name)(*args, **kwargs)
    return writer.save()


def _page_field(paragraph: Paragraph) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1")):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "1":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


def _clause_style(kind: str, depth: int) -> str:
    if kind == ClauseKind.PREAMBULAR:
        return STYLE_PREAMBULAR
    return (STYLE_CLAUSE, STYLE_SUB_CLAUSE, STYLE_SUB_SUB_CLAUSE)[min(depth, 2)]


def _emphasised_segments(
    segments: Sequence[tuple[str, str]],
) -> list[tuple[str, list[tuple[str, bool]]]]:
    """Split each diff segment into (text, italic) pieces by the ``*emphasis*`` markup: equal
    and inserted words as the new text marks them, deleted words as the old text did; the
    stars themselves are dropped, as on screen and in the PDF."""
    new = "".join(text for op, text in segments if op != "delete")
    old = "".join(text for op, text in segments if op != "insert")
    masks = {"new": emphasis_mask(new), "old": emphasis_mask(old)}
    at = {"new": 0, "old": 0}
    result = []
    for op, text in segments:
        side = "old" if op == "delete" else "new"
        mask = masks[side][at[side] : at[side] + len(text)]
        if op == "equal":
            at["old"] += len(text)
        at[side] += len(text)
        pieces: list[tuple[str, bool]] = []
        for char, flag in zip(text, mask, strict=True):
            if flag is None:
                continue
            if pieces and pieces[-1][1] == flag:
                pieces[-1] = (pieces[-1][0] + char, flag)
            else:
                pieces.append((char, flag))
        result.append((op, pieces))
    return result


# --- the resolution -----------------------------------------------------------------------------


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
