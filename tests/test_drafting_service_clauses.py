"""The secretariat's direct work on the text: resolutions, clauses, versions, import, history."""

from __future__ import annotations

import json
import time

import pytest
import sqlalchemy as sa

from resolutions.auth.access import seat_of
from resolutions.drafting import service
from resolutions.drafting.text import ParsedParagraph, parse_draft
from resolutions.errors import DomainError, PermissionDenied, StaleError
from resolutions.models import (
    AuditEntry,
    BallotKind,
    Clause,
    ClauseKind,
    ClauseVersion,
    ConferenceState,
    MajorityMethod,
    NumberingStyle,
    Poll,
    PollState,
    PollSubject,
    Resolution,
    utcnow,
)
from tests.objects.drafting import clauses_by_number, make_draft
from tests.objects.world import make_user

PRE, OP = ClauseKind.PREAMBULAR, ClauseKind.OPERATIVE


def paths(resolution: Resolution) -> list[tuple[str, str]]:
    return [(n.number_path, n.text) for n in service.numbered_text(resolution)]


def actions(db, action: str | None = None) -> list[AuditEntry]:
    query = sa.select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query))


def versions(db, clause: Clause) -> list[ClauseVersion]:
    return service.clause_history(clause)


def tick() -> None:
    """Let the clock move on, so that "before" and "after" a change are distinct moments."""
    time.sleep(0.002)


# --- resolutions ------------------------------------------------------------------------------


def test_secretariat_creates_a_resolution_with_an_audit_entry(db, world):
    resolution = service.create_resolution(
        world.conference, world.secretariat, "  On trade unions  ", NumberingStyle.PARAGRAPHS
    )
    db.session.commit()
    assert resolution.title == "On trade unions"
    assert resolution.numbering_style == NumberingStyle.PARAGRAPHS
    [entry] = actions(db, "resolution.created")
    assert entry.object_id == resolution.id
    assert entry.conference_id == world.conference.id
    assert service.list_resolutions(world.conference) == [resolution]


@pytest.mark.parametrize("role", ["chair", "delegate", "observer"])
def test_only_the_secretariat_creates_resolutions(db, world, role):
    with pytest.raises(PermissionDenied):
        service.create_resolution(world.conference, world.member(role), "Title")
    assert db.session.scalar(sa.select(sa.func.count(Resolution.id))) == 0


def test_a_site_admin_who_is_no_member_manages_the_draft_as_its_secretariat(db, world):
    # The site administrator opens and manages any conference (issue 12, "Setting up"); an
    # ordinary user who is no member still cannot (the next test and the role tests above).
    # The services take the seat the view hands them: the administrator's stand-in seat.
    admin = make_user(name="Ad Min", is_admin=True)
    resolution = service.create_resolution(
        world.conference, seat_of(world.conference, admin), "Title"
    )
    assert resolution.conference_id == world.conference.id
    outsider = make_user(name="Out Sider")
    assert seat_of(world.conference, outsider) is None


def test_secretariat_of_another_conference_cannot_edit_this_one(db, world, other_world):
    with pytest.raises(PermissionDenied):
        service.create_resolution(world.conference, other_world.secretariat, "Title")
    resolution = make_draft(world)
    with pytest.raises(PermissionDenied):
        service.add_clause(resolution, other_world.secretariat, kind=OP, text="x")


@pytest.mark.parametrize(
    ("title", "message"), [("   ", "Enter the title"), ("x" * 301, "too long")]
)
def test_resolution_title_is_checked(db, world, title, message):
    with pytest.raises(DomainError, match=message) as error:
        service.create_resolution(world.conference, world.secretariat, title)
    assert error.value.field == "title"


def test_closed_conference_refuses_changes(db, world):
    resolution = make_draft(world)
    world.conference.state = ConferenceState.CLOSED
    db.session.commit()
    with pytest.raises(DomainError, match="closed"):
        service.create_resolution(world.conference, world.secretariat, "Another")
    with pytest.raises(DomainError, match="closed"):
        service.add_clause(resolution, world.secretariat, kind=OP, text="x")


