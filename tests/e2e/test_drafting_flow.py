"""The drafting flow in Chromium: amendments proposed, co-sponsored, admitted and adopted.

A delegate rewrites operative clause 2 (watching the live diff), a co-sponsor confirms, the
secretariat admits it and the chair adopts it by general consent; an insert before clause 2
and a deletion of clause 4 go the same way, and a second amendment to clause 4 ends obsolete.
The draft then reads right and is numbered right, on a desktop and on a phone.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from resolutions.extensions import db
from resolutions.models import Amendment, AmendmentState
from tests.e2e.browser import DESKTOP, PHONE, horizontal_overflow
from tests.objects.drafting import clauses_by_number, make_draft

pytestmark = pytest.mark.e2e

NEW_CLAUSE_2 = "Urges the member organisations and their regional partners:"
INSERTED = "Welcomes the first annual report of the monitoring group;"


def clause(page: Page, number: str) -> Any:
    """The section of the draft page holding the clause numbered ``number`` ("2", "2(a)")."""
    return page.locator(f'section.draft-clause[data-number="{number}"]')


def clause_action(page: Page, number: str, action: str) -> None:
    """Open the "⋯" menu of clause ``number`` and follow ``action`` ("Amend", "History"…)."""
    section = clause(page, number)
    section.locator("summary.clause-menu__toggle").click()
    section.get_by_role("link", name=action, exact=True).click()


def operative_texts(page: Page) -> list[str]:
    """The numbered clauses as they read on the page: ["1. Calls upon…", "(a) to …", …]."""
    items = page.locator(".document__body .clause--operative")
    return [" ".join(t.split()) for t in items.all_inner_texts()]


def accept_dialogs(page: Page) -> Page:
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def test_amendments_go_through_the_whole_flow(
    live_world, signed_in_page, screenshot, live_url
) -> None:
    world = live_world
    resolution = make_draft(world)
    db.session.commit()
    draft_path = f"/c/{world.conference.id}/resolutions/{resolution.id}"
    proposer, sponsor, other = world.delegates

    # --- a delegate rewrites operative clause 2 and sees the diff as they type ---------------
    page = accept_dialogs(signed_in_page(proposer, path=draft_path))
    expect(page.locator(".document__kind")).to_have_text("Resolution")
    clause_action(page, "2", "Amend")
    expect(page.get_by_role("heading", name="Change operative clause 2")).to_be_visible()
    text = page.get_by_label("New text", exact=True)
    expect(text).to_have_value("Urges the member organisations:")
    text.fill(NEW_CLAUSE_2)
    live = page.locator("#live-diff")
    expect(live.locator("ins")).to_have_text("and their regional partners")
    expect(live).to_contain_text("Urges the member organisations")
    page.get_by_label("Justification").fill("Regional partners carry much of the work.")
    screenshot(page, "replace-live-diff")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".flash--success")).to_contain_text("saved as a draft")

    # Invites a co-sponsor and submits.
    invite = page.get_by_label("Invite a co-sponsor")
    invite.select_option(label=f"{sponsor.user.name} (Kyrgyzstan)")
    page.get_by_role("button", name="Invite").click()
    expect(page.locator(".sponsor-list")).to_contain_text(sponsor.user.name)
    expect(page.locator(".sponsor-list")).to_contain_text("Invited")
    page.get_by_role("button", name="Submit the amendment").click()
    expect(page.locator(".flash--success")).to_contain_text("A-1 was submitted")
    replace_url = page.url

    # The same delegate proposes an insert before clause 2 and the deletion of clause 4.
    page.goto(draft_path)
    clause_action(page, "1", "Insert after")
    expect(page.get_by_label("Where the new clause goes")).to_have_value(
        f"after:{clauses_by_number(resolution)['1'].id}"
    )
    page.get_by_label("Text of the new clause").fill(INSERTED)
    page.get_by_role("button", name="Save as draft").click()
    page.get_by_role("button", name="Submit the amendment").click()
    expect(page.locator(".flash--success")).to_contain_text("A-2 was submitted")

    page.goto(draft_path)
    clause_action(page, "4", "Propose deletion")
    expect(page.get_by_role("heading", name="Delete operative clause 4")).to_be_visible()
    page.get_by_role("button", name="Save as draft").click()
    page.get_by_role("button", name="Submit the amendment").click()
    expect(page.locator(".flash--success")).to_contain_text("A-3 was submitted")

    # Another delegate would rather reword clause 4.
    rival = signed_in_page(other, path=draft_path)
    clause_action(rival, "4", "Amend")
    rewording = "Decides to remain actively seized of the matter."
    rival.get_by_label("New text", exact=True).fill(rewording)
    rival.get_by_role("button", name="Save as draft").click()
    rival.get_by_role("button", name="Submit the amendment").click()
    expect(rival.locator(".flash--success")).to_contain_text("A-4 was submitted")

    # --- the co-sponsor confirms ----------------------------------------------------------------
    co = signed_in_page(sponsor, path=replace_url.removeprefix(live_url))
    expect(co.locator(".invitation")).to_contain_text("invites you to co-sponsor")
    co.get_by_role("button", name="Confirm co-sponsorship").click()
    expect(co.locator(".flash--success")).to_contain_text("You are now a co-sponsor of A-1")
    expect(co.locator(".facts")).to_contain_text(sponsor.user.name)

    # --- the secretariat admits all four from the draft page ------------------------------------
    secretariat = accept_dialogs(signed_in_page(world.secretariat, path=draft_path))
    for _round in range(4):
        secretariat.get_by_role("button", name="Admit").first.click()
        expect(secretariat.locator(".flash--success")).to_contain_text("was admitted")
    expect(secretariat.get_by_role("button", name="Admit")).to_have_count(0)
    expect(secretariat.locator(".amendment--admitted")).to_have_count(4)
    screenshot(secretariat, "all-admitted")

    # --- the chair adopts by general consent -----------------------------------
    chair = accept_dialogs(signed_in_page(world.chair, path=draft_path))
    for number in ("A-1", "A-2", "A-3"):
        card = chair.locator("article.amendment", has_text=f"{number}:")
        card.get_by_role("button", name="Adopt by general consent").click()
        expect(chair.locator(".flash--success")).to_contain_text(f"{number} was adopted")
    expect(chair.locator(".flash--info")).to_contain_text("Made obsolete by this adoption: A-4")

    # --- the draft reads right and is numbered right --------------------------------------------
    chair.goto(draft_path)
    assert operative_texts(chair) == [
        "1. Calls upon all governments to respect the freedom of association;",
        f"2. {INSERTED}",
        f"3. {NEW_CLAUSE_2}",
        "(a) to document every case of pressure;",
        "(b) to support the defenders concerned;",
        "4. Requests the secretariat to report to the next conference;",
    ]
    expect(chair.locator(".document__body")).not_to_contain_text("Decides to remain seized")
    obsolete = chair.locator(".orphans article.amendment", has_text="A-4")
    expect(obsolete.locator(".state-badge")).to_have_text("Obsolete")
    expect(obsolete).to_contain_text("Made obsolete by the adoption of A-3")

    db.session.expire_all()
    states = {a.number: a.state for a in db.session.scalars(db.select(Amendment))}
    assert states == {
        1: AmendmentState.ADOPTED,
        2: AmendmentState.ADOPTED,
        3: AmendmentState.ADOPTED,
        4: AmendmentState.OBSOLETE,
    }

    chair.set_viewport_size(DESKTOP)
    screenshot(chair, "draft-after-adoption-1280")
    chair.set_viewport_size(PHONE)
    assert horizontal_overflow(chair) == 0, "the draft scrolls sideways on a phone"
    screenshot(chair, "draft-after-adoption-390")


def test_the_draft_with_pending_amendments_on_a_phone(
    live_world, signed_in_page, screenshot
) -> None:
    """A delegate reads the draft with amendment cards under the clauses on a 390px phone."""
    from resolutions.drafting import service
    from resolutions.models import AmendmentKind

    world = live_world
    resolution = make_draft(world)
    clauses = clauses_by_number(resolution)
    replace = service.propose_amendment(
        resolution,
        world.delegates[1],
        kind=AmendmentKind.REPLACE,
        target=clauses["2(a)"],
        text="to document and publish every case of pressure;",
        justification="Publication protects.",
    )
    service.submit_amendment(replace, world.delegates[1])
    delete = service.propose_amendment(
        resolution, world.delegates[2], kind=AmendmentKind.DELETE, target=clauses["P2"]
    )
    service.submit_amendment(delete, world.delegates[2])
    service.admit_amendment(delete, world.secretariat)
    db.session.commit()

    page = signed_in_page(
        world.delegate, path=f"/c/{world.conference.id}/resolutions/{resolution.id}", phone=True
    )
    expect(page.locator("article.amendment")).to_have_count(2)
    expect(clause(page, "2(a)").locator("article.amendment ins")).to_have_text("and publish")
    expect(clause(page, "P2").locator("article.amendment del")).to_contain_text("Noting with")
    assert horizontal_overflow(page) == 0
    screenshot(page, "draft-with-amendments-390")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "draft-with-amendments-1280")
