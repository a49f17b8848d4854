"""In a real browser: the adopted resolution is a record (the place changes in the settings,
the adopted PDF reads the same), the settings preview the date line, the secretariat triages
amendments in a table."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from resolutions.drafting import service as drafting
from resolutions.extensions import db
from resolutions.models import AmendmentKind
from tests.documents_support import pdf_text, save_pngs
from tests.e2e.browser import PHONE, horizontal_overflow
from tests.objects.documents import hold_sitting
from tests.objects.drafting import clauses_by_number, make_draft

pytestmark = pytest.mark.e2e


def _download_adopted(page, conference_id: int) -> bytes:
    page.goto(f"/c/{conference_id}/documents")
    form = page.locator("form.doc").filter(has=page.get_by_text("Adopted resolution"))
    expect(form.get_by_label("Signature block (chair and secretary)")).to_be_checked()
    expect(form.get_by_label("The adoption line, with the voting figures")).to_be_checked()
    with page.expect_download() as download_info:
        form.get_by_role("button", name="Download PDF").click()
    with open(download_info.value.path(), "rb") as pdf:
        return pdf.read()


def test_adopted_pdf_reads_the_same_after_the_place_changes(live_world, signed_in_page, screenshot):
    hold_sitting(live_world)
    conference_id = live_world.conference.id
    page = signed_in_page(live_world.secretariat, path=f"/c/{conference_id}/documents")
    before = _download_adopted(page, conference_id)
    text_before = pdf_text(before)
    assert "30 ноября 2026 года, Bishkek" in text_before
    assert "Chair Person" in text_before and "Sec Retary" in text_before
    save_pngs(before, "e2e-adopted-resolution")

    page.goto(f"/c/{conference_id}/settings")
    preview = page.locator(".dateline-preview__text")
    expect(preview).to_have_text("30 ноября 2026 года, Bishkek")
    page.get_by_label("Place").fill("Almaty, Kazakhstan")
    expect(preview).to_have_text("30 ноября 2026 года, Almaty, Kazakhstan")
    page.get_by_label("Full title").fill("Another Conference Entirely")
    screenshot(page, "settings-preview")
    with page.expect_navigation():
        page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("The settings have been saved.")).to_be_visible()

    after = _download_adopted(page, conference_id)
    assert pdf_text(after) == text_before
    assert "Almaty" not in pdf_text(after)


def test_secretariat_triages_amendments_in_bulk(live_world, signed_in_page, screenshot):
    resolution = make_draft(live_world)
    clauses = clauses_by_number(resolution)
    made = []
    for number, delegate in zip(("1", "2", "3"), live_world.delegates, strict=True):
        amendment = drafting.propose_amendment(
            resolution,
            delegate,
            kind=AmendmentKind.REPLACE,
            target=clauses[number],
            text=f"A new text for clause {number}.",
        )
        drafting.submit_amendment(amendment, delegate)
        made.append(amendment)
    db.session.commit()
    conference_id = live_world.conference.id
    page = signed_in_page(live_world.secretariat, path=f"/c/{conference_id}/")
    page.get_by_role("link", name="3 amendments await a ruling").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amendments table")
    page.set_viewport_size({"width": 1366, "height": 900})
    screenshot(page, "triage-1366")

    page.get_by_label("Select A-1").check()
    page.get_by_label("Select A-3").check()
    page.get_by_role("radio", name="Rule out of order").check()
    page.get_by_role("button", name="Apply to the ticked amendments").click()
    expect(page.locator(".field__error")).to_contain_text(
        "Give the reason why the amendment is out of order."
    )
    page.get_by_label("Select A-1").check()
    page.get_by_label("Select A-3").check()
    page.get_by_role("radio", name="Rule out of order").check()
    page.get_by_label("Reason (required to rule out of order)").fill("Outside the agenda.")
    page.get_by_role("button", name="Apply to the ticked amendments").click()
    expect(page.get_by_text("2 amendments ruled out of order: A-1, A-3.")).to_be_visible()
    page.get_by_label("Select A-2").check()
    page.get_by_role("radio", name="Admit").check()
    page.get_by_role("button", name="Apply to the ticked amendments").click()
    expect(page.get_by_text("1 amendment admitted: A-2.")).to_be_visible()
    page.get_by_label("State").select_option("out_of_order")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".triage-table tbody tr")).to_have_count(2)

    page.set_viewport_size(PHONE)
    assert horizontal_overflow(page) == 0
    screenshot(page, "triage-390")
