"""The base of every page in a real browser: signing in, the language, the phone layout."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from resolutions.extensions import db
from tests.e2e.browser import DESKTOP, PASSWORD, PHONE, horizontal_overflow, sign_in_with_form

pytestmark = pytest.mark.e2e

LONG_TITLE = (
    "International Conference of Municipal Water Authorities on Shared Rivers and "
    "Cross-Border Reservoirs"
)


def at_both_widths(page: Page, screenshot: Any, name: str) -> None:
    """Screenshots at 1280 and 390 pixels; at 390 the page must not scroll sideways."""
    page.set_viewport_size(DESKTOP)
    screenshot(page, f"{name}-1280")
    page.set_viewport_size(PHONE)
    assert horizontal_overflow(page) == 0, f"{name} scrolls sideways on a phone"
    screenshot(page, f"{name}-390")
    page.set_viewport_size(DESKTOP)


def test_wrong_password_shows_the_error_next_to_the_password_field(
    live_world, page: Page, live_url: str, screenshot
) -> None:
    page.goto("/sign-in")
    page.get_by_label("E-mail").fill(live_world.delegate.user.email)
    page.get_by_label("Password").fill(PASSWORD + "-wrong")
    page.get_by_role("button", name="Sign in").click()

    password = page.get_by_label("Password")
    expect(page).to_have_url(f"{live_url}/sign-in")
    expect(page.locator(".form-summary")).to_have_text("Please correct the marked fields.")
    expect(password).to_have_attribute("aria-invalid", "true")
    error = page.locator("#password-error")
    expect(error).to_have_text("Wrong e-mail or password.")
    # Next to the field: inside the same field block, right under the input.
    field = page.locator(".field", has=page.locator("#password"))
    expect(field).to_contain_class("field--error")
    expect(field.locator(".field__error")).to_have_text("Wrong e-mail or password.")
    expect(password).to_have_attribute("aria-describedby", "password-error")
    # Marked in red (the error style must win over the plain input style).
    expect(password).to_have_css("border-top-color", "rgb(163, 32, 32)")
    expect(page.get_by_label("E-mail")).not_to_have_css("border-top-color", "rgb(163, 32, 32)")
    # The e-mail is kept, the password is not sent back.
    expect(page.get_by_label("E-mail")).to_have_value(live_world.delegate.user.email)
    expect(password).to_have_value("")
    at_both_widths(page, screenshot, "sign-in-error")


def test_sign_in_lands_on_my_conferences(
    live_world, make_live_world, page: Page, live_url: str, live_url_for, screenshot
) -> None:
    elsewhere = make_live_world(LONG_TITLE)  # the delegate is not part of it
    page.goto("/sign-in")
    at_both_widths(page, screenshot, "sign-in")

    sign_in_with_form(page, live_world.delegate)

    # A member of one conference goes straight in; "My conferences" stays one click away.
    expect(page).to_have_url(f"{live_url}/c/{live_world.conference.id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(live_world.conference.title)
    page.goto(live_url_for("conferences.index"))
    assert page.url == live_url + "/"
    expect(page.get_by_role("heading", level=1)).to_have_text("My conferences")
    cards = page.locator(".card-list .card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(live_world.conference.title)
    expect(cards.first.locator(".role-badge")).to_have_text("Delegate")
    expect(page.get_by_text(elsewhere.conference.title)).to_have_count(0)
    expect(page.locator(".account-menu summary")).to_contain_text(live_world.delegate.user.name)
    at_both_widths(page, screenshot, "my-conferences")

    cards.first.get_by_role("link").click()
    expect(page).to_have_url(f"{live_url}/c/{live_world.conference.id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(live_world.conference.title)


# The conference navigation, in its order, and who may use each page (DESIGN.md roles).
NAVIGATION = [
    ("drafting.resolutions", "Resolution", {"secretariat", "chair", "delegate", "observer"}),
    ("voting.ballot", "Vote", {"chair", "delegate"}),
    ("voting.console", "Chair's console", {"chair"}),
    ("voting.attendance", "Attendance", {"chair", "secretariat"}),
    ("voting.record", "Voting record", {"secretariat", "chair", "delegate", "observer"}),
    ("conferences.participants", "Participants", {"secretariat"}),
    ("conferences.settings", "Settings", {"secretariat"}),
    ("documents.index", "Documents", {"secretariat", "chair", "delegate", "observer"}),
    ("conferences.audit_log", "Audit log", {"secretariat"}),
]


@pytest.mark.parametrize("role", ["secretariat", "chair", "delegate", "observer"])
def test_each_role_sees_only_its_own_pages(
    live_app, make_live_world, signed_in_page, live_url_for, role: str, screenshot
) -> None:
    world = make_live_world(LONG_TITLE)
    member = world.member(role)
    page = signed_in_page(member, path=f"/c/{world.conference.id}/")

    expect(page.get_by_role("heading", level=1)).to_have_text(LONG_TITLE)
    expect(page.locator(".site-header .role-badge")).to_have_text(role.capitalize())
    built = [entry for entry in NAVIGATION if entry[0] in live_app.view_functions]
    mine = [label for endpoint, label, roles in built if role in roles]
    nav = page.get_by_role("navigation", name="Conference")
    # The Vote tab carries a mark (with its words for screen readers) while a vote waits.
    labels = [re.compile(r"^Vote\b") if label == "Vote" else label for label in mine]
    expect(nav.get_by_role("link")).to_have_text(["Overview", *labels])
    expect(nav.get_by_role("link", name="Overview")).to_have_attribute("aria-current", "page")
    # The home is what is happening for this member, not the tabs again.
    expect(page.locator(".dashboard")).to_be_visible()
    at_both_widths(page, screenshot, f"home-{role}")

    # Typing the address of another role's page gets the friendly 403 page.
    for endpoint, _label, roles in built:
        if role in roles:
            continue
        response = page.goto(live_url_for(endpoint, conference_id=world.conference.id))
        assert response is not None
        assert response.status == 403, endpoint
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "You do not have access to this page"
        )


def test_language_switch_is_remembered_for_the_user(
    live_world, signed_in_page, new_page, live_url: str, screenshot
) -> None:
    delegate = live_world.delegate
    page = signed_in_page(delegate, path=f"/c/{live_world.conference.id}/")
    html = page.locator("html")
    switch = page.get_by_role("group", name="Language")
    expect(html).to_have_attribute("lang", "en")
    expect(switch.get_by_role("button", name="EN")).to_have_attribute("aria-current", "true")

    switch.get_by_role("button", name="RU").click()

    # Back on the same page, in Russian.
    expect(html).to_have_attribute("lang", "ru")
    expect(page).to_have_url(f"{live_url}/c/{live_world.conference.id}/")
    ru_switch = page.locator(".language-switch")
    expect(ru_switch.locator("button.is-current")).to_have_text("RU")
    expect(ru_switch.locator("button[lang=en]")).not_to_have_attribute("aria-current", "true")
    screenshot(page, "home-ru")
    db.session.expire_all()
    assert delegate.user.locale == "ru"

    # Another user signed in at the same time keeps their own language.
    chair_page = signed_in_page(live_world.chair)
    expect(chair_page.locator("html")).to_have_attribute("lang", "en")

    # Sign out (the button's text is translated, so find it by its form).
    page.locator(".account-menu summary").click()
    page.locator("form[action$='/sign-out'] button").click()
    expect(page).to_have_url(f"{live_url}/sign-in")
    # The session is gone; the browser asks for English.
    expect(html).to_have_attribute("lang", "en")

    # Signing in again, even from another browser, brings the user's language back.
    elsewhere = new_page()
    sign_in_with_form(elsewhere, delegate)
    expect(elsewhere.locator("html")).to_have_attribute("lang", "ru")

    elsewhere.locator(".language-switch button[lang=en]").click()
    expect(elsewhere.locator("html")).to_have_attribute("lang", "en")
    expect(elsewhere.get_by_role("heading", level=1)).to_have_text(live_world.conference.title)
    db.session.expire_all()
    assert delegate.user.locale == "en"


@pytest.mark.parametrize(
    ("who", "name"),
    [
        ("anonymous", None),
        ("secretariat", "Aleksandra Konstantinovna Vasilevskaya-Rimskaya"),
        ("delegate", "Ann Lee"),
    ],
    ids=["anonymous", "long-name", "short-name"],
)
def test_phone_view_does_not_scroll_sideways(
    make_live_world, new_page, signed_in_page, who: str, name: str | None, screenshot
) -> None:
    world = make_live_world(LONG_TITLE)
    if who == "anonymous":
        page = new_page(phone=True)
        page.goto("/sign-in")
    else:
        member = world.member(who)
        member.user.name = name
        db.session.commit()
        page = signed_in_page(member, phone=True, path=f"/c/{world.conference.id}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(LONG_TITLE)
        # However long the name, the role stays visible.
        expect(page.locator(".account-menu summary .role-badge")).to_be_in_viewport()

    assert page.viewport_size == PHONE
    assert horizontal_overflow(page) == 0
    screenshot(page, "phone")
    if who != "anonymous":
        # The account menu opens inside the screen.
        page.locator(".account-menu summary").click()
        panel = page.locator(".account-menu__panel")
        expect(panel).to_be_visible()
        box = panel.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"]
        assert horizontal_overflow(page) == 0
        screenshot(page, "phone-menu")