def test_update_resolution_changes_title_and_style(db, world):
    resolution = make_draft(world)
    service.update_resolution(
        resolution,
        world.secretariat,
        title="New title",
        numbering_style=NumberingStyle.PARAGRAPHS,
    )
    assert resolution.title == "New title"
    assert [n.label for n in service.numbered_text(resolution)] == [""] * 8
    assert len(actions(db, "resolution.updated")) == 1


# --- adding clauses and positions -------------------------------------------------------------


def test_add_clause_first_after_and_sub_clauses(db, world):
    actor = world.secretariat
    resolution = service.create_resolution(world.conference, actor, "R")
    one = service.add_clause(resolution, actor, kind=OP, text="one")
    three = service.add_clause(resolution, actor, kind=OP, text="three", after=one)
    two = service.add_clause(resolution, actor, kind=OP, text="two", after=one)
    zero = service.add_clause(resolution, actor, kind=OP, text="zero")
    pre = service.add_clause(resolution, actor, kind=PRE, text="recalling")
    sub_b = service.add_clause(resolution, actor, kind=OP, text="b", parent=two)
    sub_a = service.add_clause(resolution, actor, kind=OP, text="a", parent=two)
    sub_i = service.add_clause(resolution, actor, kind=OP, text="i", parent=sub_a)
    db.session.commit()
    assert paths(resolution) == [
        ("P1", "recalling"),
        ("1", "zero"),
        ("2", "one"),
        ("3", "two"),
        ("3(a)", "a"),
        ("3(a)(i)", "i"),
        ("3(b)", "b"),
        ("4", "three"),
    ]
    # Positions leave gaps on both sides.
    assert two.position - one.position >= 2 and three.position - two.position >= 2
    assert zero.position < one.position
    for clause in (one, two, three, zero, pre, sub_a, sub_b, sub_i):
        [version] = versions(db, clause)
        assert (version.version, version.reason, version.author_id) == (
            1,
            "create",
            actor.id,
        )
        assert version.text == clause.text
    entries = actions(db, "clause.added")
    assert len(entries) == 8
    assert json.loads(entries[2].details)["number"] == "operative clause 2"


def test_inserting_a_clause_rewrites_no_other_row(db, world):
    resolution = make_draft(world)
    before = {c.id: (c.position, c.version) for c in db.session.scalars(sa.select(Clause))}
    first = clauses_by_number(resolution)["1"]
    added = service.add_clause(resolution, world.secretariat, kind=OP, text="new", after=first)
    db.session.commit()
    after = {c.id: (c.position, c.version) for c in db.session.scalars(sa.select(Clause))}
    del after[added.id]
    assert after == before
    assert [p for p, _ in paths(resolution)] == [
        "P1",
        "P2",
        "1",
        "2",
        "3",
        "3(a)",
        "3(b)",
        "4",
        "5",
    ]
    assert clauses_by_number(resolution)["2"].id == added.id


def test_many_inserts_at_one_place_spread_the_siblings_and_keep_history(db, world):
    actor = world.secretariat
    resolution = service.create_resolution(world.conference, actor, "R")
    first = service.add_clause(resolution, actor, kind=OP, text="first")
    last = service.add_clause(resolution, actor, kind=OP, text="last", after=first)
    db.session.commit()
    tick()
    moment = utcnow()
    tick()
    for number in range(1, 15):  # always right after "first": the gap halves each time
        service.add_clause(resolution, actor, kind=OP, text=f"n{number}", after=first)
    db.session.commit()
    assert [t for _, t in paths(resolution)] == ["first"] + [f"n{n}" for n in range(14, 0, -1)] + [
        "last"
    ]
    positions = [c.position for c in db.session.scalars(sa.select(Clause))]
    assert len(set(positions)) == len(positions)
    # The spreading wrote "move" versions, so the text before it is still right.
    assert any(v.reason == "move" for v in versions(db, last))
    assert [n.text for n in service.text_at(resolution, moment)] == ["first", "last"]


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("preambular parent", "Only operative clauses have sub-clauses"),
        ("too deep", "cannot have sub-clauses"),
        ("after other level", "same kind and level"),
        ("after other kind", "same kind and level"),
    ],
)
def test_add_clause_refuses_impossible_places(db, world, where, message):
    resolution = make_draft(world)
    actor = world.secretariat
    by = clauses_by_number(resolution)
    sub_i = service.add_clause(resolution, actor, kind=OP, text="i", parent=by["2(a)"])
    db.session.commit()
    count = db.session.scalar(sa.select(sa.func.count(Clause.id)))
    kwargs = {
        "preambular parent": {"kind": OP, "parent": by["P1"]},
        "too deep": {"kind": OP, "parent": sub_i},
        "after other level": {"kind": OP, "after": by["2(a)"]},
        "after other kind": {"kind": OP, "after": by["P1"]},
    }[where]
    with pytest.raises(DomainError, match=message):
        service.add_clause(resolution, actor, text="x", **kwargs)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Clause.id))) == count


