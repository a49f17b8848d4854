"""Both working languages in a real browser (issue 14's proof, first part): the secretariat
gives three clauses in English, a delegate amends one in Russian only, the amendment is
adopted and that clause's English is flagged; the bilingual PDF is refused until the
translation is given, then comes in two columns."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from resolutions.drafting import service
from resolutions.extensions import db
from resolutions.models import Amendment
from tests.documents_support import pdf_text
from tests.e2e.browser import PHONE, horizontal_overflow
from tests.objects.drafting import clauses_by_number, make_draft

pytestmark = pytest.mark.e2e

DRAFT = """Обсудив доклады делегаций,

1. Призывает правительства уважать свободу объединения;

2. Постановляет продолжить рассмотрение вопроса."""

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
    resolution = make_draft(world, DRAFT, title="О свободе объединения")
    db.session.commit()
    clauses = clauses_by_number(resolution)
    conference_id = world.conference.id

    # The secretariat gives the three clauses in English on the translations page.
    secretariat = signed_in_page(
        world.secretariat, path=f"/c/{conference_id}/resolutions/{resolution.id}/translations"
    )
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
