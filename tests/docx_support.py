"""Word files for the tests, made with python-docx (LibreOffice is not installed), and the
readers the export tests use: python-docx and the raw XML of word/document.xml."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}

# One multi-level list as Word writes it: 1. / (a) / (i).
_NUMBERING = f"""<w:abstractNum {nsdecls("w")} w:abstractNumId="90">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>
    <w:lvlText w:val="(%2)"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerRoman"/>
    <w:lvlText w:val="(%3)"/></w:lvl>
</w:abstractNum>"""
LIST_ID = 90


def _png() -> bytes:
    """A 1×1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = _png()


class DocxBuilder:
    """A Word document built paragraph by paragraph."""

    def __init__(self) -> None:
        self.document = Document()
        numbering = self.document.part.numbering_part.element
        numbering.insert(0, parse_xml(_NUMBERING))
        numbering.append(
            parse_xml(
                f'<w:num {nsdecls("w")} w:numId="{LIST_ID}"><w:abstractNumId w:val="90"/></w:num>'
            )
        )

    def paragraph(self, *runs: str | tuple[str, str], style: str | None = None):
        """Runs are plain strings or ("i" | "b", text) for italic or bold ones."""
        paragraph = self.document.add_paragraph(style=style)
        for run in runs:
            if isinstance(run, tuple):
                kind, text = run
                added = paragraph.add_run(text)
                added.italic = kind == "i"
                added.bold = kind == "b"
            else:
                paragraph.add_run(run)
        return paragraph

    def listed(self, level: int, *runs: str | tuple[str, str]):
        """A paragraph in Word's automatic numbering at ``level`` (0: "1.", 1: "(a)")."""
        paragraph = self.paragraph(*runs)
        ppr = paragraph._p.get_or_add_pPr()
        ppr.append(
            parse_xml(
                f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/>'
                f'<w:numId w:val="{LIST_ID}"/></w:numPr>'
            )
        )
        return paragraph

    def raw(self, xml: str):
        """A paragraph written as WordprocessingML (w: is declared), e.g. with tracked changes."""
        paragraph = parse_xml(f"<w:p {nsdecls('w')}>{xml}</w:p>")
        self.document.element.body.insert(len(self.document.element.body) - 1, paragraph)
        return paragraph

    def picture(self) -> None:
        """A paragraph holding only a picture (a 1×1 PNG)."""
        self.document.add_picture(io.BytesIO(PNG))

    def table(self, *cells: str) -> None:
        table = self.document.add_table(rows=1, cols=len(cells))
        for cell, text in zip(table.rows[0].cells, cells, strict=True):
            cell.text = text

    def header(self, text: str) -> None:
        self.document.sections[0].header.paragraphs[0].text = text

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()


def document_xml(data: bytes) -> etree._Element:
    """word/document.xml of a .docx, parsed by lxml (no entities resolved)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        raw = archive.read("word/document.xml")
    return etree.fromstring(raw, etree.XMLParser(resolve_entities=False, no_network=True))


def read_document(data: bytes):
    return Document(io.BytesIO(data))


def w(name: str) -> str:
    return qn(f"w:{name}")