def test_add_clause_after_a_deleted_clause_is_stale(db, world):
    resolution = make_draft(world)
    third = clauses_by_number(resolution)["3"]
    service.delete_clause(third, world.secretariat)
    with pytest.raises(StaleError, match="deleted"):
        service.add_clause(resolution, world.secretariat, kind=OP, text="x", after=third)


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "Enter the text"), ("  \n\t ", "Enter the text"), ("x" * 50_000, "too long: 50,000")],
)
def test_add_clause_text_is_checked_and_nothing_is_saved(db, world, text, message):
    resolution = make_draft(world)
    db.session.commit()
    count = db.session.scalar(sa.select(sa.func.count(ClauseVersion.id)))
    with pytest.raises(DomainError, match=message) as error:
        service.add_clause(resolution, world.secretariat, kind=OP, text=text)
    assert error.value.field == "text"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(ClauseVersion.id))) == count


def test_clause_text_is_normalised(db, world):
    resolution = make_draft(world)
    clause = service.add_clause(resolution, world.secretariat, kind=OP, text="  a\r\nb\x00c\x07  ")
    db.session.commit()
    assert clause.text == "a\nbc"


@pytest.mark.parametrize("role", ["chair", "delegate", "observer"])
def test_only_the_secretariat_edits_clauses(db, world, role):
    resolution = make_draft(world)
    clause = clauses_by_number(resolution)["1"]
    user = world.member(role)
    with pytest.raises(PermissionDenied):
        service.add_clause(resolution, user, kind=OP, text="x")
    with pytest.raises(PermissionDenied):
        service.edit_clause(clause, user, "x", expected_version=1)
    with pytest.raises(PermissionDenied):
        service.move_clause(clause, user, after=None)
    with pytest.raises(PermissionDenied):
        service.delete_clause(clause, user)
    with pytest.raises(PermissionDenied):
        service.import_draft(resolution, user, parse_draft("1. x"))


# --- editing, moving, deleting ----------------------------------------------------------------


def test_edit_makes_a_new_version_with_author_and_time(db, world):
    resolution = make_draft(world)
    clause = clauses_by_number(resolution)["1"]
    service.edit_clause(clause, world.secretariat, "Calls upon everyone;", expected_version=1)
    db.session.commit()
    assert (clause.text, clause.version) == ("Calls upon everyone;", 2)
    first, second = versions(db, clause)
    assert first.text == "Calls upon all governments to respect the freedom of association;"
    assert (second.version, second.reason, second.text) == (2, "edit", "Calls upon everyone;")
    assert second.author.id == world.secretariat.user.id
    assert second.created_at >= first.created_at
    [entry] = actions(db, "clause.edited")
    assert json.loads(entry.details) == {"number": "operative clause 1", "version": 2}


def test_edit_from_a_stale_form_is_refused_and_saves_nothing(db, world):
    resolution = make_draft(world)
    clause = clauses_by_number(resolution)["1"]
    service.edit_clause(clause, world.secretariat, "Their change.", expected_version=1)
    db.session.commit()
    with pytest.raises(StaleError, match="version 2"):
        service.edit_clause(clause, world.secretariat, "My change.", expected_version=1)
    db.session.rollback()
    assert clause.text == "Their change."
    assert len(versions(db, clause)) == 2


