"""Reading a draft from a Word file (.docx) into the plain-text import's paragraphs.

The Word document is turned into the text the plain-text import reads (one block per
paragraph, Word's automatic numbering written out as "1.", "(a)", "(i)", bold or italic words
as ``*emphasis*``), and ``parse_draft`` does the rest, so both imports detect the structure the
same way and share one preview. Word's own list levels then decide the level of an
automatically numbered paragraph, which the text alone cannot always tell ("(i)" after "(h)").

What the draft cannot hold is dropped and named: tables, pictures, headers and footers,
comments, footnotes, headings (the document's title lines), empty paragraphs, and text struck
out by tracked changes (the changes are read as accepted).

Pure: no Flask and no database (refusals are ``Message``s, translated when shown; the
preview words what was dropped, ``presentation.dropped_line``). The file comes from a user:
its size, the number of parts in the archive and their declared unpacked size are checked
before anything is unpacked (``zipfile`` never inflates a part beyond its declared size),
and python-docx's XML parser resolves no entities.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.text.paragraph import Paragraph
from lxml import etree

from resolutions.drafting.text import (
    ParsedParagraph,
    leading_marker,
    letter_label,
    parse_draft,
    roman_label,
)
from resolutions.enums import ClauseKind
from resolutions.errors import InvalidInput
from resolutions.messages import Message

# Refusals are Messages, translated when shown: this module decides without Flask.
_ = Message

MAX_DOCX_BYTES = 5 * 1024 * 1024
# A .docx is a zip: what its parts may unpack to, at most, and how many it may hold.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_PARTS = 1000
MAX_PARAGRAPHS = 5000

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls, and password-protected .docx
# Characters XML 1.0 forbids, and the C0/C1 controls no draft needs (tabs become spaces).
_NOT_TEXT = re.compile(
    "[^\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\ufff9-\ufffb\ufeff]"
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


class DocxRefused(InvalidInput):
    """The upload is not a Word document this import can read; the message says why, next to
    the upload form's ``file`` field (400)."""

    def __init__(self, message: Message, field: str | None = "file") -> None:
        super().__init__(message, field)


# --- what was dropped ---------------------------------------------------------------------------

DROPPED_KINDS = (
    "heading",
    "table",
    "image",
    "header",
    "footer",
    "comment",
    "footnote",
    "empty",
    "tracked",
)


@dataclass(frozen=True)
class Dropped:
    """One kind of content the draft leaves out, how many, and the first words of a few."""

    kind: str
    count: int
    examples: tuple[str, ...] = ()


def dropped_to_json(dropped: Iterable[Dropped]) -> str:
    """For the preview form's hidden field (it travels with the paragraphs between steps)."""
    return json.dumps([[d.kind, d.count, list(d.examples)] for d in dropped], ensure_ascii=False)


def dropped_from_json(value: str | None) -> list[Dropped]:
    """Read back what ``dropped_to_json`` wrote; anything else (a tampered field) is ignored:
    the list is only ever shown, escaped."""
    try:
        rows = json.loads(value or "[]")
    except ValueError:
        return []
    result = []
    for row in rows if isinstance(rows, list) else []:
        if (
            isinstance(row, list)
            and len(row) == 3
            and row[0] in DROPPED_KINDS
            and isinstance(row[1], int)
            and isinstance(row[2], list)
        ):
            examples = tuple(str(e)[:80] for e in row[2][:3])
            result.append(Dropped(row[0], max(0, row[1]), examples))
    return result


# --- the result ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocxDraft:
    """The Word file read: the draft as plain text (what "Back to the text" shows, numbers
    written out), its paragraphs as the preview takes them, and what was left out."""

    text: str
    paragraphs: list[ParsedParagraph]
    dropped: list[Dropped]


def read_docx(
    data: bytes, *, paragraphs_style: bool = False, max_text: int | None = None
) -> DocxDraft:
    """Read a draft from the bytes of a .docx file, or raise ``DocxRefused``.

    ``paragraphs_style``: the resolution is written as plain paragraphs, so every paragraph
    is kept whole (no number is read or written out). ``max_text``: the most characters the
    draft's text may have (the text import's limit).
    """
    document = _open(data)
    try:
        return _read(document, paragraphs_style, max_text)
    except DocxRefused:
        raise
    except Exception as error:  # a malformed part deep inside: refuse, never 500
        raise DocxRefused(_("The document could not be read.")) from error


