"""The secretariat's table of amendments: one query's rows, filters, sort, bulk rulings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa

from resolutions.drafting import service as drafting
from resolutions.models import (
    AmendmentKind,
    AmendmentState,
    AuditEntry,
    Conference,
    Resolution,
    utcnow,
)
from tests.objects.app import url_path
from tests.objects.drafting import clauses_by_number, make_draft


@contextmanager
def counting(engine: sa.Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def _amendments(db, world, resolution, count: int = 3):
    """``count`` submitted amendments: replaces of 1, 2, 3 ... by delegates in turn; the
    first co-sponsored by the second delegate."""
    clauses = clauses_by_number(resolution)
    made = []
    for index in range(count):
        proposer = world.delegates[index % len(world.delegates)]
        if index % 3 == 2:
            amendment = drafting.propose_amendment(
                resolution, proposer, kind=AmendmentKind.DELETE, target=clauses["4"]
            )
        else:
            amendment = drafting.propose_amendment(
                resolution,
                proposer,
                kind=AmendmentKind.REPLACE,
                target=clauses[str(1 + index % 3)],
                text=f"New text number {index}.",
            )
        drafting.submit_amendment(amendment, proposer)
        made.append(amendment)
    drafting.invite_sponsor(made[0], world.delegates[0], world.delegates[1])
    drafting.respond_to_sponsorship(made[0], world.delegates[1], True)
    db.session.commit()
    return made


def _url(world, resolution, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    base = url_path(
        "drafting.triage", conference_id=world.conference.id, resolution_id=resolution.id
    )
    return base + (f"?{query}" if query else "")


def _rule_url(world, resolution) -> str:
    return url_path(
        "drafting.triage_rule", conference_id=world.conference.id, resolution_id=resolution.id
    )


def test_the_table_lists_every_amendment_with_target_author_sponsors_and_deadline(
    db, world, as_user
):
    resolution = make_draft(world)
    a1, a2, a3 = _amendments(db, world, resolution)
    # came in the day before; the deadline was then moved before A-3 came in.
    a1.submitted_at -= timedelta(days=1)
    a2.submitted_at -= timedelta(days=1)
    world.conference.amendment_deadline = a3.submitted_at - timedelta(seconds=1)
    db.session.commit()
    page = as_user(world.secretariat).get(_url(world, resolution))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "A-1" in html and "A-2" in html and "A-3" in html
    assert "replace operative clause 1" in html
    assert "delete operative clause 4" in html
    assert "Delegate 2" in html  # co-sponsor of A-1
    assert html.count(">late<") == 1
    assert html.count(">on time<") == 2
    assert html.count('name="amendments"') == 3
    assert "3 amendments await a ruling" not in html


def test_filters_and_sort(db, world, as_user):
    resolution = make_draft(world)
    _amendments(db, world, resolution, 4)
    client = as_user(world.secretariat)
    deletes = client.get(_url(world, resolution, kind="delete")).get_data(as_text=True)
    assert "A-3" in deletes and "A-1<" not in deletes and "A-2<" not in deletes
    by_author = client.get(_url(world, resolution, proposer=world.delegates[1].id)).get_data(
        as_text=True
    )
    assert "A-2" in by_author and "A-1<" not in by_author
    newest_first = client.get(_url(world, resolution, sort="number", order="desc"))
    html = newest_first.get_data(as_text=True)
    assert html.index(">A-4<") < html.index(">A-3<") < html.index(">A-1<")
    by_kind = client.get(_url(world, resolution, sort="kind")).get_data(as_text=True)
    assert by_kind.index(">A-3<") < by_kind.index(">A-1<")  # delete before replace
    admitted = client.get(_url(world, resolution, state="admitted")).get_data(as_text=True)
    assert "No amendment matches these filters." in admitted


def test_bulk_admit_rules_on_all_in_one_go(db, world, as_user):
    resolution = make_draft(world)
    a1, a2, a3 = _amendments(db, world, resolution)
    answer = as_user(world.secretariat).post(
        _rule_url(world, resolution),
        data={"decision": "admit", "amendments": [str(a1.id), str(a3.id)]},
    )
    assert answer.status_code == 302
    assert (a1.state, a2.state, a3.state) == (
        AmendmentState.ADMITTED,
        AmendmentState.SUBMITTED,
        AmendmentState.ADMITTED,
    )
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.action == "amendment.admitted")
    ).all()
    assert len(actions) == 2


def test_ruling_out_of_order_needs_a_reason_and_is_all_or_nothing(db, world, as_user):
    resolution = make_draft(world)
    a1, a2, a3 = _amendments(db, world, resolution)
    client = as_user(world.secretariat)
    answer = client.post(
        _rule_url(world, resolution),
        data={"decision": "out_of_order", "amendments": [str(a1.id), str(a2.id)]},
    )
    assert answer.status_code == 409
    assert "Give the reason why the amendment is out of order." in answer.get_data(as_text=True)
    assert (a1.state, a2.state) == (AmendmentState.SUBMITTED, AmendmentState.SUBMITTED)

    # A-2 is admitted meanwhile: the batch with it fails, and A-1 stays as it was.
    drafting.admit_amendment(a2, world.secretariat)
    db.session.commit()
    answer = client.post(
        _rule_url(world, resolution),
        data={
            "decision": "out_of_order",
            "reason": "Outside the scope of the resolution.",
            "amendments": [str(a1.id), str(a2.id)],
        },
    )
    assert answer.status_code == 409
    assert a1.state == AmendmentState.SUBMITTED
    assert a2.state == AmendmentState.ADMITTED

    answer = client.post(
        _rule_url(world, resolution),
        data={
            "decision": "out_of_order",
            "reason": "Outside the scope of the resolution.",
            "amendments": [str(a1.id), str(a3.id)],
        },
    )
    assert answer.status_code == 302
    assert a1.state == a3.state == AmendmentState.OUT_OF_ORDER
    assert a1.state_reason == "Outside the scope of the resolution."


def test_amendments_of_another_resolution_are_refused(db, world, other_world, as_user):
    resolution = make_draft(world)
    elsewhere = make_draft(other_world)
    (theirs,) = _amendments(db, other_world, elsewhere, 1)[:1]
    answer = as_user(world.secretariat).post(
        _rule_url(world, resolution), data={"decision": "admit", "amendments": [str(theirs.id)]}
    )
    assert answer.status_code == 409
    assert theirs.state == AmendmentState.SUBMITTED


def test_the_chair_reads_the_table_without_ruling(db, world, as_user):
    resolution = make_draft(world)
    _amendments(db, world, resolution)
    html = as_user(world.chair).get(_url(world, resolution)).get_data(as_text=True)
    assert "A-1" in html
    assert 'name="amendments"' not in html
    assert "Rule on the ticked amendments" not in html


def test_the_secretariat_home_counts_what_awaits_a_ruling(db, world, as_user):
    resolution = make_draft(world)
    a1, _a2, _a3 = _amendments(db, world, resolution)
    drafting.admit_amendment(a1, world.secretariat)
    db.session.commit()
    home = (
        as_user(world.secretariat)
        .get(url_path("conferences.home", conference_id=world.conference.id))
        .get_data(as_text=True)
    )
    assert "2 amendments await a ruling" in home
    assert _url(world, resolution, state="submitted") in home
    chair_home = (
        as_user(world.chair)
        .get(url_path("conferences.home", conference_id=world.conference.id))
        .get_data(as_text=True)
    )
    assert "await a ruling" not in chair_home


def _rows_queries(db, resolution_id: int) -> tuple[int, int]:
    db.session.remove()
    resolution = db.session.get(Resolution, resolution_id)
    _ = db.session.get(Conference, resolution.conference_id)
    with counting(db.engine) as statements:
        rows = drafting.triage_rows(resolution)
        for row in rows:
            _ = row.proposer.name, [s.name for s in row.sponsors], row.target
    return len(statements), len(rows)


def test_the_rows_come_in_a_constant_number_of_queries(db, world):
    small_draft = make_draft(world)
    _amendments(db, world, small_draft, 2)
    large_draft = make_draft(world, title="Second")
    _amendments(db, world, large_draft, 8)
    ids = small_draft.id, large_draft.id
    small, rows_small = _rows_queries(db, ids[0])
    large, rows_large = _rows_queries(db, ids[1])
    assert (rows_small, rows_large) == (2, 8)
    assert small == large
    assert large <= 7  # amendments, proposers, their accounts, sponsors (3), the text


def test_late_is_judged_against_the_deadline(db, world):
    resolution = make_draft(world)
    (a1,) = _amendments(db, world, resolution, 1)
    world.conference.amendment_deadline = utcnow() + timedelta(hours=1)
    db.session.commit()
    assert [row.late for row in drafting.triage_rows(resolution)] == [False]
    world.conference.amendment_deadline = a1.submitted_at - timedelta(minutes=1)
    db.session.commit()
    assert [row.late for row in drafting.triage_rows(resolution)] == [True]
