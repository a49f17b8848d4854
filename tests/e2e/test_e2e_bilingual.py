"""Both working languages and Word in a real browser (issue 14's proof): the secretariat
imports the draft from a Word file, gives three clauses in English, a delegate amends one in
Russian only (the draft's Word file then holds it as a tracked change), the amendment is
adopted and that clause's English is flagged; the bilingual PDF is refused until the
translation is given, then comes in two columns."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from lxml import etree
from playwright.sync_api import expect

from resolutions.drafting import service
from resolutions.extensions import db
from resolutions.models import Amendment
from tests.documents_support import pdf_text
from tests.docx_support import DocxBuilder
from tests.e2e.browser import PHONE, horizontal_overflow
from tests.objects.drafting import clauses_by_number

pytestmark = pytest.mark.e2e

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _word_draft() -> bytes:
    doc = DocxBuilder()
    doc.paragraph(("i", "Обсудив"), " доклады делегаций,")
    doc.listed(0, ("i", "Призывает"), " правительства уважать свободу объединения;")
    doc.listed(0, ("i", "Постановляет"), " продолжить рассмотрение вопроса.")
    return doc.bytes()


ENGLISH = {
    "P1": "Having discussed the reports of the delegations,",
    "1": "Calls upon governments to respect the freedom of association;",
    "2": "Decides to remain seized of the matter.",
}


def _save_translation(page, clause_id: int, text: str) -> None:
    row = page.locator(f"#translation-{clause_id}")
    row.get_by_label("Text in English").fill(text)
    row.get_by_role("button", name="Save translation").click()
    expect(page.get_by_text("The translation was saved.")).to_be_visible()


def _bilingual_download(page, conference_id: int):
    page.goto(f"/c/{conference_id}/documents")
    form = page.locator("form.doc").filter(has=page.get_by_text("Draft resolution"))
    form.get_by_label("Language").select_option("bilingual")
    return form


@pytest.mark.allow_console_errors("409")
def test_english_flagged_after_a_russian_amendment_then_the_bilingual_pdf(
    live_world, signed_in_page, screenshot
):
    world = live_world
    world.conference.language = "ru"
    resolution = service.create_resolution(
        world.conference, world.secretariat, "О свободе объединения"
    )
    db.session.commit()
    conference_id = world.conference.id

    # The secretariat imports the draft from Word, through the same preview as text.
    secretariat = signed_in_page(
        world.secretariat, path=f"/c/{conference_id}/resolutions/{resolution.id}/import"
    )
    secretariat.get_by_label("The draft as a Word file (.docx)").set_input_files(
        {
            "name": "проект.docx",
            "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "buffer": _word_draft(),
        }
    )
    secretariat.get_by_role("button", name="Read the Word file").click()
    expect(secretariat.locator(".import-row")).to_have_count(3)
    secretariat.get_by_role("button", name="Import these clauses").click()
    expect(secretariat.locator(".flash--success")).to_contain_text("3 clauses were imported.")
    db.session.expire_all()
    clauses = clauses_by_number(resolution)
    assert set(clauses) == {"P1", "1", "2"}

    # The secretariat gives the three clauses in English on the translations page.
    secretariat.goto(f"/c/{conference_id}/resolutions/{resolution.id}/translations")
    expect(secretariat.locator("#translation-count")).to_contain_text(
        "3 clauses without a translation"
    )
    for number, english in ENGLISH.items():
        _save_translation(secretariat, clauses[number].id, english)
    expect(secretariat.locator("#translation-count")).to_have_text(
        "Every clause has a current translation."
    )

    # A delegate amends operative clause 1, in Russian only.
    delegate = signed_in_page(world.delegate)
    delegate.goto(
        f"/c/{conference_id}/resolutions/{resolution.id}/amendments/new"
        f"?kind=replace&clause={clauses['1'].id}"
    )
    delegate.get_by_role("textbox", name="New text").fill(
        "Призывает все правительства уважать свободу объединения на практике;"
    )
    delegate.get_by_role("button", name="Save as draft").click()
    delegate.get_by_role("button", name="Submit the amendment").click()
    expect(delegate.get_by_text("Submitted").first).to_be_visible()

    # The draft's Word file holds the submitted amendment as a tracked change by its author.
    word = secretariat.request.get(
        f"/c/{conference_id}/documents/draft/{resolution.id}.docx?lang=ru"
    )
    assert word.ok, word.status
    assert docx.Document(io.BytesIO(word.body())).paragraphs  # python-docx opens it
    body = etree.fromstring(zipfile.ZipFile(io.BytesIO(word.body())).read("word/document.xml"))
    inserted = body.findall(f".//{W}ins")
    assert inserted and {i.get(f"{W}author") for i in inserted} == {world.delegate.name}
    assert "все" in "".join(t.text for i in inserted for t in i.iter(f"{W}t"))

    # Admitted and adopted (the ruling and the vote have their own browser tests).
    db.session.expire_all()
    amendment = db.session.scalars(db.select(Amendment)).one()
    assert amendment.translation == ""
    service.admit_amendment(amendment, world.secretariat)
    service.adopt_amendment(amendment, world.chair)
    db.session.commit()

    # The English of that clause is flagged, the old text kept beside the new Russian one.
    secretariat.goto(f"/c/{conference_id}/resolutions/{resolution.id}?text=both")
    clause = secretariat.locator(f"section.draft-clause:has(#clause-{clauses['1'].id})")
    expect(clause).to_contain_text("Translation needed")
    expect(clause).to_contain_text(ENGLISH["1"])
    expect(clause).to_contain_text("Призывает все правительства")
    expect(secretariat.locator("#translation-count")).to_contain_text(
        "1 clause without a current translation"
    )
    screenshot(secretariat, "draft-both")
    secretariat.set_viewport_size(PHONE)
    assert horizontal_overflow(secretariat) == 0
    screenshot(secretariat, "draft-both-phone")

    # The bilingual PDF is refused, naming the clause.
    form = _bilingual_download(secretariat, conference_id)
    form.get_by_role("button", name="Download PDF").click()
    refusal = secretariat.get_by_role("alert")
    expect(refusal).to_contain_text("No bilingual version: 1 clause has no current translation.")
    expect(refusal.locator("li")).to_have_text(["operative clause 1"])
    screenshot(secretariat, "refused")

    # The translation is brought up to date; the PDF comes in two aligned columns.
    secretariat.goto(f"/c/{conference_id}/resolutions/{resolution.id}/translations")
    _save_translation(
        secretariat,
        clauses["1"].id,
        "Calls upon all governments to respect the freedom of association in practice;",
    )
    form = _bilingual_download(secretariat, conference_id)
    with secretariat.expect_download() as download_info:
        form.get_by_role("button", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"draft-resolution-{resolution.id}-ru-en.pdf"
    with open(download.path(), "rb") as file:
        lines = pdf_text(file.read()).splitlines()
    pairs = [
        ("Обсудив доклады", "Having discussed"),
        ("Призывает все правительства", "Calls upon all governments"),
        ("Постановляет продолжить", "Decides to remain"),
    ]
    rows = []
    for russian, english in pairs:
        row = next(i for i, line in enumerate(lines) if russian in line)
        assert english in lines[row] and lines[row].index(russian) < lines[row].index(english)
        rows.append(row)
    assert rows == sorted(rows)
