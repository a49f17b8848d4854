"""The secretariat imports participants in Chromium; a delegate sees only delegate actions."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from resolutions.extensions import db
from resolutions.models import Participant
from tests.e2e.browser import (
    DESKTOP,
    FAILING_IMPACTS,
    PHONE,
    describe,
    horizontal_overflow,
    run_axe,
)

pytestmark = pytest.mark.e2e

GOOD_CSV = (
    "\ufeffИмя;Почта;Организация;Страна;Делегация;Роль;Вес\n"
    "Айгерим Нурланова;aigerim@example.org;Конфедерация труда «Степь»;Казахстан;Казахстан;"
    "делегат;3\n"
    "Бермет Касымова;bermet@example.org;Союз горняков «Ала-Тоо»;Кыргызстан;Кыргызстан;делегат;2\n"
    "Ануш Петросян;anush@example.org;Лига «Арарат»;Армения;Армения;делегат;1\n"
    "Ирина Наблюдаева;irina@example.org;Фонд «Открытый диалог»;;;наблюдатель;\n"
)
BAD_CSV = (
    "name,email,organisation,country,role,weight\n"
    "Good Person,good@example.org,Union,Armenia,delegate,1\n"
    ",nobody@example.org,Union,Armenia,delegate,1\n"
    "Bad Mail,bad-mail,Union,Armenia,delegate,1\n"
    "Odd Role,odd@example.org,Union,Armenia,president,1\n"
)


def _upload(page: Page, content: str, name: str) -> None:
    page.get_by_label("CSV file").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content.encode("utf-8")}
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Check the file").click()


def _participants(conference_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Participant)
        .where(Participant.conference_id == conference_id)
    )


def _both_widths(page: Page, screenshot: Any, name: str) -> None:
    """Screenshots at 1280 and 390 pixels; no sideways scrolling and no serious axe finding."""
    failing = [v for v in run_axe(page) if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"axe on {name}:\n{describe(failing)}"
    screenshot(page, f"{name}-1280")
    page.set_viewport_size(PHONE)
    assert horizontal_overflow(page) == 0, f"{name} scrolls sideways on a phone"
    screenshot(page, f"{name}-390")
    page.set_viewport_size(DESKTOP)


def test_secretariat_imports_a_csv_file(live_world, signed_in_page, screenshot) -> None:
    conference_id = live_world.conference.id
    page = signed_in_page(live_world.secretariat, path=f"/c/{conference_id}/participants")
    page.get_by_role("link", name="Import CSV").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import participants from a CSV file")

    # A file with three bad rows: every line named, nothing saved.
    _upload(page, BAD_CSV, "bad.csv")
    errors = page.locator(".import-errors")
    expect(errors.get_by_role("heading")).to_have_text(
        "3 lines have problems. Nothing has been saved."
    )
    expect(errors.locator(".import-errors__line")).to_have_text(["Line 3", "Line 4", "Line 5"])
    _both_widths(page, screenshot, "errors")
    assert _participants(conference_id) == 6

    # A clean file in Russian with semicolons and a BOM: preview, then confirm.
    _upload(page, GOOD_CSV, "участники.csv")
    expect(page.get_by_role("heading", name="Preview: nothing saved yet")).to_be_visible()
    expect(page.locator('[data-count="added"]')).to_have_text("4")
    preview = page.locator(".import-table tbody tr")
    expect(preview).to_have_count(4)
    expect(preview.first).to_contain_text("Айгерим Нурланова")
    _both_widths(page, screenshot, "preview")
    assert _participants(conference_id) == 6

    with page.expect_navigation():
        page.get_by_role("button", name="Import the participants").click()
    expect(page.locator(".flash--success")).to_have_text(
        "Import done: 4 added, 0 updated, 0 removed."
    )
    expect(page.locator(".participant-name", has_text="Бермет Касымова")).to_be_visible()
    assert _participants(conference_id) == 10
    _both_widths(page, screenshot, "list")

    # The list's search finds the imported people, Cyrillic included.
    page.get_by_label("Search").fill("касым")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    rows = page.locator(".participants-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("bermet@example.org")
    screenshot(page, "search")


def test_secretariat_pages_fit_a_phone(live_world, signed_in_page, screenshot) -> None:
    conference_id = live_world.conference.id
    delegate = live_world.delegate
    page = signed_in_page(live_world.secretariat, path=f"/c/{conference_id}/settings")
    expect(page.get_by_label("Quorum")).to_have_value("0")
    page.get_by_label("Quorum").fill("3/2")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#quorum-error")).to_contain_text("more than the whole weight")
    _both_widths(page, screenshot, "settings-error")
    page.get_by_label("Quorum").fill("1/2")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".flash--success")).to_have_text("The settings have been saved.")

    page.goto(f"/c/{conference_id}/participants/{delegate.id}/edit")
    _both_widths(page, screenshot, "edit")
    page.get_by_role("button", name="Create invitation link").click()
    secret = page.locator("#secret")
    expect(secret).to_be_visible()
    assert "/invitation/" in secret.input_value()
    expect(page.get_by_role("button", name="Copy")).to_be_visible()
    _both_widths(page, screenshot, "invitation")

    page.goto(f"/c/{conference_id}/audit")
    expect(page.locator(".chain--ok")).to_contain_text("Chain verified")
    _both_widths(page, screenshot, "audit")


def test_chair_checks_in_from_the_card_on_a_phone(live_world, signed_in_page, screenshot) -> None:
    delegate = live_world.delegates[1]
    page = signed_in_page(live_world.chair, phone=True, path=f"/card/{delegate.card_token}")
    expect(page.get_by_role("heading", level=1)).to_have_text(delegate.user.name)
    assert horizontal_overflow(page) == 0
    assert not [v for v in run_axe(page) if v["impact"] in FAILING_IMPACTS]
    screenshot(page, "card")
    page.get_by_role("button", name="Check in").click()
    expect(page.locator(".flash--success")).to_have_text(f"{delegate.user.name} is checked in.")
    expect(page.get_by_role("button", name="Mark absent")).to_be_visible()
    screenshot(page, "checked-in")
    db.session.expire_all()
    assert db.session.get(Participant, delegate.id).present


def test_delegate_sees_only_delegate_actions(live_world, signed_in_page, screenshot) -> None:
    conference_id = live_world.conference.id
    page = signed_in_page(live_world.delegate, path=f"/c/{conference_id}/")
    nav = page.get_by_role("navigation", name="Conference")
    links = set(nav.get_by_role("link").all_inner_texts())
    assert "Overview" in links
    forbidden = {"Participants", "Settings", "Audit log", "Chair's console", "Attendance"}
    assert not links & forbidden, links
    assert links <= {"Overview", "Resolution", "Vote", "Voting record", "Documents"}, links
    tiles = set(page.locator(".home-grid .card__title").all_inner_texts())
    assert not tiles & forbidden, tiles
    screenshot(page, "home")

    response = page.goto(f"/c/{conference_id}/participants")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access to this page")
    screenshot(page, "forbidden")

    # The secretariat, for contrast, sees its own pages.
    secretariat = signed_in_page(live_world.secretariat, path=f"/c/{conference_id}/")
    links = set(
        secretariat.get_by_role("navigation", name="Conference")
        .get_by_role("link")
        .all_inner_texts()
    )
    assert {"Participants", "Settings", "Audit log"} <= links
