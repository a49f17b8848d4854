"""The documents page in a real browser: what each role is offered, and a real download."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import DESKTOP, PHONE, horizontal_overflow
from tests.objects.documents import hold_sitting

pytestmark = pytest.mark.e2e


def test_secretariat_downloads_the_resolution_with_voting_figures(
    live_world, signed_in_page, screenshot
):
    sitting = hold_sitting(live_world)
    conference_id = live_world.conference.id
    page = signed_in_page(live_world.secretariat, path=f"/c/{conference_id}/documents")
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents")
    expect(page.get_by_role("heading", name="Adopted resolution")).to_be_visible()
    expect(page.get_by_role("heading", name="Access cards")).to_be_visible()
    screenshot(page, "secretariat-1280")

    form = page.locator("form.doc").filter(has=page.get_by_text("Adopted resolution"))
    form.get_by_label("Language").select_option("en")
    expect(form.get_by_label("The adoption line, with the voting figures")).to_be_checked()
    with page.expect_download() as download_info:
        form.get_by_role("button", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"resolution-{sitting.resolution.id}-en.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    # The same form gives the Word file, named after the conference and the resolution.
    with page.expect_download() as download_info:
        form.get_by_role("button", name="Download Word").click()
    download = download_info.value
    assert download.suggested_filename == (
        "Test Conference – Resolution – On the freedom of association (en).docx"
    )
    with open(download.path(), "rb") as docx:
        assert docx.read(2) == b"PK"

    page.set_viewport_size(PHONE)
    assert horizontal_overflow(page) == 0
    screenshot(page, "secretariat-390")
    page.set_viewport_size(DESKTOP)


def test_delegate_sees_only_published_documents(live_world, signed_in_page, screenshot):
    hold_sitting(live_world, adopt=False)
    conference_id = live_world.conference.id
    page = signed_in_page(live_world.delegate, phone=True, path=f"/c/{conference_id}/documents")
    expect(page.get_by_role("heading", name="Draft with amendments")).to_be_visible()
    expect(page.get_by_role("heading", name="Adopted resolution")).to_have_count(0)
    expect(page.get_by_role("heading", name="Draft resolution")).to_have_count(0)
    expect(page.get_by_role("heading", name="Access cards")).to_have_count(0)
    expect(page.get_by_text("1 published poll.")).to_be_visible()
    assert horizontal_overflow(page) == 0
    screenshot(page, "delegate-390")
