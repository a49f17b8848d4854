"""A sitting in Chromium, with several browsers at once.

The chair opens the vote on an amendment from the console; three delegates (one holding a
proxy) see it appear without a reload and vote from their pages (one on a phone); the chair's
turnout grows without a reload; the chair closes; everyone sees the result; the amendment is
in the text. Once with the live channel on server-sent events (Redis), once on polling (no
Redis), the two ways the pages follow the sitting.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from resolutions.drafting import service as drafting
from resolutions.extensions import db
from resolutions.models import Amendment, AmendmentKind, AmendmentState
from tests.e2e.browser import horizontal_overflow
from tests.objects.drafting import clauses_by_number, make_draft
from tests.objects.voting import check_in, give_proxy

pytestmark = pytest.mark.e2e

NEW_TEXT = "Urges all member organisations and their regional partners:"
# Without a reload, a page keeps this marker; a reload would lose it.
MARK = "() => { window.__sittingMarker = 'kept'; }"
MARKED = "() => window.__sittingMarker === 'kept'"


def _sitting(make_live_world: Any) -> tuple[Any, Any, Amendment]:
    """Four delegates; three present, the fourth gave their vote to the first; an admitted
    amendment rewriting operative clause 2."""
    world = make_live_world(delegates=4)
    resolution = make_draft(world)
    target = clauses_by_number(resolution)["2"]
    amendment = drafting.propose_amendment(
        resolution, world.delegate, kind=AmendmentKind.REPLACE, target=target, text=NEW_TEXT
    )
    drafting.submit_amendment(amendment, world.delegate)
    drafting.admit_amendment(amendment, world.secretariat)
    db.session.commit()
    check_in(world.chair, *world.delegates)
    give_proxy(world.delegates[3], world.delegate)
    world.delegates[3].present = False
    db.session.commit()
    return world, resolution, amendment


def test_a_sitting_votes_an_amendment_live(
    channel: str, make_live_world: Any, signed_in_page: Any, screenshot: Any
) -> None:
    world, resolution, amendment = _sitting(make_live_world)
    cid = world.conference.id

    chair = signed_in_page(world.chair, path=f"/c/{cid}/console")
    projector = signed_in_page(world.chair, path=f"/c/{cid}/projector")
    holder = signed_in_page(world.delegates[0], path=f"/c/{cid}/vote", phone=True)
    second = signed_in_page(world.delegates[1], path=f"/c/{cid}/vote")
    third = signed_in_page(world.delegates[2], path=f"/c/{cid}/vote")
    delegates = [holder, second, third]
    for page in (projector, *delegates):
        page.evaluate(MARK)
    expect(holder.get_by_text("No vote is open")).to_be_visible()
    if channel == "events":
        assert chair.locator("[data-live]").get_attribute("data-events-url")
    else:
        assert chair.locator("[data-live]").get_attribute("data-events-url") == ""

    # The chair opens the vote with one click.
    # Present: the chair and three delegates, and the absent fourth through the proxy.
    expect(chair.locator(".present-weight__value")).to_have_text("5 / 5")
    row = chair.locator(".queue__item", has_text="A-1")
    row.get_by_role("button", name="Open vote").click()
    expect(chair.locator(".poll-card--open")).to_be_visible()
    chair.evaluate(MARK)

    # Every delegate's page shows it without a reload, with the change as a word diff.
    for page in delegates:
        expect(page.locator(".poll-public--open")).to_be_visible(timeout=3000)
        expect(page.locator(".poll-public .poll-text ins").first).to_have_text("all")
        assert page.evaluate(MARKED), "the ballot page was reloaded"
    expect(projector.locator(".screen__title")).to_contain_text("A-1", timeout=3000)
    expect(projector.get_by_text("If adopted, the text reads")).to_be_visible()
    expect(projector.locator(".screen__preview ins").first).to_have_text("all")
    expect(projector.locator(".screen__preview")).to_contain_text("and their regional partners")

    # The proxy holder casts both ballots in one action, on a phone.
    ballot = holder.locator("[data-ballot-form]")
    expect(ballot.get_by_text("This ballot is for")).to_be_visible()
    expect(ballot.locator('input[name="for"]')).to_have_count(2)
    assert horizontal_overflow(holder) == 0, "the ballot scrolls sideways on a phone"
    screenshot(holder, "phone-ballot-390")
    ballot.get_by_role("button", name="Yes").click()
    expect(holder.locator(".receipt")).to_contain_text("recorded")
    expect(holder.locator(".receipt")).to_contain_text("Delegate 4")
    expect(holder.locator("[data-ballot-form]")).to_have_count(0)
    screenshot(holder, "phone-receipt-390")

    # The chair's turnout grows without a reload.
    expect(chair.locator('[data-turnout="voted_weight"]').first).to_have_text("2", timeout=3000)
    second.get_by_role("button", name="No").click()
    expect(second.locator(".receipt")).to_be_visible()
    # A double submission of the same ballot is recognised: still one ballot.
    third.get_by_role("button", name="Yes").dblclick()
    expect(third.locator(".receipt")).to_be_visible()
    expect(chair.locator('[data-turnout="voted_weight"]').first).to_have_text("4", timeout=3000)
    expect(chair.locator('[data-turnout="ballots"]').first).to_have_text("4")
    expect(projector.locator('[data-turnout="voted_weight"]')).to_have_text("4", timeout=3000)
    assert chair.evaluate(MARKED), "the console was reloaded"
    screenshot(chair, "console-1280")
    screenshot(projector, "projector-open")

    # The chair closes (publishing at once); everyone sees the result.
    chair.get_by_role("button", name="Close the vote").click()
    expect(chair.locator(".poll-card--last")).to_contain_text("Adopted")
    for page in delegates:
        expect(page.locator(".poll-public")).to_contain_text("Adopted", timeout=3000)
        expect(page.locator(".result__count--yes dd")).to_have_text("3")
        expect(page.locator(".result__count--no dd")).to_have_text("1")
        assert page.evaluate(MARKED)
    expect(projector.locator(".screen__outcome")).to_have_text("Adopted", timeout=3000)
    screenshot(projector, "projector-result")
    screenshot(second, "ballot-result-1280")

    # The amendment is in the text.
    db.session.expire_all()
    assert db.session.get(Amendment, amendment.id).state == AmendmentState.ADOPTED
    second.goto(f"/c/{cid}/resolutions/{resolution.id}")
    expect(second.locator(".document__body")).to_contain_text(NEW_TEXT)


def test_projector_dark_and_record_after_a_sitting(
    make_live_world: Any, signed_in_page: Any, screenshot: Any
) -> None:
    """The dark projector and the voting record read well (screenshots to look at)."""
    world, _, amendment = _sitting(make_live_world)
    cid = world.conference.id
    chair = signed_in_page(world.chair, path=f"/c/{cid}/console")
    chair.locator(".queue__item", has_text="A-1").get_by_role("button", name="Open vote").click()
    projector = signed_in_page(world.chair, path=f"/c/{cid}/projector?theme=dark")
    expect(projector.locator("body")).to_have_class("big-screen big-screen--dark")
    screenshot(projector, "projector-dark")
    holder = signed_in_page(world.delegates[0], path=f"/c/{cid}/vote")
    holder.get_by_role("button", name="No").click()
    expect(holder.locator(".receipt")).to_be_visible()
    chair.reload()
    chair.get_by_role("button", name="Close the vote").click()
    chair.goto(f"/c/{cid}/record")
    expect(chair.locator(".record-table tbody tr")).to_have_count(1)
    expect(chair.locator(".record-table")).to_contain_text("Rejected")
    screenshot(chair, "record-1280")


def test_attendance_on_a_phone_search_and_check_in(
    make_live_world: Any, signed_in_page: Any, screenshot: Any
) -> None:
    world = make_live_world()
    cid = world.conference.id
    chair = signed_in_page(world.chair, path=f"/c/{cid}/attendance", phone=True)
    expect(chair.locator(".present-weight__value")).to_have_text("0 / 4")
    assert horizontal_overflow(chair) == 0, "the attendance list scrolls sideways on a phone"
    screenshot(chair, "attendance-390")
    chair.get_by_label("Search by name, e-mail, delegation or country").fill("delegate 2")
    chair.get_by_role("button", name="Search").click()
    expect(chair.locator(".attendance-table tbody tr")).to_have_count(1)
    chair.get_by_role("button", name="Check in Delegate 2").click()
    expect(chair.locator(".flash--success")).to_contain_text("Delegate 2 is checked in.")
    expect(chair.locator(".present-weight__value")).to_have_text("1 / 4")
    expect(chair.get_by_label("Search by name, e-mail, delegation or country")).to_have_value(
        "delegate 2"
    )
    screenshot(chair, "attendance-checked-in-390")


def test_roll_call_reaches_the_delegates_page_and_the_chairs_list_live(
    make_live_world: Any, signed_in_page: Any
) -> None:
    world = make_live_world()
    cid = world.conference.id
    delegate = signed_in_page(world.delegate, path=f"/c/{cid}/vote", phone=True)
    expect(delegate.get_by_role("button", name="I am present")).to_be_hidden()
    delegate.evaluate(MARK)
    chair = signed_in_page(world.chair, path=f"/c/{cid}/attendance")
    chair.get_by_role("button", name="Open the roll call").click()
    chair.evaluate(MARK)

    # The delegate's page shows the check-in without a reload.
    expect(delegate.get_by_role("button", name="I am present")).to_be_visible(timeout=3000)
    assert delegate.evaluate(MARKED)
    delegate.get_by_role("button", name="I am present").click()
    expect(delegate.locator(".flash--success")).to_contain_text("You are checked in")

    # The chair's list and present weight follow without a reload.
    expect(chair.locator(".present-weight__value")).to_have_text("1 / 4", timeout=3000)
    row = chair.locator(f"#participant-{world.delegate.id}")
    expect(row.get_by_text("Present", exact=True)).to_be_visible()
    assert chair.evaluate(MARKED)
