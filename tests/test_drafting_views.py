"""The drafting pages over HTTP: the draft as a document, resolutions, clauses, the import,
history, the text at a moment, the clean text; every form and its refusals.

Each test runs on SQLite and PostgreSQL (the ``app`` fixture). Amendments have their own file,
``test_drafting_views_amendments.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from resolutions.drafting import service
from resolutions.extensions import db
from resolutions.models import (
    AmendmentKind,
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
from tests.objects.app import page_text, url_path
from tests.objects.drafting import clauses_by_number, make_draft, operative_labels


def versions(clause: Clause) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ClauseVersion)
        .where(ClauseVersion.clause_id == clause.id)
    )


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


# --- the list of resolutions ----------------------------------------------------------------


def test_a_single_resolution_is_listed_not_redirected_to(world, draft, as_user) -> None:
    answer = as_user(world.observer).get(
        url_path("drafting.resolutions", conference_id=world.conference.id)
    )
    assert answer.status_code == 200
    assert f'/resolutions/{draft.id}"' in answer.get_data(as_text=True)
    assert "On the freedom of association" in page_text(answer)
    # Only the secretariat gets the form to create one.
    assert "New resolution" not in page_text(answer)


def test_secretariat_creates_a_resolution(world, as_user) -> None:
    answer = as_user(world.secretariat).post(
        url_path("drafting.resolution_create", conference_id=world.conference.id),
        data={"title": "On decent work", "numbering_style": "paragraphs"},
    )
    created = db.session.scalar(sa.select(Resolution).where(Resolution.title == "On decent work"))
    assert created is not None and created.numbering_style == NumberingStyle.PARAGRAPHS
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/resolutions/{created.id}")
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "resolution.created"))


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("   ", "Enter the title of the resolution."),
        ("x" * 301, "The title is too long: at most 300 characters."),
    ],
)
def test_a_resolution_without_a_proper_title_is_refused(world, as_user, title, message) -> None:
    answer = as_user(world.secretariat).post(
        url_path("drafting.resolution_create", conference_id=world.conference.id),
        data={"title": title, "numbering_style": "numbered"},
    )
    assert answer.status_code == 200
    assert message in page_text(answer)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Resolution)) == 0


def test_a_delegate_cannot_create_a_resolution(world, as_user) -> None:
    answer = as_user(world.delegate).post(
        url_path("drafting.resolution_create", conference_id=world.conference.id),
        data={"title": "Mine", "numbering_style": "numbered"},
    )
    assert answer.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Resolution)) == 0


# --- the draft as a document ----------------------------------------------------------------


def test_the_draft_reads_as_a_conference_document(world, draft, as_user) -> None:
    answer = as_user(world.observer).get(
        url_path("drafting.resolution", conference_id=world.conference.id, resolution_id=draft.id)
    )
    assert answer.status_code == 200
    text = page_text(answer)
    # Heading: the conference, "Resolution", the title, the date and place line.
    heading = text[
        text.index("TEST CONFERENCE")
        if "TEST CONFERENCE" in text
        else text.index("Test Conference") :
    ]
    assert "Resolution On the freedom of association" in heading
    assert "30" in heading and "2026" in heading and "Bishkek" in heading
    # Preambular paragraphs unnumbered first, then numbered operative clauses and sub-clauses.
    assert operative_labels(answer) == ["1.", "2.", "(a)", "(b)", "3.", "4."]
    assert text.index("Recalling the founding") < text.index("1. Calls upon")
    assert "2. Urges the member organisations: (a) to document every case of pressure;" in text
    # An observer reads; nothing to propose or edit.
    assert "Propose an amendment" not in text
    html = answer.get_data(as_text=True)
    assert ">Amend</a>" not in html and ">History</a>" in html


def test_the_dateline_is_in_the_documents_language(world, draft, as_user) -> None:
    world.conference.language = "ru"
    world.conference.place = "г. Бишкек"
    db.session.commit()
    answer = as_user(world.observer).get(
        url_path("drafting.resolution", conference_id=world.conference.id, resolution_id=draft.id)
    )
    assert "30 ноября 2026 года, г. Бишкек" in page_text(answer)
    world.conference.language = "en"
    db.session.commit()
    answer = as_user(world.observer).get(
        url_path("drafting.resolution", conference_id=world.conference.id, resolution_id=draft.id)
    )
    assert "30 November 2026, г. Бишкек" in page_text(answer)


def test_each_role_sees_only_its_own_tools(world, draft, as_user) -> None:
    page = url_path(
        "drafting.resolution", conference_id=world.conference.id, resolution_id=draft.id
    )
    delegate = as_user(world.delegate).get(page).get_data(as_text=True)
    assert "Propose an amendment" in delegate and ">Amend</a>" in delegate
    assert "Import a draft" not in delegate and "Edit, move or delete" not in delegate
    secretariat = as_user(world.secretariat).get(page).get_data(as_text=True)
    assert "Import a draft" in secretariat and "Edit, move or delete" in secretariat
    assert ">Amend</a>" not in secretariat
    chair = as_user(world.chair).get(page).get_data(as_text=True)
    assert "Voting order" in chair and ">Amend</a>" in chair
    assert "Voting order" not in delegate


def test_an_empty_draft_invites_the_secretariat_to_import(world, as_user) -> None:
    resolution = service.create_resolution(world.conference, world.secretariat, "Empty")
    db.session.commit()
    text = page_text(
        as_user(world.secretariat).get(
            url_path(
                "drafting.resolution",
                conference_id=world.conference.id,
                resolution_id=resolution.id,
            )
        )
    )
    assert "The draft has no clauses yet." in text and "Import a draft" in text


def test_a_resolution_of_another_conference_is_not_found(world, other_world, as_user) -> None:
    elsewhere = make_draft(other_world)
    db.session.commit()
    answer = as_user(world.secretariat).get(
        url_path(
            "drafting.resolution", conference_id=world.conference.id, resolution_id=elsewhere.id
        )
    )
    assert answer.status_code == 404


def test_the_draft_page_makes_as_many_queries_for_a_long_draft_as_for_a_short_one(
    world, as_user
) -> None:
    def build(title: str, clauses: int, amendments: int) -> Resolution:
        body = "\n\n".join(
            ["Having met,"] + [f"{n}. Decides point number {n};" for n in range(1, clauses + 1)]
        )
        resolution = make_draft(world, body, title=title)
        numbered = clauses_by_number(resolution)
        for n in range(amendments):
            proposer = world.delegates[n % 3]
            target = numbered[str(n % clauses + 1)]
            kind = [AmendmentKind.REPLACE, AmendmentKind.DELETE, AmendmentKind.INSERT][n % 3]
            amendment = service.propose_amendment(
                resolution,
                proposer,
                kind=kind,
                target=None if kind == AmendmentKind.INSERT else target,
                text="" if kind == AmendmentKind.DELETE else f"Decides something else, {n};",
                new_clause_kind=ClauseKind.OPERATIVE if kind == AmendmentKind.INSERT else None,
                after=target if kind == AmendmentKind.INSERT else None,
            )
            service.invite_sponsor(amendment, proposer, world.delegates[(n + 1) % 3])
            service.respond_to_sponsorship(amendment, world.delegates[(n + 1) % 3], True)
            service.submit_amendment(amendment, proposer)
            if n % 2:
                service.admit_amendment(amendment, world.secretariat)
        db.session.commit()
        return resolution

    small = build("Small", 3, 3)
    large = build("Large", 60, 45)
    client = as_user(world.chair)
    counts = []
    for resolution in (small, large):
        client.get(
            url_path(
                "drafting.resolution",
                conference_id=world.conference.id,
                resolution_id=resolution.id,
            )
        )  # warm the session
        with counting_queries() as statements:
            answer = client.get(
                url_path(
                    "drafting.resolution",
                    conference_id=world.conference.id,
                    resolution_id=resolution.id,
                )
            )
        assert answer.status_code == 200
        counts.append(len(statements))
    assert answer.get_data(as_text=True).count('class="amendment amendment--') == 45
    assert counts[0] == counts[1], counts


# --- clauses: direct edits by the secretariat -------------------------------------------------


def test_secretariat_edits_a_clause_as_a_new_version(world, draft, as_user) -> None:
    clause = clauses_by_number(draft)["3"]
    client = as_user(world.secretariat)
    form = client.get(
        url_path("drafting.clause_edit", conference_id=world.conference.id, clause_id=clause.id)
    )
    assert 'name="expected_version" type="hidden" value="1"' in form.get_data(as_text=True)
    answer = client.post(
        url_path("drafting.clause_edit", conference_id=world.conference.id, clause_id=clause.id),
        data={"text": "Requests the secretariat to report in writing;", "expected_version": 1},
    )
    assert answer.status_code == 302
    db.session.refresh(clause)
    assert clause.text == "Requests the secretariat to report in writing;"
    assert clause.version == 2 and versions(clause) == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter the text of the clause."),
        ("word " * 10_000, "The text is too long: at most 20,000 characters."),
    ],
)
def test_a_bad_clause_text_is_refused_next_to_the_field(
    world, draft, as_user, text, message
) -> None:
    clause = clauses_by_number(draft)["3"]
    answer = as_user(world.secretariat).post(
        url_path("drafting.clause_edit", conference_id=world.conference.id, clause_id=clause.id),
        data={"text": text, "expected_version": 1},
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert re.search(r'<p class="field__error" id="text-error">\s*' + re.escape(message), html)
    db.session.refresh(clause)
    assert clause.version == 1 and clause.text.startswith("Requests the secretariat")


def test_a_stale_edit_form_is_refused_and_keeps_the_users_text(world, draft, as_user) -> None:
    clause = clauses_by_number(draft)["3"]
    service.edit_clause(clause, world.secretariat, "Requests a report;", expected_version=1)
    db.session.commit()
    answer = as_user(world.secretariat).post(
        url_path("drafting.clause_edit", conference_id=world.conference.id, clause_id=clause.id),
        data={"text": "Requests the secretariat to report soon;", "expected_version": 1},
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Someone changed this clause while you had the form open" in html
    assert "Requests the secretariat to report soon;</textarea>" in html
    assert 'name="expected_version" type="hidden" value="2"' in html
    assert "<ins>" in html  # how the user's text differs from the current version
    db.session.refresh(clause)
    assert clause.text == "Requests a report;" and clause.version == 2


def test_editing_a_deleted_clause_is_refused(world, draft, as_user) -> None:
    clause = clauses_by_number(draft)["4"]
    service.delete_clause(clause, world.secretariat)
    db.session.commit()
    answer = as_user(world.secretariat).post(
        url_path("drafting.clause_edit", conference_id=world.conference.id, clause_id=clause.id),
        data={"text": "Revived;", "expected_version": 2},
    )
    assert answer.status_code == 409
    assert "This clause has been deleted" in page_text(answer)
    db.session.refresh(clause)
    assert clause.is_deleted and clause.text != "Revived;"


def test_a_delegate_cannot_edit_a_clause(world, draft, as_user) -> None:
    clause = clauses_by_number(draft)["3"]
    answer = as_user(world.delegate).post(
        url_path("drafting.clause_edit", conference_id=world.conference.id, clause_id=clause.id),
        data={"text": "Mine;", "expected_version": 1},
    )
    assert answer.status_code == 403
    db.session.refresh(clause)
    assert clause.version == 1


def test_deleting_a_clause_renumbers_the_rest(world, draft, as_user) -> None:
    first = clauses_by_number(draft)["1"]
    client = as_user(world.secretariat)
    answer = client.post(
        url_path("drafting.clause_delete", conference_id=world.conference.id, clause_id=first.id),
        data={"expected_version": 1},
    )
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"])
    assert operative_labels(page) == ["1.", "(a)", "(b)", "2.", "3."]
    assert "1. Urges the member organisations:" in page_text(page)
    assert "The clause was deleted" in page_text(page)


def test_a_stale_delete_button_does_nothing(world, draft, as_user) -> None:
    clause = clauses_by_number(draft)["1"]
    service.edit_clause(clause, world.secretariat, "Calls upon everyone;", expected_version=1)
    db.session.commit()
    answer = as_user(world.secretariat).post(
        url_path("drafting.clause_delete", conference_id=world.conference.id, clause_id=clause.id),
        data={"expected_version": 1},
    )
    assert answer.status_code == 302
    db.session.refresh(clause)
    assert not clause.is_deleted


def test_moving_a_clause_down_renumbers_both(world, draft, as_user) -> None:
    first = clauses_by_number(draft)["1"]
    client = as_user(world.secretariat)
    client.post(
        url_path("drafting.clause_move", conference_id=world.conference.id, clause_id=first.id),
        data={"expected_version": 1, "direction": "down"},
    )
    numbers = clauses_by_number(draft)
    assert numbers["2"].id == first.id
    assert numbers["1"].text == "Urges the member organisations:"
    # Up again, and up once more is refused politely.
    client.post(
        url_path("drafting.clause_move", conference_id=world.conference.id, clause_id=first.id),
        data={"expected_version": 2, "direction": "up"},
    )
    assert clauses_by_number(draft)["1"].id == first.id
    answer = client.post(
        url_path("drafting.clause_move", conference_id=world.conference.id, clause_id=first.id),
        data={"expected_version": 3, "direction": "up"},
        follow_redirects=True,
    )
    assert "already at that end" in page_text(answer)


def test_secretariat_adds_a_clause_where_chosen(world, draft, as_user) -> None:
    third = clauses_by_number(draft)["3"]
    client = as_user(world.secretariat)
    form = client.get(
        url_path(
            "drafting.clause_new",
            conference_id=world.conference.id,
            resolution_id=draft.id,
            position=f"after:{third.id}",
        )
    )
    assert f'<option selected value="after:{third.id}">' in form.get_data(as_text=True)
    answer = client.post(
        url_path("drafting.clause_new", conference_id=world.conference.id, resolution_id=draft.id),
        data={"position": f"after:{third.id}", "text": "Thanks the host city;"},
    )
    assert answer.status_code == 302
    numbers = clauses_by_number(draft)
    assert numbers["4"].text == "Thanks the host city;"
    assert numbers["5"].text == "Decides to remain seized of the matter."


def test_adding_a_clause_without_text_or_place_saves_nothing(world, draft, as_user) -> None:
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Clause))
    answer = as_user(world.secretariat).post(
        url_path("drafting.clause_new", conference_id=world.conference.id, resolution_id=draft.id),
        data={"position": "", "text": ""},
    )
    text = page_text(answer)
    assert "Enter the text of the clause." in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Clause)) == before


# --- import -------------------------------------------------------------------------------------

PASTED = """Recognising the work of the unions,

