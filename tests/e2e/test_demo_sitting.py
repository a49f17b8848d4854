"""A full sitting on the demo conference, in Chromium: issue 5's acceptance scenario.

The chair opens the roll call (two delegates check themselves in from their pages; the rest
are marked present in the database), then puts the three admitted demo amendments to the
vote with the console's "Other rules…": a secret ballot that is adopted, a named ballot that
is rejected, one whose quorum is not reached; then the resolution as a whole by two-thirds.
Three delegates vote in their own browsers (one on a phone); the other members' ballots go
through ``voting.service.cast_ballot`` in the test's app context.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from resolutions.demo import DEMO_PASSWORD, load_demo
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AmendmentState,
    BallotChoice,
    Choice,
    Participant,
    Poll,
    Resolution,
    ResolutionState,
    User,
    VoteRecord,
)
from resolutions.voting.service import cast_ballot
from tests.e2e.browser import horizontal_overflow, sign_in_with_form
from tests.objects.voting import check_in

pytestmark = pytest.mark.e2e

BROWSER_VOTERS = ["Айгерим Нурланова", "Бермет Касымова", "Ануш Петросян"]
A1_TEXT = "Призывает правительства государств региона обеспечить в законодательстве"


def _member(conference_id: int, name: str) -> Participant:
    return db.session.scalars(
        sa.select(Participant)
        .join(User, User.id == Participant.user_id)
        .where(Participant.conference_id == conference_id, User.name == name)
    ).one()


def _cast(poll_id: int, voters: list[Participant], choice: Choice) -> int:
    """Cast ``choice`` for each voter through the service; the weight cast."""
    for voter in voters:
        cast_ballot(poll_id, voter, choice)
    return sum(voter.weight for voter in voters)


def test_demo_sitting_secret_named_quorum_and_two_thirds(
    live_app: Any, new_page: Callable[..., Any], screenshot: Any
) -> None:
    conference = load_demo()
    cid = conference.id
    people = db.session.scalars(
        sa.select(Participant)
        .where(Participant.conference_id == cid, Participant.voting_right.is_(True))
        .order_by(Participant.id)
    ).all()
    assert len(people) == 31  # the chair and 30 delegates
    voters = [_member(cid, name) for name in BROWSER_VOTERS]
    others = [p for p in people if p not in voters]
    chair_member = next(p for p in people if p.user.email == "chair@demo.example")
    resolution = db.session.scalars(
        sa.select(Resolution).where(Resolution.conference_id == cid)
    ).one()

    def signed_in(participant: Participant, path: str, **options: Any) -> Any:
        page = new_page(**options)
        sign_in_with_form(page, participant.user, DEMO_PASSWORD)
        page.goto(path)
        return page

    # Roll call: everyone but two delegates is marked present at the desk; those two check
    # themselves in from their voting pages once the chair opens the roll call.
    check_in(*[p for p in people if p not in voters[:2]])
    chair = signed_in(chair_member, f"/c/{cid}/attendance")
    phone = signed_in(voters[1], f"/c/{cid}/vote", phone=True)
    pages = [signed_in(voters[0], f"/c/{cid}/vote"), phone, signed_in(voters[2], f"/c/{cid}/vote")]
    chair.get_by_role("button", name="Open the roll call").click()
    for page in pages[:2]:
        page.get_by_role("button", name="I am present").click(timeout=5000)
        expect(page.locator(".flash--success")).to_contain_text("You are checked in")
    expect(chair.locator(".present-weight__value")).to_have_text("51 / 51", timeout=5000)
    chair.goto(f"/c/{cid}/console")

    def open_vote(item: str, *, kind: str = "", method: str = "", quorum: str = "") -> Poll:
        row = chair.locator(".queue__item", has_text=item)
        row.locator("summary", has_text="Other rules…").click()
        if kind:
            row.get_by_label("Ballot", exact=True).select_option(kind)
        if method:
            row.get_by_label("Majority", exact=True).select_option(method)
        if quorum:
            row.get_by_label("Quorum", exact=True).fill(quorum)
        row.get_by_role("button", name="Open with these rules").click()
        expect(chair.locator(".poll-card--open")).to_contain_text(item)
        db.session.expire_all()
        return db.session.scalars(
            sa.select(Poll).where(Poll.conference_id == cid, Poll.state == "open")
        ).one()

    def browsers_vote(label: str) -> None:
        for page in pages:
            expect(page.locator(".poll-public--open")).to_be_visible(timeout=5000)
            page.locator("[data-ballot-form]").get_by_role("button", name=label).click()
            # "Your vote has been recorded." (named) or "Your ballot is in the box." (secret).
            expect(page.locator(".receipt")).to_contain_text(
                re.compile("Your vote has been recorded|Your ballot is in the box")
            )
            expect(page.locator(".receipt__note")).to_contain_text("The receipt proves")

    def close(outcome: str) -> None:
        chair.get_by_role("button", name="Close the vote").click()
        expect(chair.locator(".poll-card--last")).to_contain_text(outcome)

    # (1) A-1 by secret ballot: adopted.
    secret = open_vote("A-1", kind="secret")
    browsers_vote("Yes")
    screenshot(phone, "phone-ballot-390")
    assert horizontal_overflow(phone) == 0, "the ballot scrolls sideways on a phone"
    yes1 = 9 + _cast(secret.id, others[:20], Choice.YES)
    no1 = _cast(secret.id, others[20:24], Choice.NO)
    expect(chair.locator('[data-turnout="ballots"]').first).to_have_text("27", timeout=5000)
    screenshot(chair, "console-1280")
    close("Adopted")

    # Nothing links a voter to a choice: the choice rows have no participant column, the
    # "has voted" rows keep neither choice nor weight.
    live_columns = {c["name"] for c in sa.inspect(db.engine).get_columns("ballot_choice")}
    assert live_columns == {"id", "poll_id", "choice", "weight"}
    db.session.expire_all()
    records = db.session.scalars(sa.select(VoteRecord).where(VoteRecord.poll_id == secret.id)).all()
    assert len(records) == 27
    assert all(r.choice is None and r.weight is None for r in records)
    choice_rows = db.session.scalars(
        sa.select(BallotChoice).where(BallotChoice.poll_id == secret.id)
    ).all()
    assert {row.choice for row in choice_rows} <= {Choice.YES, Choice.NO}

    # (2) A-2 by named ballot: rejected.
    named = open_vote("A-2", kind="named")
    browsers_vote("No")
    no2 = 9 + _cast(named.id, others[:16], Choice.NO)
    yes2 = _cast(named.id, others[16:22], Choice.YES)
    close("Rejected")

    # (3) A-3 with a quorum of two thirds of the entitled weight: only three vote.
    quorum = open_vote("A-3", quorum="2/3")
    browsers_vote("Yes")
    close("No quorum")

    # (4) The resolution as a whole by two-thirds: adopted.
    whole = open_vote("The resolution as a whole", method="two_thirds")
    browsers_vote("Yes")
    yes4 = 9 + _cast(whole.id, others[:22], Choice.YES)
    no4 = _cast(whole.id, others[22:25], Choice.NO)
    abstain4 = _cast(whole.id, others[25:27], Choice.ABSTAIN)
    close("Adopted")

    # The voting record: four polls, in order, with their rules and outcomes.
    chair.goto(f"/c/{cid}/record")
    rows = chair.locator(".record-table tbody tr")
    expect(rows).to_have_count(4)
    expected = [
        ("A-1", "Secret ballot", "Simple majority", yes1, no1, 0, "Adopted"),
        ("A-2", "Named ballot", "Simple majority", yes2, no2, 0, "Rejected"),
        ("A-3", "Named ballot", "Simple majority", 9, 0, 0, "No quorum"),
        ("as a whole", "Named ballot", "Two-thirds majority", yes4, no4, abstain4, "Adopted"),
    ]
    for index, (subject, kind, method, yes, no, abstain, outcome) in enumerate(expected):
        cells = rows.nth(index).locator("td")
        expect(cells.nth(1)).to_contain_text(subject)
        expect(cells.nth(2)).to_have_text(outcome)
        expect(cells.nth(3)).to_have_text(str(yes))
        expect(cells.nth(4)).to_have_text(str(no))
        expect(cells.nth(5)).to_have_text(str(abstain))
        expect(cells.nth(6)).to_contain_text("/ 51")
        expect(cells.nth(7)).to_contain_text(kind)
        expect(cells.nth(7)).to_contain_text(method)
    expect(rows.nth(2).locator("td").nth(7)).to_contain_text("2/3")
    screenshot(chair, "record-1280")

    # The secret poll's page: counts, no names.
    chair.goto(f"/c/{cid}/polls/{secret.id}")
    expect(chair.locator(".result__count--yes dd")).to_have_text(str(yes1))
    expect(chair.get_by_text("Secret ballot: only the counts exist")).to_be_visible()
    expect(chair.get_by_text("How each delegate voted")).to_have_count(0)
    for name in BROWSER_VOTERS:
        expect(chair.get_by_text(name)).to_have_count(0)
    # The named poll's page: each voter's choice.
    chair.goto(f"/c/{cid}/polls/{named.id}")
    expect(chair.get_by_text("How each delegate voted")).to_be_visible()
    named_rows = chair.locator(".result-card .table-wrap tbody tr")
    expect(named_rows).to_have_count(25)
    expect(named_rows.filter(has_text=BROWSER_VOTERS[0])).to_contain_text("No")
    expect(named_rows.filter(has_text=others[16].user.name)).to_contain_text("Yes")

    # The draft: A-1's text is in it, A-2 and A-3 rejected, the resolution adopted and locked.
    db.session.expire_all()
    states = {
        a.id: a.state
        for a in db.session.scalars(
            sa.select(Amendment).where(
                Amendment.id.in_([secret.amendment_id, named.amendment_id, quorum.amendment_id])
            )
        )
    }
    assert states == {
        secret.amendment_id: AmendmentState.ADOPTED,
        named.amendment_id: AmendmentState.REJECTED,
        quorum.amendment_id: AmendmentState.REJECTED,
    }
    assert db.session.get(Resolution, resolution.id).state == ResolutionState.ADOPTED
    reader = pages[0]
    reader.goto(f"/c/{cid}/resolutions/{resolution.id}")
    expect(
        reader.get_by_text("This resolution has been adopted; its text can no longer")
    ).to_be_visible()
    screenshot(reader, "adopted-draft")
    # The clean text (no amendment cards): A-1's wording replaced clause 1, clause 2 stays.
    reader.goto(f"/c/{cid}/resolutions/{resolution.id}/consolidated")
    body = reader.locator(".document__body")
    expect(body).to_contain_text(A1_TEXT)
    expect(body).to_contain_text("Отмечает с удовлетворением создание")
    expect(body).not_to_contain_text("судебными процессами")