def _read(document: Any, paragraphs_style: bool, max_text: int | None) -> DocxDraft:
    reader = _Reader(document)
    blocks: list[str] = []
    word_depths: list[int | None] = []
    for paragraph in reader.paragraphs():
        text, depth = reader.block(paragraph, paragraphs_style)
        if text is None:
            continue
        blocks.append(text)
        word_depths.append(depth)
        if len(blocks) > MAX_PARAGRAPHS:
            raise DocxRefused(
                _("The document has more than %(max)s paragraphs.", max=f"{MAX_PARAGRAPHS:,}")
            )
    reader.count_outside_body()
    if not blocks:
        raise DocxRefused(_("No paragraph of text was found in the document."))
    text = "\n\n".join(blocks)
    if max_text is not None and len(text) > max_text:
        raise DocxRefused(
            _("The draft is too long: at most %(max)s characters.", max=f"{max_text:,}")
        )
    parsed = parse_draft(text, paragraphs=paragraphs_style)
    if len(parsed) != len(blocks):  # one block per paragraph, by construction
        raise DocxRefused(_("The document could not be read."))
    return DocxDraft(text, _word_levels(parsed, word_depths), reader.dropped())


def _word_levels(
    parsed: list[ParsedParagraph], word_depths: list[int | None]
) -> list[ParsedParagraph]:
    """Give automatically numbered operative paragraphs the level of their Word list, never
    deeper than one below the paragraph before (the preview's rule)."""
    result = []
    previous = -1
    for paragraph, depth in zip(parsed, word_depths, strict=True):
        if paragraph.kind == ClauseKind.OPERATIVE:
            if depth is not None:
                paragraph = dataclasses.replace(paragraph, depth=min(depth, previous + 1, 2))
            previous = paragraph.depth
        result.append(paragraph)
    return result


# --- opening the file safely --------------------------------------------------------------------