def test_delete_and_move_from_a_stale_page_are_refused_and_change_nothing(db, world):
    """The delete and move buttons carry the version the page showed: the service refuses
    them once someone changed the clause since, as it refuses a stale edit."""
    resolution = make_draft(world)
    by = clauses_by_number(resolution)
    clause, first = by["2"], by["1"]
    service.edit_clause(clause, world.secretariat, "Their change.", expected_version=1)
    db.session.commit()
    with pytest.raises(StaleError, match="now at version 2"):
        service.delete_clause(clause, world.secretariat, expected_version=1)
    db.session.rollback()
    with pytest.raises(StaleError, match="now at version 2"):
        service.move_clause(clause, world.secretariat, after=None, expected_version=1)
    db.session.rollback()
    assert not clause.is_deleted
    assert [p for p, _ in paths(resolution)][:4] == ["P1", "P2", "1", "2"]
    assert clauses_by_number(resolution)["1"].id == first.id
    service.move_clause(clause, world.secretariat, after=None, expected_version=2)
    service.delete_clause(clause, world.secretariat, expected_version=3)


def test_edit_with_the_same_text_changes_nothing(db, world):
    resolution = make_draft(world)
    clause = clauses_by_number(resolution)["1"]
    service.edit_clause(clause, world.secretariat, f"  {clause.text} ", expected_version=1)
    db.session.commit()
    assert clause.version == 1
    assert actions(db, "clause.edited") == []


def test_edit_of_a_deleted_clause_is_refused(db, world):
    resolution = make_draft(world)
    clause = clauses_by_number(resolution)["1"]
    service.delete_clause(clause, world.secretariat)
    with pytest.raises(StaleError, match="deleted"):
        service.edit_clause(clause, world.secretariat, "x", expected_version=clause.version)


def test_edit_refuses_a_50000_character_text(db, world):
    resolution = make_draft(world)
    clause = clauses_by_number(resolution)["1"]
    db.session.commit()
    with pytest.raises(DomainError, match="too long"):
        service.edit_clause(clause, world.secretariat, "я" * 50_000, expected_version=1)
    db.session.rollback()
    assert clause.version == 1


def test_move_rewrites_only_the_moved_clause(db, world):
    resolution = make_draft(world)
    by = clauses_by_number(resolution)
    before = {c.id: (c.position, c.version) for c in db.session.scalars(sa.select(Clause))}
    service.move_clause(by["4"], world.secretariat, after=by["1"])
    db.session.commit()
    after = {c.id: (c.position, c.version) for c in db.session.scalars(sa.select(Clause))}
    changed = {i for i in before if before[i] != after[i]}
    assert changed == {by["4"].id}
    assert [t for _, t in paths(resolution)][2:4] == [
        "Calls upon all governments to respect the freedom of association;",
        "Decides to remain seized of the matter.",
    ]
    assert versions(db, by["4"])[-1].reason == "move"
    [entry] = actions(db, "clause.moved")
    assert json.loads(entry.details) == {"from": "operative clause 4", "to": "operative clause 2"}


def test_move_to_first_and_sub_clause_moves_stay_under_their_parent(db, world):
    resolution = make_draft(world)
    by = clauses_by_number(resolution)
    service.move_clause(by["3"], world.secretariat, after=None)
    service.move_clause(by["2(b)"], world.secretariat, after=None)
    db.session.commit()
    assert [p for p, _ in paths(resolution)] == ["P1", "P2", "1", "2", "3", "3(a)", "3(b)", "4"]
    numbered = {n.clause_id: n.number_path for n in service.numbered_text(resolution)}
    assert numbered[by["3"].id] == "1"
    assert numbered[by["2(b)"].id] == "3(a)"


def test_move_refusals_and_no_op(db, world):
    resolution = make_draft(world)
    by = clauses_by_number(resolution)
    actor = world.secretariat
    with pytest.raises(DomainError, match="after itself"):
        service.move_clause(by["2"], actor, after=by["2"])
    with pytest.raises(DomainError, match="same kind and level"):
        service.move_clause(by["2"], actor, after=by["P2"])
    with pytest.raises(DomainError, match="same kind and level"):
        service.move_clause(by["2(a)"], actor, after=by["1"])
    service.move_clause(by["2"], actor, after=by["1"])  # already there
    assert by["2"].version == 1
    assert actions(db, "clause.moved") == []


