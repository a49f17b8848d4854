"""The resolution as a PDF: heading, date line, numbering, pages, fonts, metadata, DRAFT mark."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext

from resolutions.drafting import service as drafting
from resolutions.drafting.text import parse_draft
from resolutions.extensions import db
from resolutions.models import NumberingStyle
from tests.documents_support import flat, pdf_fonts, pdf_text, reader
from tests.objects.app import url_path
from tests.objects.documents import hold_sitting
from tests.objects.drafting import clauses_by_number, make_draft
from tests.objects.world import make_conference


def resolution_url(world, resolution, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return url_path(
        "documents.resolution_pdf", conference_id=world.conference.id, resolution_id=resolution.id
    ) + (f"?{query}" if query else "")


def get_pdf(client, url):
    answer = client.get(url)
    assert answer.status_code == 200, (url, answer.status_code)
    assert answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert answer.data.startswith(b"%PDF-")
    return answer.data


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_adopted_resolution_in_english_reads_as_the_document(world, as_user):
    world.conference.language = "en"  # the text is English: its first language
    sitting = hold_sitting(world)
    pdf = get_pdf(as_user(world.delegate), resolution_url(world, sitting.resolution, lang="en"))
    text = pdf_text(pdf)
    found = lines(text)
    # Heading: the conference, "Resolution", the title, the date and place line in words.
    assert found[:4] == [
        "TEST CONFERENCE",
        "RESOLUTION",
        "On the freedom of association",
        "30 November 2026, Bishkek",
    ]
    # Preambular paragraphs unnumbered, then operative ones numbered, sub-clauses lettered,
    # in document order; the adopted amendment A-1 is part of the text.
    body = [re.sub(r"\s+", " ", line) for line in found[4:] if not line.startswith("Page ")]
    assert body[:8] == [
        "Recalling the founding declaration of the network,",
        "Noting with concern the reports of the delegations,",
        "1. Calls upon all governments to respect the freedom of association;",
        "2. Urges the member organisations:",
        "(a) to document and publish every case of pressure on trade unionists;",
        "(b) to support the defenders concerned;",
        "3. Requests the secretariat to report to the next conference;",
        "4. Decides to remain seized of the matter.",
    ]
    assert "Page 1 of 1" in text
    assert "DRAFT" not in text
    # The adoption line and the signature block by default, after the text.
    rest = flat(" ".join(body[8:]))
    assert re.match(r"Adopted on \d{1,2} [A-Z][a-z]+ \d{4}\. ", rest), rest
    assert "Chair Chair Person" in rest
    assert "Secretary Sec Retary" in rest
    # The audit log's head at adoption closes the document (tests/test_documents_audit_head.py).
    assert "Audit log head: " in rest
    # Both can be turned off.
    plain = pdf_text(
        get_pdf(
            as_user(world.delegate),
            resolution_url(world, sitting.resolution, lang="en", votes=0, signatures=0),
        )
    )
    assert "Adopted on" not in plain
    assert "Chair Person" not in plain


def test_voting_figures_come_from_the_poll_on_the_whole_resolution(world, as_user):
    sitting = hold_sitting(world)
    poll = sitting.polls["resolution"]
    assert (poll.yes_weight, poll.no_weight, poll.abstain_weight) == (3, 0, 1)
    pdf = get_pdf(
        as_user(world.observer), resolution_url(world, sitting.resolution, lang="en", votes=1)
    )
    text = flat(pdf_text(pdf))
    assert "Adopted by 3 votes to 0, with 1 abstention." in text
    assert "Votes cast: 4 of 4 entitled." in text
    # The figures come after the last clause.
    assert text.index("Adopted by") > text.index("Decides to remain seized")


def test_russian_date_line_and_cyrillic_text(app, as_user, tmp_path):
    world = make_conference(title="Региональная конференция профсоюзов", language="ru")
    world.conference.place = "г. Бишкек"
    sitting = hold_sitting(world, language="ru")
    pdf = get_pdf(as_user(world.secretariat), resolution_url(world, sitting.resolution))
    text = pdf_text(pdf)
    joined = flat(text)
    assert "30 ноября 2026 года, г. Бишкек" in joined
    assert "РЕГИОНАЛЬНАЯ КОНФЕРЕНЦИЯ ПРОФСОЮЗОВ" in joined
    assert "О защите права на объединение и свободы мирных собраний" in joined
    assert "1. Призывает правительства государств региона уважать свободу объединения;" in joined
    assert "(a) документировать и публиковать каждый случай давления на членов профсоюзов;" in (
        joined
    )
    with force_locale("ru"):
        footer = gettext("Page %(page)s of %(pages)s", page=1, pages=1)
    assert footer in joined
    assert reader(pdf).trailer["/Root"]["/Lang"] == "ru"
    # Every font is embedded and is one of ours: the Cyrillic is drawn from DejaVu, no fallback.
    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts
    assert all(font["emb"] == "yes" for font in fonts), fonts
    assert {re.sub(r"^[A-Z]{6}\+", "", f["name"]).split("-")[0] for f in fonts} == {"Doc"}, fonts
    assert all(font["uni"] == "yes" for font in fonts), fonts


def test_english_export_of_a_russian_conference(app, as_user):
    world = make_conference(language="ru")
    sitting = hold_sitting(world)
    pdf = get_pdf(as_user(world.chair), resolution_url(world, sitting.resolution, lang="en"))
    assert "30 November 2026, Bishkek" in pdf_text(pdf)
    assert reader(pdf).trailer["/Root"]["/Lang"] == "en"
    pdf = get_pdf(as_user(world.chair), resolution_url(world, sitting.resolution))
    assert "30 ноября 2026 года, Bishkek" in pdf_text(pdf)


def test_metadata_pdfa_and_tags(world, as_user):
    sitting = hold_sitting(world)
    pdf = get_pdf(as_user(world.delegate), resolution_url(world, sitting.resolution, lang="en"))
    document = reader(pdf)
    meta = document.metadata
    assert meta.title == "Resolution: On the freedom of association"
    assert meta.author == "Test Conference"
    assert meta.creation_date is not None
    root = document.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"])  # tagged PDF
    assert "/StructTreeRoot" in root
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")3", xmp) and re.search(r"pdfaid:conformance(>|=\")B", xmp)
    assert all(p.mediabox.width == pytest.approx(595.28, abs=0.1) for p in document.pages)  # A4


def test_before_adoption_the_export_is_marked_draft(world, as_user):
    resolution = make_draft(world)
    db.session.commit()
    pdf = get_pdf(as_user(world.secretariat), resolution_url(world, resolution, lang="en"))
    assert "DRAFT RESOLUTION" in pdf_text(pdf)
    # The watermark (rotated, so poppler spells it letter by letter; pypdf reads it whole).
    assert reader(pdf).pages[0].extract_text().count("DRAFT") == 2
    assert reader(pdf).metadata.title == "Draft resolution: On the freedom of association"


@pytest.mark.parametrize("role", ["delegate", "observer"])
def test_delegates_and_observers_get_the_resolution_only_once_adopted(world, as_user, role):
    resolution = make_draft(world)
    db.session.commit()
    client = as_user(world.member(role))
    answer = client.get(resolution_url(world, resolution))
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/c/{world.conference.id}/documents")
    page = client.get(url_path("documents.index", conference_id=world.conference.id)).get_data(
        as_text=True
    )
    assert "has not been adopted yet" in page


def test_a_resolution_of_another_conference_is_not_found(world, other_world, as_user):
    resolution = make_draft(other_world)
    db.session.commit()
    answer = as_user(world.secretariat).get(resolution_url(world, resolution))
    assert answer.status_code == 404


def test_numbers_follow_positions_as_on_screen(world, as_user):
    """Moving a clause renumbers the PDF, from the same numbered_text the screen shows."""
    resolution = make_draft(world)
    clauses = clauses_by_number(resolution)
    drafting.move_clause(clauses["4"], world.secretariat, after=clauses["1"])
    db.session.commit()
    text = flat(pdf_text(get_pdf(as_user(world.secretariat), resolution_url(world, resolution))))
    expected = [
        f"{c.label} {c.text}".strip() for c in drafting.numbered_text(resolution) if c.label
    ]
    assert expected[1] == "2. Decides to remain seized of the matter."
    positions = [text.index(line) for line in expected]
    assert positions == sorted(positions)


def test_paragraph_style_has_no_numbers(world, as_user):
    resolution = drafting.create_resolution(
        world.conference, world.secretariat, "Plain", NumberingStyle.PARAGRAPHS
    )
    drafting.import_draft(
        resolution,
        world.secretariat,
        parse_draft(
            "Having discussed the reports, the Conference notes them.\n\n"
            "Recalling its charter, the Conference calls for solidarity.",
            paragraphs=True,
        ),
    )
    db.session.commit()
    found = lines(pdf_text(get_pdf(as_user(world.chair), resolution_url(world, resolution))))
    assert "Having discussed the reports, the Conference notes them." in found
    assert "Recalling its charter, the Conference calls for solidarity." in found
    assert not any(re.match(r"^\d+\.", line) for line in found)


def test_long_resolution_pages_footer_and_running_header(world, as_user):
    world.conference.language = "en"  # the text is English: its first language
    paragraphs = "\n\n".join(
        f"{n}. Calls upon every member organisation to take part in campaign number {n} "
        "and to report on it in detail to the secretariat before the next conference;"
        for n in range(1, 121)
    )
    resolution = make_draft(world, "Recalling the charter,\n\n" + paragraphs, title="Campaigns")
    db.session.commit()
    pdf = get_pdf(as_user(world.secretariat), resolution_url(world, resolution, lang="en"))
    pages = len(reader(pdf).pages)
    assert pages >= 4
    for number in range(1, pages + 1):
        page = pdf_text(pdf_page(pdf, number))
        assert f"Page {number} of {pages}" in page
        # The running header (conference short name and title) from page 2 on.
        assert ("Draft resolution: Campaigns" in page) == (number > 1), number
        assert "DRAFT" in reader(pdf).pages[number - 1].extract_text()  # marked on every page
    text = flat(pdf_text(pdf))
    assert "120. Calls upon every member organisation to take part in campaign number 120" in text
    positions = [text.index(f"{n}. Calls upon") for n in (1, 2, 10, 99, 120)]
    assert positions == sorted(positions)


def pdf_page(pdf: bytes, number: int) -> bytes:
    from io import BytesIO

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_page(reader(pdf).pages[number - 1])
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("language", "end"), [("ru", None), ("en", None), ("ru", (2026, 12, 2)), ("en", (2027, 1, 2))]
)
def test_pdf_date_line_is_the_screens(app, language, end):
    """The PDF writes the heading's date line exactly as the draft page's heading does."""
    from datetime import date

    from resolutions.documents.content import resolution_dateline
    from resolutions.drafting.presentation import document_heading

    world = make_conference(language=language)
    world.conference.start_date = date(2026, 11, 30)
    world.conference.end_date = date(*end) if end else None
    resolution = make_draft(world)
    db.session.commit()
    with app.test_request_context():
        assert (
            resolution_dateline(resolution, language) == document_heading(world.conference).dateline
        )