def _open(data: bytes) -> Any:  # a python-docx Document
    if len(data) > MAX_DOCX_BYTES:
        raise DocxRefused(
            _(
                "The file is too large: at most %(max)s MB.",
                max=MAX_DOCX_BYTES // (1024 * 1024),
            )
        )
    if data.startswith(_OLE_MAGIC):
        raise DocxRefused(
            _(
                "This is an old Word document (.doc) or a password-protected one. "
                'Open it in Word or LibreOffice, "Save as" Word document (.docx) without a '
                "password, and upload that."
            )
        )
    not_docx = _("This file is not a Word document (.docx).")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as error:
        raise DocxRefused(not_docx) from error
    names = {info.filename for info in parts}
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        raise DocxRefused(not_docx)
    if len(parts) > MAX_PARTS or sum(info.file_size for info in parts) > MAX_UNPACKED_BYTES:
        raise DocxRefused(
            _("The document unpacks to more than %(max)s MB.", max=MAX_UNPACKED_BYTES // 2**20)
        )
    try:
        return Document(io.BytesIO(data))
    except Exception as error:  # anything python-docx or zipfile raise: refuse
        raise DocxRefused(not_docx) from error


# --- reading ------------------------------------------------------------------------------------

_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_SKIP_ANCESTORS = {
    qn("w:del"),
    qn("w:moveFrom"),
    qn("w:drawing"),
    qn("w:pict"),
    qn("w:object"),
    qn("w:txbxContent"),
    _FALLBACK,
}
_IMAGES = (qn("w:drawing"), qn("w:pict"), qn("w:object"))
_HEADING_STYLES = re.compile(r"^(heading|title|subtitle)\b", re.IGNORECASE)


def clean_text(text: str) -> str:
    """User text as a paragraph may hold it: no character XML 1.0 forbids, no controls."""
    return _NOT_TEXT.sub("", text)


class _Reader:
    """Walks one document, counting what it drops."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.counts: dict[str, int] = {}
        self.examples: dict[str, list[str]] = {}
        self.counters: dict[int, list[int]] = {}  # numId → the count at each level
        self.numbering = self._numbering_root()

    # what was dropped

    def drop(self, kind: str, count: int = 1, example: str = "") -> None:
        self.counts[kind] = self.counts.get(kind, 0) + count
        example = " ".join(clean_text(example).split())
        if example and len(self.examples.setdefault(kind, [])) < 3:
            self.examples[kind].append(example if len(example) <= 60 else example[:59] + "…")

    def dropped(self) -> list[Dropped]:
        return [
            Dropped(kind, self.counts[kind], tuple(self.examples.get(kind, ())))
            for kind in DROPPED_KINDS
            if self.counts.get(kind)
        ]

    # the body in document order

    def paragraphs(self) -> Iterator[Paragraph]:
        body = self.document.element.body
        yield from self._blocks(body)

    def _blocks(self, container: Any) -> Iterator[Paragraph]:
        for child in container.iterchildren():
            if child.tag == qn("w:p"):
                yield Paragraph(child, self.document._body)
            elif child.tag == qn("w:tbl"):
                self.drop("table", example=_element_text(child))
            elif child.tag in (qn("w:sdt"), qn("w:customXml")):
                content = child.find(qn("w:sdtContent"))
                yield from self._blocks(content if content is not None else child)

    def block(self, paragraph: Paragraph, paragraphs_style: bool) -> tuple[str | None, int | None]:
        """The paragraph as one block of the text import (None: dropped), and the depth its
        Word list gives it (None: not in a numbered list)."""
        p = paragraph._p
        images = sum(1 for e in p.iter(*_IMAGES) if not _inside(e, (*_IMAGES, _FALLBACK)))
        if images:
            self.drop("image", images)
        deletions = sum(1 for _e in p.iter(qn("w:del"), qn("w:moveFrom")))
        if deletions:
            self.drop("tracked", deletions)
        pieces = list(self._pieces(paragraph))
        plain = _SPACES.sub(" ", "".join(text for text, _em in pieces)).strip()
        if not plain:
            if not images:
                self.drop("empty")
            return None, None
        if self._is_heading(paragraph):
            self.drop("heading", example=plain)
            return None, None
        marker, depth = ("", None) if paragraphs_style else self._list_marker(paragraph)
        return marker + _with_emphasis(pieces), depth

    def _is_heading(self, paragraph: Paragraph) -> bool:
        style = paragraph.style
        while style is not None:
            if _HEADING_STYLES.match(style.name or "") or (style.style_id or "").startswith(
                "Heading"
            ):
                return True
            style = style.base_style
        return paragraph._p.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}") is not None

    def _pieces(self, paragraph: Paragraph) -> Iterator[tuple[str, bool]]:
        """(text, emphasised) for each run of the paragraph, tracked insertions included,
        deletions, pictures and text boxes left out."""
        for r in paragraph._p.iter(qn("w:r")):
            if _inside(r, _SKIP_ANCESTORS):
                continue
            text = []
            for child in r.iterchildren():
                if child.tag == qn("w:t"):
                    text.append(child.text or "")
                elif child.tag in (qn("w:tab"), qn("w:br"), qn("w:cr")):
                    text.append(" ")
                elif child.tag == qn("w:noBreakHyphen"):
                    text.append("-")
            if text:
                yield clean_text("".join(text)), _emphasised(r, paragraph)

    # Word's automatic numbering

    def _numbering_root(self) -> Any:
        try:
            return self.document.part.part_related_by(RT.NUMBERING).element
        except KeyError:
            return None

    def _list_marker(self, paragraph: Paragraph) -> tuple[str, int | None]:
        found = _num_pr(paragraph)
        if found is None or self.numbering is None:
            return "", None
        num_id, level = found
        fmt, start = self._level_format(num_id, level)
        if fmt is None or fmt == "none":
            return "", None
        counters = self.counters.setdefault(num_id, [])
        while len(counters) <= level:
            counters.append(0)
        del counters[level + 1 :]
        counters[level] = counters[level] + 1 if counters[level] else start
        if fmt == "bullet":
            # A bulleted item under an operative clause: a sub-clause, with no number.
            return "", min(level + 1, 2)
        depth = min(level, 2)
        count = max(counters[level], 1)
        if depth == 0:
            return f"{count}. ", 0
        if depth == 1:
            return f"({letter_label(count - 1)}) ", 1
        return f"({roman_label(count)}) ", 2

    def _level_format(self, num_id: int, level: int) -> tuple[str | None, int]:
        num = self.numbering.find(f"{qn('w:num')}[@{qn('w:numId')}='{num_id}']")
        if num is None:
            return None, 1
        abstract_ref = num.find(qn("w:abstractNumId"))
        if abstract_ref is None:
            return None, 1
        abstract_id = abstract_ref.get(qn("w:val"))
        abstract = self.numbering.find(
            f"{qn('w:abstractNum')}[@{qn('w:abstractNumId')}='{abstract_id}']"
        )
        if abstract is None:
            return None, 1
        lvl = abstract.find(f"{qn('w:lvl')}[@{qn('w:ilvl')}='{level}']")
        if lvl is None:
            return "decimal", 1
        fmt = lvl.find(qn("w:numFmt"))
        start = lvl.find(qn("w:start"))
        return (
            fmt.get(qn("w:val")) if fmt is not None else "decimal",
            _int(start.get(qn("w:val")) if start is not None else None, 1),
        )

    # outside the body

    def count_outside_body(self) -> None:
        seen: set[tuple[str, str]] = set()
        for section in self.document.sections:
            for kind, parts in (
                ("header", (section.header, section.first_page_header, section.even_page_header)),
                ("footer", (section.footer, section.first_page_footer, section.even_page_footer)),
            ):
                for part in parts:
                    if part.is_linked_to_previous:
                        continue
                    text = _element_text(part._element)
                    if text.strip() and (kind, text) not in seen:
                        seen.add((kind, text))
                        self.drop(kind, example=text)
        part = self.document.part
        for kind, relation, tag in (
            ("comment", RT.COMMENTS, "w:comment"),
            ("footnote", RT.FOOTNOTES, "w:footnote"),
        ):
            try:
                related = part.part_related_by(relation)
            except KeyError:
                continue
            try:
                root = parse_xml(related.blob)
            except etree.XMLSyntaxError:
                continue
            # Footnotes of a type are Word's separators, not notes.
            count = sum(1 for e in root.iter(qn(tag)) if e.get(qn("w:type")) is None)
            if count:
                self.drop(kind, count)


def _num_pr(paragraph: Paragraph) -> tuple[int, int] | None:
    """(numId, level) of the paragraph's list: its own, or its style's (numId 0: none)."""
    num_id: int | None = None
    level: int | None = None
    elements = [paragraph._p.pPr]
    style = paragraph.style
    while style is not None:
        elements.append(style.element.pPr)
        style = style.base_style
    for ppr in elements:
        num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
        if num_pr is None:
            continue
        ilvl, num = num_pr.find(qn("w:ilvl")), num_pr.find(qn("w:numId"))
        if level is None and ilvl is not None:
            level = _int(ilvl.get(qn("w:val")), 0)
        if num_id is None and num is not None:
            num_id = _int(num.get(qn("w:val")), 0)
    if not num_id:
        return None
    return num_id, max(0, min(level or 0, 8))


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _inside(element: Any, tags: Iterable[str]) -> bool:
    tags = set(tags)
    return any(ancestor.tag in tags for ancestor in element.iterancestors())


def _element_text(element: Any) -> str:
    return " ".join(
        "".join(t.text or "" for t in p.iter(qn("w:t"))) for p in element.iter(qn("w:p"))
    ).strip()


def _emphasised(r: Any, paragraph: Paragraph) -> bool:
    """Bold or italic set on the run or by its character style (not the paragraph's style:
    a whole paragraph in italics is its look, not an emphasis)."""
    rpr = r.rPr
    for tag in ("w:i", "w:b"):
        element = rpr.find(qn(tag)) if rpr is not None else None
        if element is not None and element.get(qn("w:val"), "true") not in ("0", "false", "off"):
            return True
    style_id = rpr.find(qn("w:rStyle")) if rpr is not None else None
    if style_id is not None:
        part: Any = paragraph.part  # the document part, which has the styles
        style = part.styles.get_by_id(style_id.get(qn("w:val")), WD_STYLE_TYPE.CHARACTER)
        while style is not None:
            font = style.font
            if font.italic or font.bold:
                return True
            style = style.base_style
    return False


def _with_emphasis(pieces: list[tuple[str, bool]]) -> str:
    """The paragraph's text with emphasised words marked ``*so*``; a marker such as "1." or
    "(a)" at the start stays outside, and a paragraph emphasised as a whole is left plain."""
    text = "".join(t for t, _em in pieces)
    flags = [em for t, em in pieces for _c in t]
    # Whitespace normalised as the plain text is, keeping each kept character's flag.
    chars: list[tuple[str, bool]] = []
    for char, em in zip(text, flags, strict=True):
        char = " " if _SPACES.fullmatch(char) else char
        if char == " " and (not chars or chars[-1][0] == " "):
            continue
        chars.append((char, em))
    while chars and chars[-1][0] == " ":
        chars.pop()
    plain = "".join(c for c, _em in chars)
    start = leading_marker(plain)
    body = chars[start:]
    if not any(em for c, em in body if not c.isspace()) or all(
        em for c, em in body if not c.isspace()
    ):
        return plain
    out = [plain[:start]]
    index = 0
    while index < len(body):
        char, em = body[index]
        if not em or char.isspace():
            out.append(char)
            index += 1
            continue
        end = index
        while end < len(body) and body[end][1]:
            end += 1
        span = "".join(c for c, _em in body[index:end])
        core = span.rstrip()
        if core and "*" not in core:
            out.append(f"*{core}*{span[len(core) :]}")
        else:
            out.append(span)
        index = end
    return "".join(out)