def test_delete_removes_the_clause_and_its_sub_clauses_and_renumbers(db, world):
    resolution = make_draft(world)
    by = clauses_by_number(resolution)
    service.delete_clause(by["2"], world.secretariat)
    db.session.commit()
    assert [p for p, _ in paths(resolution)] == ["P1", "P2", "1", "2", "3"]
    assert clauses_by_number(resolution)["2"].id == by["3"].id
    for key in ("2", "2(a)", "2(b)"):
        clause = by[key]
        assert clause.is_deleted
        last = versions(db, clause)[-1]
        assert (last.reason, last.is_deleted) == ("delete", True)
    [entry] = actions(db, "clause.deleted")
    assert json.loads(entry.details) == {"number": "operative clause 2"}
    with pytest.raises(StaleError, match="already been deleted"):
        service.delete_clause(by["2"], world.secretariat)


# --- import -----------------------------------------------------------------------------------


def test_import_builds_the_structure_with_one_audit_entry(db, world):
    resolution = make_draft(world)
    db.session.commit()
    numbered = service.numbered_text(resolution)
    assert [(n.label, n.number_path, n.depth) for n in numbered] == [
        ("", "P1", 0),
        ("", "P2", 0),
        ("1.", "1", 0),
        ("2.", "2", 0),
        ("(a)", "2(a)", 1),
        ("(b)", "2(b)", 1),
        ("3.", "3", 0),
        ("4.", "4", 0),
    ]
    assert numbered[4].text == "to document every case of pressure;"
    [entry] = actions(db, "resolution.imported")
    assert json.loads(entry.details) == {"clauses": 8}
    assert db.session.scalar(sa.select(sa.func.count(ClauseVersion.id))) == 8


def test_import_with_sub_sub_clauses(db, world):
    text = "1. A:\n\n(a) b:\n\n(i) c;\n\n(ii) d;\n\n(b) e.\n\n2. F."
    resolution = make_draft(world, text)
    assert [n.number_path for n in service.numbered_text(resolution)] == [
        "1",
        "1(a)",
        "1(a)(i)",
        "1(a)(ii)",
        "1(b)",
        "2",
    ]


def test_import_appends_to_an_existing_text(db, world):
    resolution = make_draft(world)
    service.import_draft(resolution, world.secretariat, parse_draft("Welcoming x,\n\n1. Thanks y."))
    db.session.commit()
    got = paths(resolution)
    assert got[2] == ("P3", "Welcoming x,")
    assert got[-1] == ("5", "Thanks y.")


def test_import_in_the_paragraphs_style(db, world):
    resolution = make_draft(
        world,
        "Having met, the Conference notes x;\n\nRecalling y, the Conference decides z.",
        style=NumberingStyle.PARAGRAPHS,
    )
    assert [(n.label, n.number_path) for n in service.numbered_text(resolution)] == [
        ("", "1"),
        ("", "2"),
    ]


@pytest.mark.parametrize(
    ("paragraphs", "message"),
    [
        ([], "nothing to import"),
        (
            [ParsedParagraph(OP, "a", 0, True), ParsedParagraph(PRE, "b", 0, False)],
            "Paragraph 2: a preambular paragraph cannot follow",
        ),
        ([ParsedParagraph(OP, "a", 1, True)], "Paragraph 1: a sub-clause must follow"),
        (
            [ParsedParagraph(OP, "a", 0, True), ParsedParagraph(OP, "b", 2, True)],
            "Paragraph 2: a sub-clause must follow",
        ),
        (
            [ParsedParagraph(PRE, "a", 0, False), ParsedParagraph(OP, "b", 1, True)],
            "Paragraph 2: a sub-clause must follow",
        ),
        ([ParsedParagraph(PRE, "a", 1, False)], "Paragraph 1: preambular paragraphs have no"),
        ([ParsedParagraph(OP, "a", 3, False)], "Paragraph 1: a sub-clause must follow"),
        (
            [ParsedParagraph(PRE, "ok", 0, False), ParsedParagraph(OP, "x" * 50_000, 0, True)],
            "Paragraph 2: The text is too long: 50,000",
        ),
        ([ParsedParagraph(OP, "  ", 0, True)], "Paragraph 1: Enter the text"),
    ],
)
def test_import_refuses_bad_previews_and_saves_nothing(db, world, paragraphs, message):
    resolution = service.create_resolution(world.conference, world.secretariat, "R")
    db.session.commit()
    with pytest.raises(DomainError, match=message):
        service.import_draft(resolution, world.secretariat, paragraphs)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Clause.id))) == 0


