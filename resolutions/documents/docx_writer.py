"""Writing Word documents with python-docx: the document's own styles, runs with emphasis and
language, tracked changes (``w:ins``/``w:del`` with author and date), page fields. What the
resolution and the draft say is decided in ``docx_export``; this module only lays it out.

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

from resolutions.concurrency import off_loop
from resolutions.drafting.text import (
    emphasis_mask,
)
from resolutions.models import (
    AmendmentState,
    ClauseKind,
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
