"""Reading a draft from a Word file: structure, emphasis, what is dropped, what is refused.

The files are made in the test with python-docx (tests/docx_support.py)."""

from __future__ import annotations

import html
import io
import os
import re
import zipfile

import pytest
import sqlalchemy as sa
from flask import Flask

from resolutions.drafting import service as drafting
from resolutions.drafting.docx_import import (
    MAX_DOCX_BYTES,
    DocxRefused,
    dropped_from_json,
    dropped_to_json,
    read_docx,
)
from resolutions.drafting.presentation import dropped_line
from resolutions.extensions import db
from resolutions.models import Clause, ClauseKind
from tests.docx_support import DocxBuilder

PRE, OP = ClauseKind.PREAMBULAR, ClauseKind.OPERATIVE


@pytest.fixture(scope="module")
def context():
    """A request context for the translated messages (no database needed)."""
    app = Flask(__name__)
    from flask_babel import Babel

    Babel(app)
    with app.test_request_context():
        yield


def structure(draft):
    return [(p.kind, p.depth, p.text) for p in draft.paragraphs]


def test_word_numbering_and_levels_make_the_structure(context):
    doc = DocxBuilder()
    doc.paragraph(("i", "Having discussed"), " the reports of the delegations,")
    doc.paragraph(("b", "Noting"), " with concern the 1.5 million cases,")
    doc.listed(0, ("i", "Calls upon"), " the governments;")
    doc.listed(0, "Urges the members:")
    doc.listed(1, "to record every case;")
    doc.listed(1, "to support the defenders:")
    doc.listed(2, "legally;")
    doc.listed(2, "in practice;")
    doc.listed(0, "Requests the secretariat:")
    for letter in "abcdefgh":
        doc.listed(1, f"item {letter};")
    doc.listed(2, "in detail;")
    doc.listed(0, "Decides to remain seized of the matter.")
    draft = read_docx(doc.bytes())
    assert structure(draft) == [
        (PRE, 0, "*Having discussed* the reports of the delegations,"),
        (PRE, 0, "*Noting* with concern the 1.5 million cases,"),
        (OP, 0, "*Calls upon* the governments;"),
        (OP, 0, "Urges the members:"),
        (OP, 1, "to record every case;"),
        (OP, 1, "to support the defenders:"),
        (OP, 2, "legally;"),
        (OP, 2, "in practice;"),
        (OP, 0, "Requests the secretariat:"),
        *[(OP, 1, f"item {letter};") for letter in "abcdefgh"],
        # Written out, "(i)" after "(h)" reads as the next letter; Word's level says deeper.
        (OP, 2, "in detail;"),
        (OP, 0, "Decides to remain seized of the matter."),
    ]
    # The text behind "Back to the text" has Word's numbers written out.
    assert draft.text.split("\n\n")[2:7] == [
        "1. *Calls upon* the governments;",
        "2. Urges the members:",
        "(a) to record every case;",
        "(b) to support the defenders:",
        "(i) legally;",
    ]
    assert draft.dropped == []


def test_literal_numbers_and_lead_words_as_in_the_text_import(context):
    doc = DocxBuilder()
    doc.paragraph(("i", "Recalling"), " its earlier decisions,")
    doc.paragraph("1. ", ("i", "Calls upon"), " all governments;")
    doc.paragraph("2. Urges the members:")
    doc.paragraph("(a) to record every case;")
    doc.paragraph("(b) ", ("b", "to publish"), " the record;")
    doc.paragraph(("i", "A paragraph wholly in italics is left as it is."))
    draft = read_docx(doc.bytes())
    assert structure(draft) == [
        (PRE, 0, "*Recalling* its earlier decisions,"),
        (OP, 0, "*Calls upon* all governments;"),
        (OP, 0, "Urges the members:"),
        (OP, 1, "to record every case;"),
        (OP, 1, "*to publish* the record;"),
        (OP, 0, "A paragraph wholly in italics is left as it is."),
    ]
    # The plain-paragraphs style keeps every paragraph whole, numbers and all.
    plain = read_docx(doc.bytes(), paragraphs_style=True)
    assert [(p.kind, p.depth) for p in plain.paragraphs] == [(OP, 0)] * 6
    assert plain.paragraphs[1].text == "1. *Calls upon* all governments;"


def test_what_the_draft_cannot_hold_is_dropped_and_named(context):
    doc = DocxBuilder()
    doc.paragraph("Draft resolution on association", style="Title")
    doc.paragraph(("i", "Recalling"), " its decisions,")
    doc.paragraph("")
    doc.paragraph("   ")
    doc.table("Country", "Cases")
    doc.listed(0, "Calls upon all governments;")
    doc.header("CONFIDENTIAL draft")
    doc.document.add_comment(doc.document.paragraphs[1].runs, "Too long?", author="Editor")
    draft = read_docx(doc.bytes())
    assert structure(draft) == [
        (PRE, 0, "*Recalling* its decisions,"),
        (OP, 0, "Calls upon all governments;"),
    ]
    lines = [dropped_line(d) for d in draft.dropped]
    assert lines == [
        "1 heading: Draft resolution on association",
        "1 table: Country Cases",
        "1 page header: CONFIDENTIAL draft",
        "1 comment",
        "2 empty paragraphs",
    ]
    # It travels through the preview form as JSON; what comes back tampered is ignored.
    assert dropped_from_json(dropped_to_json(draft.dropped)) == draft.dropped
    assert dropped_from_json('[["script", 1, []], ["table", "x", []], 7') == []
    assert dropped_from_json('[["table", 2, ["<b>"]], ["nothing", 1, []]]')[0].examples == ("<b>",)


