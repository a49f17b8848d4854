"""Adopting amendments: applying them to the text, obsolescence, conflicts and voting order,
stale detection, previews, labels, and locking the adopted resolution."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from resolutions.drafting import service
from resolutions.drafting.text import DiffSegment
from resolutions.errors import DomainError, PermissionDenied
from resolutions.models import (
    Amendment,
    AmendmentKind,
    AmendmentState,
    AuditEntry,
    Clause,
    ClauseKind,
    ClauseVersion,
    NumberingStyle,
    ResolutionState,
)
from tests.objects.drafting import clauses_by_number, make_draft

S = AmendmentState
REPLACE, DELETE, INSERT = AmendmentKind.REPLACE, AmendmentKind.DELETE, AmendmentKind.INSERT
OP, PRE = ClauseKind.OPERATIVE, ClauseKind.PREAMBULAR


def admitted(world, resolution, kind, *, by=None, state=S.ADMITTED, **kwargs) -> Amendment:
    """An amendment taken through the service to ``state`` (admitted by default)."""
    proposer = by or world.delegate
    amendment = service.propose_amendment(resolution, proposer, kind=kind, **kwargs)
    if state == S.DRAFT:
        return amendment
    service.submit_amendment(amendment, proposer)
    if state == S.ADMITTED:
        service.admit_amendment(amendment, world.secretariat)
    return amendment


def text(resolution) -> list[tuple[str, str]]:
    return [(n.label or n.number_path, n.text) for n in service.numbered_text(resolution)]


# --- applying ---------------------------------------------------------------------------------


def test_adopting_a_replace_writes_a_new_version_linked_to_the_amendment(db, world, draft):
    target = clauses_by_number(draft)["2"]
    amendment = admitted(world, draft, REPLACE, target=target, text="Urges everyone:")
    assert service.adopt_amendment(amendment, world.chair, poll_id=None) == []
    db.session.commit()
    assert target.text == "Urges everyone:"
    last = service.clause_history(target)[-1]
    assert (last.version, last.reason, last.amendment_id, last.author_id) == (
        2,
        "amendment",
        amendment.id,
        world.chair.user.id,
    )
    assert amendment.state == S.ADOPTED and amendment.decided_at is not None
    # The diff of an adopted amendment still shows what it changed.
    assert service.amendment_diff(amendment) == [
        DiffSegment("equal", "Urges "),
        DiffSegment("delete", "the member organisations"),
        DiffSegment("insert", "everyone"),
        DiffSegment("equal", ":"),
    ]
    entry = service.amendment_history(amendment)[-1]
    assert entry.action == "amendment.adopted"
    assert json.loads(entry.details) == {
        "by_consent": False,
        "number": "A-1",
        "obsolete": [],
        "poll_id": None,
    }


def test_adopting_a_replace_obsoletes_deletes_of_it_and_flags_other_replaces(db, world, draft):
    target = clauses_by_number(draft)["2"]
    first = admitted(world, draft, REPLACE, target=target, text="Urges everyone:")
    rival = admitted(world, draft, REPLACE, target=target, text="Asks them:", by=world.delegates[1])
    delete = admitted(world, draft, DELETE, target=target, by=world.delegates[2])
    submitted_delete = admitted(world, draft, DELETE, target=target, state=S.SUBMITTED)
    assert not service.is_stale(rival)
    obsolete = service.adopt_by_consent(first, world.chair)
    db.session.commit()
    assert {a.id for a in obsolete} == {delete.id, submitted_delete.id}
    for gone in (delete, submitted_delete):
        assert gone.state == S.OBSOLETE
        assert gone.obsoleted_by_id == first.id
        assert gone.state_reason == "Made obsolete by the adoption of A-1."
    assert rival.state == S.ADMITTED
    assert service.is_stale(rival)
    # Both diffs: against the version it was written against, and against the text now.
    assert service.amendment_original_diff(rival) == [
        DiffSegment("delete", "Urges the member organisations"),
        DiffSegment("insert", "Asks them"),
        DiffSegment("equal", ":"),
    ]
    assert service.amendment_diff(rival) == [
        DiffSegment("delete", "Urges everyone"),
        DiffSegment("insert", "Asks them"),
        DiffSegment("equal", ":"),
    ]
    assert service.target_change_diff(rival) == [
        DiffSegment("equal", "Urges "),
        DiffSegment("delete", "the member organisations"),
        DiffSegment("insert", "everyone"),
        DiffSegment("equal", ":"),
    ]
    # The chair may still put it: adopting it replaces the replaced text.
    service.adopt_by_consent(rival, world.chair)
    assert target.text == "Asks them:"


def test_a_secretariat_edit_flags_amendments_written_before_it(db, world, draft):
    target = clauses_by_number(draft)["3"]
    amendment = admitted(world, draft, REPLACE, target=target, text="Requests a report;")
    delete = admitted(world, draft, DELETE, target=target)
    original = target.text
    service.edit_clause(target, world.secretariat, "Requests nothing;", expected_version=1)
    assert service.is_stale(amendment) and service.is_stale(delete)
    service.edit_clause(target, world.secretariat, original, expected_version=2)
    assert not service.is_stale(amendment)  # the text is again the one it was written against
    service.move_clause(target, world.secretariat, after=None)
    assert not service.is_stale(amendment)  # a move is not a change of text


def test_adopting_a_delete_removes_the_subtree_and_decides_the_amendments_around_it(
    db, world, draft
):
    by = clauses_by_number(draft)
    delete = admitted(world, draft, DELETE, target=by["2"])
    replace_it = admitted(world, draft, REPLACE, target=by["2"], text="x", by=world.delegates[1])
    replace_sub = admitted(world, draft, REPLACE, target=by["2(a)"], text="y")
    delete_sub = admitted(world, draft, DELETE, target=by["2(b)"], state=S.SUBMITTED)
    insert_sub = admitted(world, draft, INSERT, parent=by["2"], after=by["2(b)"], text="(c)")
    insert_first_sub = admitted(world, draft, INSERT, parent=by["2"], text="(0)")
    insert_after = admitted(world, draft, INSERT, new_clause_kind=OP, after=by["2"], text="new")
    draft_replace = admitted(world, draft, REPLACE, target=by["2"], text="z", state=S.DRAFT)
    untouched = admitted(world, draft, REPLACE, target=by["3"], text="w")

    obsolete = service.adopt_amendment(delete, world.chair, poll_id=7)
    db.session.commit()

    assert [a.id for a in obsolete] == [
        replace_it.id,
        replace_sub.id,
        delete_sub.id,
        insert_sub.id,
        insert_first_sub.id,
    ]
    for amendment in obsolete:
        assert amendment.state == S.OBSOLETE
        assert amendment.state_reason == "Made obsolete by the adoption of A-1."
    # An insert after the deleted clause now follows the clause before it: same place.
    assert insert_after.state == S.ADMITTED
    assert insert_after.after_clause_id == by["1"].id
    assert draft_replace.state == S.DRAFT
    assert untouched.state == S.ADMITTED
    assert [p for p, _ in text(draft)] == ["P1", "P2", "1.", "2.", "3."]
    for key in ("2", "2(a)", "2(b)"):
        last = service.clause_history(by[key])[-1]
        assert (last.reason, last.is_deleted, last.amendment_id) == ("amendment", True, delete.id)
    assert json.loads(service.amendment_history(delete)[-1].details)["poll_id"] == 7
    reanchored = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "amendment.reanchored")
    ).all()
    assert [e.object_id for e in reanchored] == [insert_after.id]
    with pytest.raises(DomainError, match="deleted"):
        service.submit_amendment(draft_replace, world.delegate)
    # Adopting the re-anchored insert puts the new clause where the deleted one stood.
    service.adopt_by_consent(insert_after, world.chair)
    assert text(draft)[3] == ("2.", "new")


def test_an_insert_after_the_first_clause_deleted_moves_to_the_first_place(db, world, draft):
    by = clauses_by_number(draft)
    delete = admitted(world, draft, DELETE, target=by["1"])
    insert = admitted(world, draft, INSERT, new_clause_kind=OP, after=by["1"], text="new first")
    service.adopt_by_consent(delete, world.chair)
    assert insert.state == S.ADMITTED and insert.after_clause_id is None
    service.adopt_by_consent(insert, world.chair)
    assert text(draft)[2] == ("1.", "new first")


def test_deleting_a_clause_directly_has_the_same_consequences(db, world, draft):
    by = clauses_by_number(draft)
    replace_it = admitted(world, draft, REPLACE, target=by["4"], text="x")
    insert_after = admitted(world, draft, INSERT, new_clause_kind=OP, after=by["4"], text="y")
    service.delete_clause(by["4"], world.secretariat)
    db.session.commit()
    assert replace_it.state == S.OBSOLETE
    assert replace_it.obsoleted_by_id is None
    assert replace_it.state_reason == "The clause it concerns was deleted by the secretariat."
    assert insert_after.after_clause_id == by["3"].id


def test_adopting_inserts_creates_clauses_and_renumbers(db, world, draft):
    by = clauses_by_number(draft)
    first_pre = admitted(world, draft, INSERT, new_clause_kind=PRE, text="Mindful,")
    after_one = admitted(world, draft, INSERT, new_clause_kind=OP, after=by["1"], text="one-b")
    sub = admitted(world, draft, INSERT, parent=by["2"], after=by["2(a)"], text="a-b")
    sub_first = admitted(world, draft, INSERT, parent=by["2(a)"], text="i")
    for amendment in (first_pre, after_one, sub, sub_first):
        assert service.adopt_by_consent(amendment, world.chair) == []
    db.session.commit()
    assert text(draft) == [
        ("P1", "Mindful,"),
        ("P2", "Recalling the founding declaration of the network,"),
        ("P3", "Noting with concern the reports of the delegations,"),
        ("1.", "Calls upon all governments to respect the freedom of association;"),
        ("2.", "one-b"),
        ("3.", "Urges the member organisations:"),
        ("(a)", "to document every case of pressure;"),
        ("(i)", "i"),
        ("(b)", "a-b"),
        ("(c)", "to support the defenders concerned;"),
        ("4.", "Requests the secretariat to report to the next conference;"),
        ("5.", "Decides to remain seized of the matter."),
    ]
    created = db.session.get(Clause, after_one.applied_clause_id)
    assert created.text == "one-b"
    [version] = service.clause_history(created)
    assert (version.reason, version.amendment_id) == ("amendment", after_one.id)
    numbered = {n.clause_id: n for n in service.numbered_text(draft)}
    assert service.amendment_label(after_one, numbered) == "A-2: insert operative clause 2"


def test_inserts_at_one_place_land_in_the_order_they_are_adopted(db, world, draft):
    by = clauses_by_number(draft)
    first = admitted(world, draft, INSERT, new_clause_kind=OP, after=by["1"], text="first")
    second = admitted(world, draft, INSERT, new_clause_kind=OP, after=by["1"], text="second")
    at_start = admitted(world, draft, INSERT, new_clause_kind=OP, text="start 1")
    at_start_too = admitted(world, draft, INSERT, new_clause_kind=OP, text="start 2")
    service.adopt_by_consent(first, world.chair)
    assert second.after_clause_id == first.applied_clause_id
    service.adopt_by_consent(second, world.chair)
    service.adopt_by_consent(at_start, world.chair)
    assert at_start_too.after_clause_id == at_start.applied_clause_id
    service.adopt_by_consent(at_start_too, world.chair)
    assert [t for _, t in text(draft)][2:7] == [
        "start 1",
        "start 2",
        "Calls upon all governments to respect the freedom of association;",
        "first",
        "second",
    ]


def test_adopting_is_refused_unless_admitted(db, world, draft):
    target = clauses_by_number(draft)["1"]
    amendment = admitted(world, draft, REPLACE, target=target, text="x", state=S.SUBMITTED)
    with pytest.raises(DomainError, match="Only an admitted amendment can be adopted"):
        service.adopt_amendment(amendment, world.chair)
    assert target.text != "x"
    assert (
        db.session.scalar(
            sa.select(sa.func.count(ClauseVersion.id)).where(ClauseVersion.clause_id == target.id)
        )
        == 1
    )


@pytest.mark.parametrize("role", ["secretariat", "delegate", "observer"])
def test_only_the_chair_adopts_by_consent(db, world, draft, role):
    amendment = admitted(world, draft, DELETE, target=clauses_by_number(draft)["1"])
    with pytest.raises(PermissionDenied):
        service.adopt_by_consent(amendment, world.member(role))
    assert amendment.state == S.ADMITTED
    assert not clauses_by_number(draft)["1"].is_deleted


def test_reject_leaves_the_text_alone(db, world, draft):
    target = clauses_by_number(draft)["1"]
    amendment = admitted(world, draft, REPLACE, target=target, text="x")
    service.reject_amendment(amendment, None, poll_id=3)
    assert amendment.state == S.REJECTED
    assert target.version == 1
    assert json.loads(service.amendment_history(amendment)[-1].details)["poll_id"] == 3


# --- the whole issue scenario -----------------------------------------------------------------


def test_replace_on_2_insert_before_it_and_delete_of_4_read_and_number_right(db, world, draft):
    by = clauses_by_number(draft)
    replace = admitted(world, draft, REPLACE, target=by["2"], text="Urges all members:")
    insert = admitted(world, draft, INSERT, new_clause_kind=OP, after=by["1"], text="Welcomes x;")
    delete = admitted(world, draft, DELETE, target=by["4"])
    second_on_4 = admitted(
        world, draft, REPLACE, target=by["4"], text="Decides otherwise.", by=world.delegates[1]
    )
    for amendment in (replace, insert, delete):
        service.adopt_by_consent(amendment, world.chair)
    db.session.commit()
    assert text(draft) == [
        ("P1", "Recalling the founding declaration of the network,"),
        ("P2", "Noting with concern the reports of the delegations,"),
        ("1.", "Calls upon all governments to respect the freedom of association;"),
        ("2.", "Welcomes x;"),
        ("3.", "Urges all members:"),
        ("(a)", "to document every case of pressure;"),
        ("(b)", "to support the defenders concerned;"),
        ("4.", "Requests the secretariat to report to the next conference;"),
    ]
    assert second_on_4.state == S.OBSOLETE
    assert second_on_4.state_reason == "Made obsolete by the adoption of A-3."
    numbered = {n.clause_id: n for n in service.numbered_text(draft)}
    assert service.amendment_label(second_on_4, numbered) == ("A-4: replace a clause since deleted")


# --- conflicts and voting order ---------------------------------------------------------------


def test_default_voting_order_groups_by_clause_then_delete_replace_insert(db, world, draft):
    by = clauses_by_number(draft)
    insert_after_2 = admitted(world, draft, INSERT, new_clause_kind=OP, after=by["2"], text="i")
    replace_2 = admitted(world, draft, REPLACE, target=by["2"], text="r")
    replace_1 = admitted(world, draft, REPLACE, target=by["1"], text="r1")
    delete_2 = admitted(world, draft, DELETE, target=by["2"])
    start_op = admitted(world, draft, INSERT, new_clause_kind=OP, text="s")
    start_pre = admitted(world, draft, INSERT, new_clause_kind=PRE, text="p")
    replace_p2 = admitted(world, draft, REPLACE, target=by["P2"], text="p2")
    replace_sub = admitted(world, draft, REPLACE, target=by["2(a)"], text="a")
    admitted(world, draft, REPLACE, target=by["3"], text="not admitted", state=S.SUBMITTED)
    queue = service.voting_queue(draft)
    assert [a.id for a in queue] == [
        start_pre.id,
        replace_p2.id,
        start_op.id,
        replace_1.id,
        delete_2.id,
        replace_2.id,
        insert_after_2.id,
        replace_sub.id,
    ]
    groups = service.vote_order_groups(draft)
    contested = [(g[0].number_path, [a.id for a in g[1]]) for g in groups if len(g[1]) > 1]
    assert contested == [("2", [delete_2.id, replace_2.id, insert_after_2.id])]
    assert groups[0][0] is None  # an insert at the start of the preamble touches no clause


def test_the_chair_sets_the_order_within_a_clause(db, world, draft):
    by = clauses_by_number(draft)
    replace_2 = admitted(world, draft, REPLACE, target=by["2"], text="r")
    delete_2 = admitted(world, draft, DELETE, target=by["2"])
    insert_2 = admitted(world, draft, INSERT, new_clause_kind=OP, after=by["2"], text="i")
    replace_1 = admitted(world, draft, REPLACE, target=by["1"], text="r1")
    service.set_vote_order(draft, world.chair, [insert_2.id, replace_2.id, delete_2.id])
    db.session.commit()
    assert [a.id for a in service.voting_queue(draft)] == [
        replace_1.id,
        insert_2.id,
        replace_2.id,
        delete_2.id,
    ]
    [entry] = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "amendments.ordered")
    ).all()
    assert json.loads(entry.details) == {"order": ["A-3", "A-1", "A-2"]}


def test_vote_order_refusals(db, world, draft):
    by = clauses_by_number(draft)
    one = admitted(world, draft, REPLACE, target=by["2"], text="r")
    submitted = admitted(world, draft, DELETE, target=by["2"], state=S.SUBMITTED)
    for role in ("secretariat", "delegate", "observer"):
        with pytest.raises(PermissionDenied):
            service.set_vote_order(draft, world.member(role), [one.id])
    with pytest.raises(DomainError, match="only once"):
        service.set_vote_order(draft, world.chair, [one.id, one.id])
    with pytest.raises(DomainError, match="Only admitted amendments"):
        service.set_vote_order(draft, world.chair, [one.id, submitted.id])
    with pytest.raises(DomainError, match="Only admitted amendments"):
        service.set_vote_order(draft, world.chair, [one.id, 999_999])
    assert one.vote_order is None


# --- previews and labels ----------------------------------------------------------------------


def test_preview_shows_the_text_as_it_would_read(db, world, draft):
    by = clauses_by_number(draft)
    replace = admitted(world, draft, REPLACE, target=by["2"], text="Urges all:", state=S.DRAFT)
    delete = admitted(world, draft, DELETE, target=by["2"], state=S.SUBMITTED)
    insert = admitted(world, draft, INSERT, new_clause_kind=OP, after=by["1"], text="New 2;")
    first_sub = admitted(world, draft, INSERT, parent=by["2"], text="new (a)")
    before = service.numbered_text(draft)

    replaced = service.amendment_preview(replace)
    assert [(n.number_path, n.text) for n in replaced][3] == ("2", "Urges all:")
    deleted = service.amendment_preview(delete)
    assert [n.number_path for n in deleted] == ["P1", "P2", "1", "2", "3"]
    inserted = service.amendment_preview(insert)
    assert [(n.clause_id, n.number_path, n.text) for n in inserted][3] == (None, "2", "New 2;")
    assert [n.number_path for n in inserted][4:] == ["3", "3(a)", "3(b)", "4", "5"]
    subbed = service.amendment_preview(first_sub)
    assert [(n.number_path, n.text) for n in subbed][4] == ("2(a)", "new (a)")
    # Nothing was saved.
    assert service.numbered_text(draft) == before
    service.adopt_by_consent(insert, world.chair)
    assert service.amendment_preview(insert) == service.numbered_text(draft)


def test_labels(db, world, draft):
    by = clauses_by_number(draft)
    cases = [
        (
            admitted(world, draft, REPLACE, target=by["2(a)"], text="x"),
            "A-1: replace operative clause 2(a)",
        ),
        (admitted(world, draft, DELETE, target=by["P2"]), "A-2: delete preambular paragraph 2"),
        (
            admitted(world, draft, INSERT, new_clause_kind=OP, after=by["3"], text="x"),
            "A-3: insert after operative clause 3",
        ),
        (
            admitted(world, draft, INSERT, parent=by["2"], text="x"),
            "A-4: insert a first sub-clause into operative clause 2",
        ),
        (
            admitted(world, draft, INSERT, new_clause_kind=PRE, text="x"),
            "A-5: insert at the start of the preamble",
        ),
        (
            admitted(world, draft, INSERT, new_clause_kind=OP, text="x"),
            "A-6: insert at the start of the operative part",
        ),
        (
            admitted(world, draft, REPLACE, target=by["4"], text="x", state=S.DRAFT),
            "Draft amendment: replace operative clause 4",
        ),
    ]
    numbered = {n.clause_id: n for n in service.numbered_text(draft)}
    for amendment, label in cases:
        assert service.amendment_label(amendment, numbered) == label


def test_labels_in_the_paragraphs_style(db, world):
    resolution = make_draft(world, "One.\n\nTwo.", style=NumberingStyle.PARAGRAPHS)
    by = clauses_by_number(resolution)
    amendment = admitted(world, resolution, DELETE, target=by["2"])
    numbered = {n.clause_id: n for n in service.numbered_text(resolution)}
    assert service.amendment_label(amendment, numbered) == "A-1: delete paragraph 2"


# --- the resolution as a whole ----------------------------------------------------------------


def test_adopting_the_resolution_locks_the_text(db, world, draft):
    by = clauses_by_number(draft)
    pending = admitted(world, draft, REPLACE, target=by["1"], text="x")
    submitted = admitted(world, draft, DELETE, target=by["3"], state=S.SUBMITTED)
    mine = admitted(world, draft, DELETE, target=by["4"], state=S.DRAFT)
    obsolete = service.adopt_resolution(draft, world.chair, poll_id=5)
    db.session.commit()
    assert draft.state == ResolutionState.ADOPTED and draft.adopted_at is not None
    assert {a.id for a in obsolete} == {pending.id, submitted.id}
    assert pending.state == S.OBSOLETE
    assert pending.state_reason.startswith("The resolution was decided")
    assert mine.state == S.DRAFT

    secretariat = world.secretariat
    refusals = [
        lambda: service.edit_clause(by["1"], secretariat, "x", expected_version=1),
        lambda: service.add_clause(draft, secretariat, kind=OP, text="x"),
        lambda: service.delete_clause(by["1"], secretariat),
        lambda: service.move_clause(by["1"], secretariat, after=None),
        lambda: admitted(world, draft, DELETE, target=by["1"], state=S.DRAFT),
        lambda: service.submit_amendment(mine, world.delegate),
        lambda: service.adopt_resolution(draft, world.chair),
        lambda: service.reject_resolution(draft, world.chair),
    ]
    for refuse in refusals:
        with pytest.raises(DomainError, match="adopted; its text can no longer change"):
            refuse()
    assert service.allowed_actions(mine, world.delegate) == frozenset()
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "resolution.adopted")
    ).one()
    assert json.loads(entry.details) == {"obsolete": ["A-1", "A-2"], "poll_id": 5}


def test_rejecting_the_resolution_locks_it_too(db, world, draft):
    service.reject_resolution(draft, world.chair)
    assert draft.state == ResolutionState.REJECTED
    with pytest.raises(DomainError, match="rejected"):
        service.add_clause(draft, world.secretariat, kind=OP, text="x")


# --- the draft page data ----------------------------------------------------------------------


def test_draft_page_places_amendments_and_filters(db, world, draft):
    by = clauses_by_number(draft)
    replace_2 = admitted(world, draft, REPLACE, target=by["2"], text="Urges all:")
    delete_2 = admitted(world, draft, DELETE, target=by["2"], by=world.delegates[1])
    insert_after_2 = admitted(world, draft, INSERT, new_clause_kind=OP, after=by["2"], text="n")
    insert_sub = admitted(world, draft, INSERT, parent=by["2"], text="first sub")
    at_start = admitted(world, draft, INSERT, new_clause_kind=OP, text="s")
    at_end = admitted(world, draft, INSERT, new_clause_kind=OP, after=by["4"], text="e")
    my_draft = admitted(world, draft, DELETE, target=by["1"], state=S.DRAFT)
    their_draft = admitted(
        world, draft, DELETE, target=by["1"], state=S.DRAFT, by=world.delegates[2]
    )
    gone = admitted(world, draft, REPLACE, target=by["3"], text="x", by=world.delegates[1])
    delete_3 = admitted(world, draft, DELETE, target=by["3"], by=world.delegates[2])
    service.invite_sponsor(replace_2, world.delegate, world.delegates[1])
    service.invite_sponsor(replace_2, world.delegate, world.delegates[2])
    service.respond_to_sponsorship(replace_2, world.delegates[1], True)
    service.adopt_by_consent(delete_3, world.chair)
    db.session.commit()

    page = service.draft_page_data(draft, world.delegate)
    ids = lambda views: [v.amendment.id for v in views]  # noqa: E731
    assert ids(page.amendments_to[by["2"].id]) == [delete_2.id, replace_2.id]
    assert ids(page.amendments_to[by["1"].id]) == [my_draft.id]  # not the other's draft
    assert ids(page.inserts_before[by["2(a)"].id]) == [insert_sub.id]
    # Clause 3 was deleted: an insert after clause 2 stands before clause 4 (now 3).
    assert ids(page.inserts_before[by["4"].id]) == [insert_after_2.id]
    assert ids(page.inserts_before[by["1"].id]) == [at_start.id]
    assert ids(page.inserts_before[None]) == [at_end.id]
    # Amendments to a deleted clause stay on the page, under that clause's id.
    assert ids(page.amendments_to[by["3"].id]) == [delete_3.id, gone.id]
    assert by["3"].id not in page.numbered
    assert page.total == 9
    assert [p.id for p in page.proposers] == [d.id for d in world.delegates]
    view = page.amendments_to[by["2"].id][1]
    assert view.label == "A-1: replace operative clause 2"
    assert [p.id for p in view.confirmed_sponsors] == [world.delegates[1].id]
    assert view.actions == {"withdraw", "invite"}
    assert view.diff == service.amendment_diff(replace_2)
    assert view.target.number_path == "2"
    assert not view.is_stale and view.original_diff == []

    admitted_only = service.draft_page_data(
        draft, world.delegate, state=S.ADMITTED, proposer_id=world.delegates[1].id
    )
    assert [v.amendment.id for vs in admitted_only.amendments_to.values() for v in vs] == [
        delete_2.id
    ]
    assert admitted_only.inserts_before == {}
    assert admitted_only.total == 9
    other = service.draft_page_data(draft, world.delegates[2], states=[S.DRAFT])
    assert [v.amendment.id for vs in other.amendments_to.values() for v in vs] == [their_draft.id]
    # Invited to co-sponsor a draft: they see it too.
    service.invite_sponsor(my_draft, world.delegate, world.delegates[2])
    db.session.commit()
    invitee = service.draft_page_data(draft, world.delegates[2], states=[S.DRAFT])
    assert [v.amendment.id for v in invitee.amendments_to[by["1"].id]] == [
        my_draft.id,
        their_draft.id,
    ]
    assert invitee.amendments_to[by["1"].id][0].actions == {"respond"}
    assert invitee.total == 10


def test_draft_page_flags_stale_amendments_with_both_diffs(db, world, draft):
    target = clauses_by_number(draft)["4"]
    amendment = admitted(world, draft, REPLACE, target=target, text="Decides to act.")
    service.edit_clause(target, world.secretariat, "Decides to wait.", expected_version=1)
    db.session.commit()
    [view] = service.draft_page_data(draft, world.chair).amendments_to[target.id]
    assert view.is_stale
    assert view.original_diff == service.amendment_original_diff(amendment)
    assert view.diff == service.amendment_diff(amendment)
    assert view.diff != view.original_diff
    assert service.amendment_view(amendment, world.chair) == view
