"""Every drafting page in Chromium at 1280 and 390 pixels: it shows what it should, has no
console or CSP error, does not scroll sideways on a phone; screenshots go to test-artifacts/.
Also the import with its preview, the secretariat's stale-form message, and the page without
JavaScript (the "Preview the change" button instead of the live diff).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from resolutions.drafting import service
from resolutions.extensions import db
from resolutions.models import AmendmentKind, ClauseKind
from tests.e2e.browser import DESKTOP, PHONE, horizontal_overflow
from tests.objects.drafting import clauses_by_number, make_draft

pytestmark = pytest.mark.e2e

PASTED = """Признавая роль профсоюзов в защите прав трудящихся,

Выражая обеспокоенность новым законом об общественных объединениях,

1. Осуждает принятие закона;

2) Призывает правительство:

(a) отозвать закон;

(b) провести консультации с профсоюзами;

3. Поручает секретариату доложить следующей конференции."""


def at_both_widths(page: Page, screenshot: Any, name: str) -> None:
    page.set_viewport_size(DESKTOP)
    screenshot(page, f"{name}-1280")
    page.set_viewport_size(PHONE)
    assert horizontal_overflow(page) == 0, f"{name} scrolls sideways on a phone"
    screenshot(page, f"{name}-390")
    page.set_viewport_size(DESKTOP)


@pytest.fixture
def busy_draft(live_world) -> Any:
    """A draft with amendments in several states, one of them co-sponsored and stale."""
    world = live_world
    resolution = make_draft(world)
    numbers = clauses_by_number(resolution)
    replace = service.propose_amendment(
        resolution,
        world.delegate,
        kind=AmendmentKind.REPLACE,
        target=numbers["2"],
        text="Urges the member organisations and their regional partners:",
        justification="Regional partners carry much of the work.",
    )
    service.invite_sponsor(replace, world.delegate, world.delegates[1])
    service.respond_to_sponsorship(replace, world.delegates[1], True)
    service.invite_sponsor(replace, world.delegate, world.delegates[2])
    service.submit_amendment(replace, world.delegate)
    service.admit_amendment(replace, world.secretariat)
    delete = service.propose_amendment(
        resolution, world.delegates[1], kind=AmendmentKind.DELETE, target=numbers["2"]
    )
    service.submit_amendment(delete, world.delegates[1])
    service.admit_amendment(delete, world.secretariat)
    insert = service.propose_amendment(
        resolution,
        world.delegates[2],
        kind=AmendmentKind.INSERT,
        text="Welcomes the first annual report of the monitoring group;",
        new_clause_kind=ClauseKind.OPERATIVE,
        after=numbers["1"],
    )
    service.submit_amendment(insert, world.delegates[2])
    stale = service.propose_amendment(
        resolution,
        world.delegates[2],
        kind=AmendmentKind.REPLACE,
        target=numbers["3"],
        text="Requests the secretariat to report in writing to the next conference;",
    )
    service.submit_amendment(stale, world.delegates[2])
    service.edit_clause(
        numbers["3"],
        world.secretariat,
        "Requests the secretariat to report to the next regular conference;",
        expected_version=1,
    )
    out = service.propose_amendment(
        resolution, world.delegates[2], kind=AmendmentKind.DELETE, target=numbers["P1"]
    )
    service.submit_amendment(out, world.delegates[2])
    service.rule_out_of_order(out, world.secretariat, "The preamble is not open to amendment.")
    db.session.commit()
    return {
        "resolution": resolution,
        "replace": replace,
        "delete": delete,
        "insert": insert,
        "stale": stale,
        "numbers": numbers,
    }


def test_every_drafting_page_looks_right(live_world, busy_draft, signed_in_page, screenshot):
    world = live_world
    res = busy_draft["resolution"]
    base = f"/c/{world.conference.id}"
    chair = signed_in_page(world.chair, path=f"{base}/resolutions/{res.id}")
    expect(chair.locator("article.amendment")).to_have_count(5)
    expect(chair.locator(".flag--stale")).to_have_count(1)
    at_both_widths(chair, screenshot, "draft-chair")

    # The clause menu opens in the margin.
    section = chair.locator('section.draft-clause[data-number="2"]')
    section.locator("summary.clause-menu__toggle").click()
    expect(section.get_by_role("link", name="Amend", exact=True)).to_be_visible()
    screenshot(chair, "clause-menu-open")
    chair.keyboard.press("Escape")

    chair.goto(f"{base}/amendments/{busy_draft['replace'].id}")
    expect(chair.get_by_role("heading", level=1)).to_have_text("A-1: replace operative clause 2")
    expect(chair.locator(".sponsor-list li")).to_have_count(2)
    at_both_widths(chair, screenshot, "amendment-page")

    chair.goto(f"{base}/amendments/{busy_draft['stale'].id}")
    expect(chair.locator(".flag--stale").first).to_be_visible()
    at_both_widths(chair, screenshot, "amendment-stale")

    chair.goto(f"{base}/resolutions/{res.id}/vote-order")
    expect(chair.locator(".vote-item")).to_have_count(2)
    at_both_widths(chair, screenshot, "vote-order")

    chair.goto(f"{base}/amendments/{busy_draft['insert'].id}/preview")
    expect(chair.locator(".clause--new")).to_contain_text("Welcomes the first annual report")
    expect(chair.locator(".clause--new .clause__label")).to_have_text("2.")
    at_both_widths(chair, screenshot, "projector-insert")
    chair.goto(f"{base}/amendments/{busy_draft['replace'].id}/preview")
    expect(chair.locator(".clause--changed ins")).to_have_text("and their regional partners")
    at_both_widths(chair, screenshot, "projector-replace")

    clause_3 = busy_draft["numbers"]["3"]
    chair.goto(f"{base}/clauses/{clause_3.id}/history")
    expect(chair.locator(".version")).to_have_count(2)
    at_both_widths(chair, screenshot, "history")

    chair.goto(f"{base}/resolutions/{res.id}/consolidated")
    expect(chair.locator(".document ins")).to_have_count(0)
    at_both_widths(chair, screenshot, "consolidated")

    chair.goto(f"{base}/resolutions/{res.id}/text-at")
    chair.get_by_label("Date and time").fill("2030-01-01T10:00")
    chair.get_by_role("button", name="Show").click()
    expect(chair.locator(".caption")).to_contain_text("The text as it stood on")
    at_both_widths(chair, screenshot, "text-at")

    chair.goto(f"{base}/resolutions")
    at_both_widths(chair, screenshot, "resolutions")


def test_secretariat_imports_a_russian_draft_with_a_preview(
    live_world, signed_in_page, screenshot
) -> None:
    world = live_world
    resolution = service.create_resolution(
        world.conference, world.secretariat, "О свободе объединения"
    )
    db.session.commit()
    page = signed_in_page(
        world.secretariat, path=f"/c/{world.conference.id}/resolutions/{resolution.id}"
    )
    page.get_by_role("link", name="Import a draft").first.click()
    page.get_by_label("The draft as plain text").fill(PASTED)
    at_both_widths(page, screenshot, "import-paste")
    page.get_by_role("button", name="Preview").click()
    rows = page.locator(".import-row")
    expect(rows).to_have_count(7)
    expect(rows.nth(3).locator(".clause__label")).to_have_text("2.")
    expect(rows.nth(4).locator(".clause__label")).to_have_text("(a)")
    at_both_widths(page, screenshot, "import-preview")
    # The second preambular paragraph should be operative: switch it and refresh the numbers.
    rows.nth(1).get_by_label("Kind").select_option("operative")
    page.get_by_role("button", name="Update the numbers").click()
    expect(page.locator(".import-row").nth(1).locator(".clause__label")).to_have_text("1.")
    page.get_by_role("button", name="Import these clauses").click()
    expect(page.locator(".flash--success")).to_contain_text("7 clauses were imported.")
    labels = page.locator(".document__body .clause__label").all_inner_texts()
    assert labels == ["1.", "2.", "3.", "(a)", "(b)", "4."]
    expect(page.locator(".document__body")).to_contain_text("Призывает правительство:")
    at_both_widths(page, screenshot, "imported-draft")


def test_a_stale_clause_edit_shows_the_current_text_and_keeps_the_users(
    live_world, signed_in_page, screenshot
) -> None:
    world = live_world
    resolution = make_draft(world)
    clause = clauses_by_number(resolution)["3"]
    db.session.commit()
    page = signed_in_page(
        world.secretariat, path=f"/c/{world.conference.id}/clauses/{clause.id}/edit"
    )
    page.get_by_label("Text of the clause").fill("Requests the secretariat to report soon;")
    expect(page.locator("#live-diff ins")).to_have_text("soon")
    # Meanwhile someone else changes the clause.
    service.edit_clause(clause, world.secretariat, "Requests a report;", expected_version=1)
    db.session.commit()
    page.get_by_role("button", name="Save new version").click()
    expect(page.locator(".flash--error")).to_contain_text("Someone changed this clause")
    expect(page.get_by_label("Text of the clause")).to_have_value(
        "Requests the secretariat to report soon;"
    )
    expect(page.locator(".stale-box")).to_be_visible()
    at_both_widths(page, screenshot, "clause-edit-stale")


def test_without_javascript_the_preview_button_shows_the_diff(
    live_world, new_page, screenshot
) -> None:
    from tests.e2e.browser import sign_in_with_form

    world = live_world
    resolution = make_draft(world)
    clause = clauses_by_number(resolution)["2"]
    db.session.commit()
    page = new_page(java_script_enabled=False)
    sign_in_with_form(page, world.delegate)
    page.goto(
        f"/c/{world.conference.id}/resolutions/{resolution.id}/amendments/new"
        f"?kind=replace&clause={clause.id}"
    )
    page.get_by_label("New text", exact=True).fill("Urges all member organisations:")
    page.get_by_role("button", name="Preview the change").click()
    expect(page.locator("#live-diff ins")).to_have_text("all")
    screenshot(page, "no-script-preview")


def test_secretariat_imports_a_word_draft_with_the_same_preview(
    live_world, signed_in_page, screenshot
) -> None:
    from tests.docx_support import DocxBuilder

    world = live_world
    resolution = service.create_resolution(world.conference, world.secretariat, "Word")
    db.session.commit()
    doc = DocxBuilder()
    doc.paragraph("Draft resolution", style="Title")
    doc.paragraph(("i", "Обсудив"), " доклады делегаций,")
    doc.listed(0, ("i", "Призывает"), " правительства:")
    doc.listed(1, "уважать свободу объединения;")
    doc.listed(1, "не вмешиваться в дела профсоюзов;")
    doc.table("Страна", "Случаи")
    page = signed_in_page(
        world.secretariat, path=f"/c/{world.conference.id}/resolutions/{resolution.id}/import"
    )
    page.get_by_label("The draft as a Word file (.docx)").set_input_files(
        {
            "name": "проект.docx",
            "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "buffer": doc.bytes(),
        }
    )
    at_both_widths(page, screenshot, "import-word-upload")
    page.get_by_role("button", name="Read the Word file").click()
    rows = page.locator(".import-row")
    expect(rows).to_have_count(4)
    expect(rows.nth(1).locator(".clause__label")).to_have_text("1.")
    expect(rows.nth(2).locator(".clause__label")).to_have_text("(a)")
    expect(rows.nth(1).locator("em")).to_have_text("Призывает")
    dropped = page.locator(".import-dropped")
    expect(dropped).to_contain_text("1 heading: Draft resolution")
    expect(dropped).to_contain_text("1 table: Страна Случаи")
    at_both_widths(page, screenshot, "import-word-preview")
    page.get_by_role("button", name="Import these clauses").click()
    expect(page.locator(".flash--success")).to_contain_text("4 clauses were imported.")
    labels = page.locator(".document__body .clause__label").all_inner_texts()
    assert labels == ["1.", "(a)", "(b)"]
