"""The demo conference's draft: our Russian text and amendments in every state."""

from __future__ import annotations

import sqlalchemy as sa

from resolutions.audit import verify_chain
from resolutions.demo import load_demo
from resolutions.drafting import service
from resolutions.models import Amendment, AmendmentState, Resolution, SponsorStatus


def test_demo_draft_reads_like_a_resolution_with_amendments_in_every_state(db):
    conference = load_demo()
    [resolution] = db.session.scalars(
        sa.select(Resolution).where(Resolution.conference_id == conference.id)
    ).all()
    numbered = service.numbered_text(resolution)
    assert [n.label for n in numbered] == [""] * 5 + [
        "1.",
        "2.",
        "3.",
        "(a)",
        "(b)",
        "(c)",
        "4.",
        "5.",
        "6.",
    ]
    assert numbered[0].text.startswith("Подтверждая")
    assert numbered[1].text.startswith("Принимая во внимание")
    assert numbered[2].text.startswith("Выражая обеспокоенность")
    assert numbered[5].text.startswith("Призывает")
    assert numbered[11].text.startswith("Поручает секретариату")

    amendments = db.session.scalars(
        sa.select(Amendment).where(Amendment.resolution_id == resolution.id).order_by(Amendment.id)
    ).all()
    states = sorted(a.state.value for a in amendments)
    assert states == sorted(["admitted"] * 3 + ["submitted", "out_of_order", "withdrawn", "draft"])
    by_id = {n.clause_id: n for n in numbered}
    first = amendments[0]
    assert service.amendment_label(first, by_id) == "A-1: replace operative clause 1"
    assert sorted(s.status for s in first.sponsors) == [
        SponsorStatus.CONFIRMED,
        SponsorStatus.INVITED,
    ]
    out_of_order = next(a for a in amendments if a.state == AmendmentState.OUT_OF_ORDER)
    assert out_of_order.state_reason
    assert verify_chain().ok