# --- history and the text at a moment --------------------------------------------------------


def test_text_at_a_moment_is_rebuilt_from_versions(db, world):
    actor = world.secretariat
    empty_moment = utcnow()
    tick()
    resolution = make_draft(world)
    db.session.commit()
    tick()
    imported = utcnow()
    tick()
    by = clauses_by_number(resolution)
    service.edit_clause(by["1"], actor, "Calls upon everyone;", expected_version=1)
    service.delete_clause(by["2"], actor)
    service.add_clause(resolution, actor, kind=OP, text="New last.", after=by["4"])
    service.move_clause(by["4"], actor, after=None)
    db.session.commit()
    tick()
    now = utcnow()

    assert service.text_at(resolution, empty_moment) == []
    assert service.text_at(resolution, imported) == service.text_at(resolution, imported)
    assert [(n.number_path, n.text) for n in service.text_at(resolution, imported)] == [
        ("P1", "Recalling the founding declaration of the network,"),
        ("P2", "Noting with concern the reports of the delegations,"),
        ("1", "Calls upon all governments to respect the freedom of association;"),
        ("2", "Urges the member organisations:"),
        ("2(a)", "to document every case of pressure;"),
        ("2(b)", "to support the defenders concerned;"),
        ("3", "Requests the secretariat to report to the next conference;"),
        ("4", "Decides to remain seized of the matter."),
    ]
    assert service.text_at(resolution, now) == service.numbered_text(resolution)
    assert [(n.number_path, n.text) for n in service.numbered_text(resolution)][2:] == [
        ("1", "Decides to remain seized of the matter."),
        ("2", "Calls upon everyone;"),
        ("3", "Requests the secretariat to report to the next conference;"),
        ("4", "New last."),
    ]


def test_text_at_poll_uses_the_opening_moment(db, world):
    resolution = make_draft(world)
    db.session.commit()
    tick()
    opened = utcnow()
    tick()
    clause = clauses_by_number(resolution)["1"]
    service.edit_clause(clause, world.secretariat, "Changed later.", expected_version=1)

    def poll(**fields):
        p = Poll(
            conference_id=world.conference.id,
            resolution_id=resolution.id,
            subject=PollSubject.RESOLUTION,
            title="The resolution",
            ballot_kind=BallotKind.NAMED,
            majority_method=MajorityMethod.SIMPLE,
            **fields,
        )
        db.session.add(p)
        db.session.flush()
        return p

    at_opening = service.text_at_poll(poll(state=PollState.CLOSED, opened_at=opened))
    assert at_opening[2].text == "Calls upon all governments to respect the freedom of association;"
    not_opened = service.text_at_poll(poll(state=PollState.CREATED))
    assert not_opened[2].text == "Changed later."
    procedural = Poll(
        conference_id=world.conference.id,
        subject=PollSubject.PROCEDURAL,
        title="Break",
        ballot_kind=BallotKind.NAMED,
        majority_method=MajorityMethod.SIMPLE,
    )
    with pytest.raises(DomainError):
        service.text_at_poll(procedural)


def test_clause_history_lists_every_version_in_order(db, world):
    resolution = make_draft(world)
    clause = clauses_by_number(resolution)["3"]
    actor = world.secretariat
    service.edit_clause(clause, actor, "v2", expected_version=1)
    service.move_clause(clause, actor, after=None)
    service.edit_clause(clause, actor, "v4", expected_version=3)
    service.delete_clause(clause, actor)
    db.session.commit()
    history = service.clause_history(clause)
    assert [(v.version, v.reason, v.text, v.is_deleted) for v in history] == [
        (1, "create", "Requests the secretariat to report to the next conference;", False),
        (2, "edit", "v2", False),
        (3, "move", "v2", False),
        (4, "edit", "v4", False),
        (5, "delete", "v4", True),
    ]
    assert {v.author.name for v in history} == {world.secretariat.user.name}