def test_tracked_changes_in_the_file_are_read_as_accepted(context):
    doc = DocxBuilder()
    doc.raw(
        '<w:r><w:t xml:space="preserve">Calls upon </w:t></w:r>'
        '<w:del w:id="1" w:author="A" w:date="2026-11-30T10:00:00Z">'
        '<w:r><w:delText xml:space="preserve">some </w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="A" w:date="2026-11-30T10:00:00Z">'
        '<w:r><w:t xml:space="preserve">all </w:t></w:r></w:ins>'
        "<w:r><w:t>governments;</w:t></w:r>"
    )
    doc.picture()
    draft = read_docx(doc.bytes())
    assert [p.text for p in draft.paragraphs] == ["Calls upon all governments;"]
    assert [dropped_line(d) for d in draft.dropped] == [
        "1 picture or drawing",
        "1 tracked deletion (changes read as accepted)",
    ]


def _zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("random bytes", lambda: os.urandom(2000), "not a Word document"),
        ("empty", lambda: b"", "not a Word document"),
        (
            "old .doc",
            lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
            "old Word document",
        ),
        ("a zip, not a docx", lambda: _zip({"hello.txt": b"hi"}), "not a Word document"),
        (
            "a docx with broken XML",
            lambda: _zip({"[Content_Types].xml": b"<Types", "word/document.xml": b"<w:document"}),
            "not a Word document",
        ),
        (
            # 60 MB of zeros packed into about 60 KB: refused before anything is unpacked.
            "a zip bomb",
            lambda: _zip(
                {
                    "[Content_Types].xml": b"<x/>",
                    "word/document.xml": b"<x/>",
                    "word/media/zeros.bin": b"\0" * (60 * 1024 * 1024),
                }
            ),
            "unpacks to more than 50 MB",
        ),
        ("too large", lambda: b"PK" + b"\0" * MAX_DOCX_BYTES, "too large: at most 5 MB"),
    ],
)
def test_a_file_that_is_not_a_readable_docx_is_refused(context, name, data, message):
    with pytest.raises(DocxRefused) as refused:
        read_docx(data())
    assert message in refused.value.message, name


def test_a_word_file_with_no_text_is_refused(context):
    doc = DocxBuilder()
    doc.paragraph("")
    doc.table("only", "a table")
    with pytest.raises(DocxRefused, match="No paragraph of text"):
        read_docx(doc.bytes())


# --- through the page -------------------------------------------------------------------------


def _page_text(answer) -> str:
    text = re.sub(r"<[^>]+>", " ", answer.get_data(as_text=True))
    return " ".join(html.unescape(text).split())


def _form_fields(answer) -> dict[str, str]:
    """The preview form's fields as the browser would send them back."""
    page = answer.get_data(as_text=True)
    data = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)
        if name not in ("confirm", "back")  # the buttons: the test says which one it presses
    }
    for name, value in re.findall(
        r'id="(paragraphs-\d+-(?:kind|depth))"[^>]*>.*?<option selected value="([^"]*)"',
        page,
        flags=re.S,
    ):
        data[name] = value
    return data


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_secretariat_uploads_a_word_draft_sees_the_preview_and_imports_it(world, as_user):
    resolution = drafting.create_resolution(world.conference, world.secretariat, "Imported")
    db.session.commit()
    doc = DocxBuilder()
    doc.paragraph(("i", "Recalling"), " its decisions,")
    doc.listed(0, "Urges the members:")
    doc.listed(1, "to record every case;")
    doc.table("a table", "<script>")
    client = as_user(world.secretariat)
    base = f"/c/{world.conference.id}/resolutions/{resolution.id}/import"
    answer = client.post(
        f"{base}/docx",
        data={"file": (io.BytesIO(doc.bytes()), "draft.docx"), "upload": "1"},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200
    text = _page_text(answer)
    assert "Step 2 of 2" in text
    assert "Left out of the Word file: 1 table: a table <script>" in text
    assert "<script>" not in answer.get_data(as_text=True)  # escaped
    data = _form_fields(answer)
    assert [data[f"paragraphs-{n}-kind"] for n in range(3)] == [
        "preambular",
        "operative",
        "operative",
    ]
    assert data["paragraphs-2-depth"] == "1"
    # "Update the numbers" keeps the list of what was left out; then the import.
    refreshed = client.post(base, data={**data, "refresh": "1"})
    assert "1 table: a table" in _page_text(refreshed)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Clause)) == 0
    answer = client.post(base, data={**data, "confirm": "1"})
    assert answer.status_code == 302
    numbered = drafting.numbered_text(resolution)
    assert [(c.label, c.text) for c in numbered] == [
        ("", "*Recalling* its decisions,"),
        ("1.", "Urges the members:"),
        ("(a)", "to record every case;"),
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_file_that_is_not_a_docx_gets_a_clear_refusal_on_the_page(world, as_user):
    resolution = drafting.create_resolution(world.conference, world.secretariat, "Imported")
    db.session.commit()
    client = as_user(world.secretariat)
    base = f"/c/{world.conference.id}/resolutions/{resolution.id}/import"
    for name, data, message in (
        ("draft.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Word document"),
        ("draft.docx", b"not a zip at all", "This file is not a Word document (.docx)."),
    ):
        answer = client.post(
            f"{base}/docx",
            data={"file": (io.BytesIO(data), name), "upload": "1"},
            content_type="multipart/form-data",
        )
        assert answer.status_code == 400
        assert message in _page_text(answer)
    answer = client.post(f"{base}/docx", data={"upload": "1"}, content_type="multipart/form-data")
    assert answer.status_code == 400
    assert "Choose the Word file to upload." in _page_text(answer)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Clause)) == 0