Concerned by the new law,

1. Condemns the new law;

2) Calls upon the government:

(a) to withdraw it;

(b) to consult the unions;"""


def _empty_resolution(world) -> Resolution:
    resolution = service.create_resolution(world.conference, world.secretariat, "Imported")
    db.session.commit()
    return resolution


def _preview_data(answer) -> dict[str, str]:
    """The fields of the preview form as the browser would send them back."""
    html = answer.get_data(as_text=True)
    data: dict[str, str] = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        data[name] = value
    for name, value in re.findall(
        r'id="(paragraphs-\d+-(?:kind|depth))"[^>]*>.*?<option selected value="([^"]*)"',
        html,
        flags=re.S,
    ):
        data[name] = value
    import html as html_lib

    return {k: html_lib.unescape(v) for k, v in data.items()}


def test_import_previews_then_saves_only_on_confirmation(world, as_user) -> None:
    resolution = _empty_resolution(world)
    client = as_user(world.secretariat)
    preview = client.post(
        url_path(
            "drafting.import_draft", conference_id=world.conference.id, resolution_id=resolution.id
        ),
        data={"text": PASTED, "preview": "1"},
    )
    assert preview.status_code == 200
    text = page_text(preview)
    assert "Step 2 of 2" in text
    assert operative_labels(preview) == ["1.", "2.", "(a)", "(b)"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Clause)) == 0
    data = _preview_data(preview)
    assert data["paragraphs-0-kind"] == "preambular" and data["paragraphs-3-kind"] == "operative"
    assert data["paragraphs-4-depth"] == "1"
    assert data["text"] == PASTED  # the pasted text travels in the form, not the session
    # The user makes the second preambular paragraph operative (it becomes clause 1).
    data["paragraphs-1-kind"] = "operative"
    data["confirm"] = "1"
    answer = client.post(
        url_path(
            "drafting.import_draft", conference_id=world.conference.id, resolution_id=resolution.id
        ),
        data=data,
    )
    assert answer.status_code == 302
    numbers = clauses_by_number(resolution)
    assert numbers["P1"].text == "Recognising the work of the unions,"
    assert numbers["1"].text == "Concerned by the new law,"
    assert numbers["2"].text == "Condemns the new law;"
    assert numbers["3(b)"].text == "to consult the unions;"


def test_an_impossible_import_structure_saves_nothing(world, as_user) -> None:
    resolution = _empty_resolution(world)
    client = as_user(world.secretariat)
    preview = client.post(
        url_path(
            "drafting.import_draft", conference_id=world.conference.id, resolution_id=resolution.id
        ),
        data={"text": PASTED, "preview": "1"},
    )
    data = _preview_data(preview)
    data["paragraphs-5-kind"] = "preambular"  # a preambular paragraph after operative ones
    data["confirm"] = "1"
    answer = client.post(
        url_path(
            "drafting.import_draft", conference_id=world.conference.id, resolution_id=resolution.id
        ),
        data=data,
    )
    assert answer.status_code == 200
    assert "Paragraph 6 is preambular but follows an operative clause" in page_text(answer)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Clause)) == 0


def test_import_back_returns_the_text_and_empty_text_is_refused(world, as_user) -> None:
    resolution = _empty_resolution(world)
    client = as_user(world.secretariat)
    back = client.post(
        url_path(
            "drafting.import_draft", conference_id=world.conference.id, resolution_id=resolution.id
        ),
        data={"text": PASTED, "back": "1"},
    )
    assert "Condemns the new law;" in back.get_data(as_text=True)
    assert "Step 1 of 2" in page_text(back)
    empty = client.post(
        url_path(
            "drafting.import_draft", conference_id=world.conference.id, resolution_id=resolution.id
        ),
        data={"text": " ", "preview": "1"},
    )
    assert "Paste the text of the draft." in page_text(empty)


def test_a_delegate_cannot_import(world, as_user) -> None:
    resolution = _empty_resolution(world)
    answer = as_user(world.delegate).post(
        url_path(
            "drafting.import_draft", conference_id=world.conference.id, resolution_id=resolution.id
        ),
        data={"text": PASTED, "preview": "1"},
    )
    assert answer.status_code == 403


# --- history, the text at a moment, the clean text -------------------------------------------


def test_history_shows_each_version_with_its_diff_author_and_time(world, draft, as_user) -> None:
    clause = clauses_by_number(draft)["3"]
    service.edit_clause(
        clause,
        world.secretariat,
        "Requests the secretariat to report in writing;",
        expected_version=1,
    )
    db.session.commit()
    answer = as_user(world.observer).get(
        url_path("drafting.history", conference_id=world.conference.id, clause_id=clause.id)
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "History of operative clause 3" in page_text(answer)
    assert "Version 2" in html and "Version 1" in html
    assert "<del>to the next conference</del>" in html and "<ins>in writing</ins>" in html
    assert "Sec Retary" in html
    assert html.index("Version 2") < html.index("Version 1")  # newest first


def test_text_at_a_moment_shows_the_text_as_it_stood(world, draft, as_user) -> None:
    clause = clauses_by_number(draft)["3"]
    first_version = db.session.scalar(
        sa.select(ClauseVersion).where(ClauseVersion.clause_id == clause.id)
    )
    first_version.created_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    service.edit_clause(clause, world.secretariat, "Requests a report;", expected_version=1)
    db.session.commit()
    moment = (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    client = as_user(world.observer)
    # Every other clause was created "now": only clause 3 existed an hour ago.
    answer = client.get(
        url_path(
            "drafting.text_at", conference_id=world.conference.id, resolution_id=draft.id, at=moment
        )
    )
    text = page_text(answer)
    assert "The text as it stood on" in text
    assert "Requests the secretariat to report to the next conference;" in text
    assert "Requests a report;" not in text
    bad = client.get(
        url_path(
            "drafting.text_at",
            conference_id=world.conference.id,
            resolution_id=draft.id,
            at="yesterday",
        )
    )
    assert "Enter a date and a time" in page_text(bad)


def test_text_at_a_poll_shows_the_text_when_the_poll_opened(world, draft, as_user) -> None:
    clause = clauses_by_number(draft)["3"]
    poll = Poll(
        conference_id=world.conference.id,
        resolution_id=draft.id,
        subject=PollSubject.RESOLUTION,
        title="The resolution as a whole",
        ballot_kind=BallotKind.NAMED,
        majority_method=MajorityMethod.SIMPLE,
        state=PollState.CLOSED,
        opened_at=utcnow(),
    )
    db.session.add(poll)
    db.session.commit()
    later = utcnow() + timedelta(minutes=5)
    service.edit_clause(clause, world.secretariat, "Requests a report;", expected_version=1)
    db.session.flush()
    for version in db.session.scalars(
        sa.select(ClauseVersion).where(
            ClauseVersion.clause_id == clause.id, ClauseVersion.version == 2
        )
    ):
        version.created_at = later
    db.session.commit()
    answer = as_user(world.delegate).get(
        url_path(
            "drafting.text_at",
            conference_id=world.conference.id,
            resolution_id=draft.id,
            poll=poll.id,
        )
    )
    text = page_text(answer)
    assert "when the poll “The resolution as a whole” opened" in text
    assert "Requests the secretariat to report to the next conference;" in text


def test_text_at_a_poll_of_another_conference_is_not_found(
    world, other_world, draft, as_user
) -> None:
    poll = Poll(
        conference_id=other_world.conference.id,
        subject=PollSubject.PROCEDURAL,
        title="Elsewhere",
        ballot_kind=BallotKind.NAMED,
        majority_method=MajorityMethod.SIMPLE,
        opened_at=utcnow(),
    )
    db.session.add(poll)
    db.session.commit()
    answer = as_user(world.delegate).get(
        url_path(
            "drafting.text_at",
            conference_id=world.conference.id,
            resolution_id=draft.id,
            poll=poll.id,
        )
    )
    assert answer.status_code == 404


def test_the_clean_text_has_no_amendments_and_names_the_adopted_ones(world, draft, as_user) -> None:
    numbers = clauses_by_number(draft)
    adopted = service.propose_amendment(
        draft,
        world.delegate,
        kind=AmendmentKind.REPLACE,
        target=numbers["3"],
        text="Requests a written report;",
    )
    pending = service.propose_amendment(
        draft, world.delegate, kind=AmendmentKind.DELETE, target=numbers["4"]
    )
    for amendment in (adopted, pending):
        service.submit_amendment(amendment, world.delegate)
        service.admit_amendment(amendment, world.secretariat)
    service.adopt_by_consent(adopted, world.chair)
    db.session.commit()
    answer = as_user(world.observer).get(
        url_path("drafting.consolidated", conference_id=world.conference.id, resolution_id=draft.id)
    )
    html = answer.get_data(as_text=True)
    text = page_text(answer)
    assert "3. Requests a written report;" in text
    assert "4. Decides to remain seized of the matter." in text
    assert "including the adopted amendments A-1" in text
    assert "<ins>" not in html and "<del>" not in html and "amendment--" not in html


def test_a_closed_conference_shows_no_editing_tools(world, draft, as_user) -> None:
    world.conference.state = ConferenceState.CLOSED
    db.session.commit()
    html = (
        as_user(world.secretariat)
        .get(
            url_path(
                "drafting.resolution", conference_id=world.conference.id, resolution_id=draft.id
            )
        )
        .get_data(as_text=True)
    )
    assert "Import a draft" not in html and "Edit, move or delete" not in html
    clause = clauses_by_number(draft)["1"]
    answer = as_user(world.secretariat).post(
        url_path("drafting.clause_edit", conference_id=world.conference.id, clause_id=clause.id),
        data={"text": "Late;", "expected_version": 1},
    )
    assert answer.status_code == 409
    assert "The conference is closed" in page_text(answer)


def test_forms_need_the_csrf_token(csrf_app, world, draft, as_user) -> None:
    clause = clauses_by_number(draft)["1"]
    answer = as_user(world.secretariat).post(
        url_path("drafting.clause_edit", conference_id=world.conference.id, clause_id=clause.id),
        data={"text": "Forged;", "expected_version": 1},
    )
    assert answer.status_code == 400
    db.session.refresh(clause)
    assert clause.version == 1
