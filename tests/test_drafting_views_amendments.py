"""Amendments over HTTP: proposing (insert, replace, delete), the live diff, submitting,
co-sponsors, the secretariat's rulings, the chair's order and adoption, the projector preview;
every form with its refusals (empty, too long, deleted target, stale form, not allowed now,
after the deadline, wrong person). Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from resolutions.drafting import service
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AmendmentKind,
    AmendmentSponsor,
    AmendmentState,
    ClauseKind,
    SponsorStatus,
    utcnow,
)
from tests.objects.app import page_text, url_path
from tests.objects.drafting import clauses_by_number, make_draft, operative_labels


def amendments() -> list[Amendment]:
    return list(db.session.scalars(sa.select(Amendment).order_by(Amendment.id)))


def submitted(world, draft, number: str = "2", text: str = "Urges everyone:", proposer=None):
    """A submitted replace amendment to clause ``number`` (committed)."""
    proposer = proposer or world.delegate
    amendment = service.propose_amendment(
        draft,
        proposer,
        kind=AmendmentKind.REPLACE,
        target=clauses_by_number(draft)[number],
        text=text,
    )
    service.submit_amendment(amendment, proposer)
    db.session.commit()
    return amendment


def admitted(world, draft, **kwargs):
    amendment = submitted(world, draft, **kwargs)
    service.admit_amendment(amendment, world.secretariat)
    db.session.commit()
    return amendment


def card(html: str, amendment: Amendment) -> str:
    """The HTML of one amendment's card on the draft page."""
    match = re.search(
        rf'<article class="amendment [^"]*" id="amendment-{amendment.id}">.*?</article>',
        html,
        flags=re.S,
    )
    assert match, f"no card for amendment {amendment.id}"
    return match.group(0)


# --- proposing --------------------------------------------------------------------------------


def test_the_replace_form_is_prefilled_with_the_current_text(world, draft, as_user) -> None:
    clause = clauses_by_number(draft)["2"]
    answer = as_user(world.delegate).get(
        url_path(
            "drafting.amendment_new",
            conference_id=world.conference.id,
            resolution_id=draft.id,
            kind="replace",
            clause=clause.id,
        )
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Change operative clause 2" in html
    assert re.search(r">\s*Urges the member organisations:</textarea>", html)
    assert f'data-diff-clause="{clause.id}"' in html and 'data-diff-url="' in html
    assert 'name="expected_version" type="hidden" value="1"' in html


def test_a_delegate_proposes_a_replace_amendment_as_a_draft(world, draft, as_user) -> None:
    clause = clauses_by_number(draft)["2"]
    client = as_user(world.delegate)
    answer = client.post(
        url_path(
            "drafting.amendment_new", conference_id=world.conference.id, resolution_id=draft.id
        ),
        data={
            "kind": "replace",
            "target": clause.id,
            "expected_version": 1,
            "text": "Urges the member organisations and partners:",
            "justification": "Partners help.",
            "save": "1",
        },
    )
    (amendment,) = amendments()
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/amendments/{amendment.id}")
    assert amendment.state == AmendmentState.DRAFT and amendment.target_version == 1
    assert amendment.proposer_id == world.delegate.id
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "<ins>and partners</ins>" in page
    assert "only you and the delegates you invite can see it" in page


def test_the_preview_button_shows_the_diff_and_saves_nothing(world, draft, as_user) -> None:
    clause = clauses_by_number(draft)["2"]
    answer = as_user(world.delegate).post(
        url_path(
            "drafting.amendment_new", conference_id=world.conference.id, resolution_id=draft.id
        ),
        data={
            "kind": "replace",
            "target": clause.id,
            "expected_version": 1,
            "text": "Urges all member organisations:",
            "preview": "1",
        },
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "<ins>all</ins>" in html
    assert "Urges all member organisations:</textarea>" in html
    assert amendments() == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("  ", "Enter the text of the clause."),
        ("long " * 10_000, "The text is too long: at most 20,000 characters."),
    ],
)
def test_a_bad_replacement_text_saves_nothing(world, draft, as_user, text, message) -> None:
    clause = clauses_by_number(draft)["2"]
    answer = as_user(world.delegate).post(
        url_path(
            "drafting.amendment_new", conference_id=world.conference.id, resolution_id=draft.id
        ),
        data={
            "kind": "replace",
            "target": clause.id,
            "expected_version": 1,
            "text": text,
            "save": "1",
        },
    )
    html = answer.get_data(as_text=True)
    assert re.search(r'id="text-error">\s*' + re.escape(message), html)
    assert amendments() == []


def test_the_same_text_is_refused_next_to_the_field(world, draft, as_user) -> None:
    clause = clauses_by_number(draft)["2"]
    answer = as_user(world.delegate).post(
        url_path(
            "drafting.amendment_new", conference_id=world.conference.id, resolution_id=draft.id
        ),
        data={
            "kind": "replace",
            "target": clause.id,
            "expected_version": 1,
            "text": clause.text,
            "save": "1",
        },
    )
    assert answer.status_code == 409
    assert re.search(r'id="text-error">\s*The new text is the same', answer.get_data(as_text=True))
    assert amendments() == []


def test_amending_a_deleted_clause_is_refused(world, draft, as_user) -> None:
    clause = clauses_by_number(draft)["4"]
    service.delete_clause(clause, world.secretariat)
    db.session.commit()
    answer = as_user(world.delegate).post(
        url_path(
            "drafting.amendment_new", conference_id=world.conference.id, resolution_id=draft.id
        ),
        data={"kind": "delete", "target": clause.id, "save": "1"},
    )
    assert answer.status_code == 409
    assert "This clause has been deleted; it can no longer be amended." in page_text(answer)
    assert amendments() == []


def test_the_form_for_a_deleted_clause_says_so(world, draft, as_user) -> None:
    clause = clauses_by_number(draft)["4"]
    service.delete_clause(clause, world.secretariat)
    db.session.commit()
    answer = as_user(world.delegate).get(
        url_path(
            "drafting.amendment_new",
            conference_id=world.conference.id,
            resolution_id=draft.id,
            kind="replace",
            clause=clause.id,
        )
    )
    text = page_text(answer)
    assert "This clause has been deleted; it can no longer be amended." in text
    assert "Decides to remain seized" not in answer.get_data(as_text=True).split("<main")[1]


def test_a_form_written_against_an_older_version_is_refused(world, draft, as_user) -> None:
    clause = clauses_by_number(draft)["2"]
    service.edit_clause(clause, world.secretariat, "Urges all members:", expected_version=1)
    db.session.commit()
    answer = as_user(world.delegate).post(
        url_path(
            "drafting.amendment_new", conference_id=world.conference.id, resolution_id=draft.id
        ),
        data={
            "kind": "replace",
            "target": clause.id,
            "expected_version": 1,
            "text": "Urges the member organisations and partners:",
            "save": "1",
        },
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Someone changed this clause while you were writing" in html
    assert "Urges all members:" in html  # the current text is shown
    assert "Urges the member organisations and partners:</textarea>" in html  # theirs kept
    assert 'name="expected_version" type="hidden" value="2"' in html
    assert amendments() == []


def test_a_preview_of_a_form_written_against_an_older_version_warns(world, draft, as_user):
    """The preview warns as saving would, before the delegate saves: the target changed
    since the form was opened."""
    clause = clauses_by_number(draft)["2"]
    service.edit_clause(clause, world.secretariat, "Urges all members:", expected_version=1)
    db.session.commit()
    answer = as_user(world.delegate).post(
        url_path(
            "drafting.amendment_new", conference_id=world.conference.id, resolution_id=draft.id
        ),
        data={
            "kind": "replace",
            "target": clause.id,
            "expected_version": 1,
            "text": "Urges the member organisations and partners:",
            "preview": "1",
        },
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Someone changed this clause while you were writing" in html
    assert "Urges the member organisations and partners:</textarea>" in html  # theirs kept
    assert 'name="expected_version" type="hidden" value="2"' in html
    assert amendments() == []


def test_an_insert_goes_where_chosen(world, draft, as_user) -> None:
    numbers = clauses_by_number(draft)
    client = as_user(world.delegate)
    form = client.get(
        url_path(
            "drafting.amendment_new",
            conference_id=world.conference.id,
            resolution_id=draft.id,
            kind="insert",
            position=f"after:{numbers['1'].id}",
        )
    ).get_data(as_text=True)
    assert f'<option selected value="after:{numbers["1"].id}">' in form
    assert f'value="sub:{numbers["2"].id}"' in form and 'value="first:preambular"' in form
    client.post(
        url_path(
            "drafting.amendment_new", conference_id=world.conference.id, resolution_id=draft.id
        ),
        data={
            "kind": "insert",
            "position": f"sub:{numbers['2'].id}",
            "text": "to publish a yearly report;",
            "save": "1",
        },
    )
    (amendment,) = amendments()
    assert amendment.kind == AmendmentKind.INSERT
    assert amendment.parent_clause_id == numbers["2"].id and amendment.after_clause_id is None
    assert amendment.new_clause_kind == ClauseKind.OPERATIVE


def test_an_insert_without_a_place_or_at_an_unknown_place_saves_nothing(
    world, draft, other_world, as_user
) -> None:
    elsewhere = clauses_by_number(make_draft(other_world))["1"]
    db.session.commit()
    client = as_user(world.delegate)
    for position, message in (
        ("", "Choose where the new clause goes."),
        (f"after:{elsewhere.id}", "That clause no longer exists. Choose another place."),
    ):
        answer = client.post(
            url_path(
                "drafting.amendment_new", conference_id=world.conference.id, resolution_id=draft.id
            ),
            data={"kind": "insert", "position": position, "text": "New;", "save": "1"},
        )
        assert message in page_text(answer)
    assert amendments() == []


def test_proposing_after_the_deadline_is_refused(world, draft, as_user) -> None:
    world.conference.amendment_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    clause = clauses_by_number(draft)["4"]
    client = as_user(world.delegate)
    assert "The deadline for amendments passed" in page_text(
        client.get(
            url_path(
                "drafting.resolution", conference_id=world.conference.id, resolution_id=draft.id
            )
        )
    )
    answer = client.post(
        url_path(
            "drafting.amendment_new", conference_id=world.conference.id, resolution_id=draft.id
        ),
        data={"kind": "delete", "target": clause.id, "expected_version": 1, "save": "1"},
    )
    assert answer.status_code == 409
    assert "The deadline for amendments passed" in page_text(answer)
    assert amendments() == []


def test_an_observer_cannot_propose(world, draft, as_user) -> None:
    clause = clauses_by_number(draft)["4"]
    answer = as_user(world.observer).post(
        url_path(
            "drafting.amendment_new", conference_id=world.conference.id, resolution_id=draft.id
        ),
        data={"kind": "delete", "target": clause.id, "save": "1"},
    )
    assert answer.status_code == 403
    assert amendments() == []


# --- the live diff ------------------------------------------------------------------------------


def test_the_diff_preview_answers_an_html_fragment_in_any_script(world, draft, as_user) -> None:
    clause = clauses_by_number(draft)["3"]
    service.edit_clause(
        clause,
        world.secretariat,
        "Просит секретариат доложить конференции;",
        expected_version=1,
    )
    db.session.commit()
    answer = as_user(world.delegate).post(
        url_path(
            "drafting.diff_preview", conference_id=world.conference.id, resolution_id=draft.id
        ),
        data={"clause": clause.id, "text": "Просит секретариат письменно доложить конференции;"},
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "<ins>письменно</ins>" in html and "<html" not in html
    escaped = as_user(world.delegate).post(
        url_path(
            "drafting.diff_preview", conference_id=world.conference.id, resolution_id=draft.id
        ),
        data={"clause": clause.id, "text": "<script>alert(1)</script>"},
    )
    assert "<script>" not in escaped.get_data(as_text=True)
    assert "&lt;script&gt;" in escaped.get_data(as_text=True)


def test_the_diff_preview_refuses_bad_requests(world, draft, other_world, as_user) -> None:
    elsewhere = clauses_by_number(make_draft(other_world))["1"]
    db.session.commit()
    client = as_user(world.delegate)
    endpoint = url_path(
        "drafting.diff_preview", conference_id=world.conference.id, resolution_id=draft.id
    )
    assert client.post(endpoint, data={}).status_code == 400
    assert client.post(endpoint, data={"clause": elsewhere.id, "text": "x"}).status_code == 404
    observer = as_user(world.observer).post(endpoint, data={"clause": elsewhere.id, "text": "x"})
    assert observer.status_code == 403


# --- the draft page shows amendments where they belong ---------------------------------------


def test_amendments_appear_under_their_clause_and_inserts_where_they_go(
    world, draft, as_user
) -> None:
    numbers = clauses_by_number(draft)
    replace = submitted(world, draft, "2(a)", "to document and publish every case of pressure;")
    delete = service.propose_amendment(
        draft, world.delegates[1], kind=AmendmentKind.DELETE, target=numbers["4"]
    )
    insert = service.propose_amendment(
        draft,
        world.delegates[2],
        kind=AmendmentKind.INSERT,
        text="Welcomes the report;",
        new_clause_kind=ClauseKind.OPERATIVE,
        after=numbers["1"],
    )
    for amendment, proposer in ((delete, world.delegates[1]), (insert, world.delegates[2])):
        service.submit_amendment(amendment, proposer)
    db.session.commit()
    html = (
        as_user(world.observer)
        .get(
            url_path(
                "drafting.resolution", conference_id=world.conference.id, resolution_id=draft.id
            )
        )
        .get_data(as_text=True)
    )
    assert "<ins>and publish</ins>" in card(html, replace)
    assert "<del>Decides to remain seized of the matter.</del>" in card(html, delete)
    assert "<ins>Welcomes the report;</ins>" in card(html, insert)
    # In the text's order: the insert before clause 2, the replace under 2(a).
    section = html.index('data-number="2(a)"')
    assert html.index('data-number="1"') < html.index(f'id="amendment-{insert.id}"')
    assert html.index(f'id="amendment-{insert.id}"') < html.index('data-number="2"')
    assert section < html.index(f'id="amendment-{replace.id}"') < html.index('data-number="2(b)"')
    assert "Delegate 1 (Kyrgyzstan)" in card(html, replace)


def test_amendments_can_be_filtered_by_state_and_proposer(world, draft, as_user) -> None:
    first = admitted(world, draft, number="1", text="Calls upon everyone;")
    second = submitted(
        world, draft, number="3", text="Requests a report;", proposer=world.delegates[1]
    )
    client = as_user(world.observer)

    def page(**filters: object) -> str:
        return url_path(
            "drafting.resolution",
            conference_id=world.conference.id,
            resolution_id=draft.id,
            **filters,
        )

    html = client.get(page(state="admitted")).get_data(as_text=True)
    assert f'id="amendment-{first.id}"' in html and f'id="amendment-{second.id}"' not in html
    assert "Showing 1 of 2 amendments." in page_text(client.get(page(state="admitted")))
    html = client.get(page(proposer=world.delegates[1].id)).get_data(as_text=True)
    assert f'id="amendment-{first.id}"' not in html and f'id="amendment-{second.id}"' in html
    assert f'<option selected value="{world.delegates[1].id}">Delegate 2</option>' in html
    # Unknown values are ignored rather than failing.
    assert client.get(page(state="nonsense", proposer="x")).status_code == 200


def test_a_draft_amendment_is_seen_by_its_proposer_only(world, draft, as_user) -> None:
    amendment = service.propose_amendment(
        draft, world.delegate, kind=AmendmentKind.DELETE, target=clauses_by_number(draft)["4"]
    )
    db.session.commit()
    mine = (
        as_user(world.delegate)
        .get(
            url_path(
                "drafting.resolution", conference_id=world.conference.id, resolution_id=draft.id
            )
        )
        .get_data(as_text=True)
    )
    assert f'id="amendment-{amendment.id}"' in mine
    for other in (world.delegates[1], world.secretariat, world.chair):
        client = as_user(other)
        html = client.get(
            url_path(
                "drafting.resolution", conference_id=world.conference.id, resolution_id=draft.id
            )
        ).get_data(as_text=True)
        assert f'id="amendment-{amendment.id}"' not in html
        assert (
            client.get(
                url_path(
                    "drafting.amendment",
                    conference_id=world.conference.id,
                    amendment_id=amendment.id,
                )
            ).status_code
            == 404
        )


def test_an_amendment_written_against_an_older_version_shows_both_diffs(
    world, draft, as_user
) -> None:
    amendment = submitted(world, draft, "3", "Requests the secretariat to report in writing;")
    clause = clauses_by_number(draft)["3"]
    service.edit_clause(
        clause,
        world.secretariat,
        "Requests the secretariat to report briefly;",
        expected_version=1,
    )
    db.session.commit()
    conference_id = world.conference.id
    for path in (
        url_path("drafting.resolution", conference_id=conference_id, resolution_id=draft.id),
        url_path("drafting.amendment", conference_id=conference_id, amendment_id=amendment.id),
    ):
        html = as_user(world.delegate).get(path).get_data(as_text=True)
        assert "Written against an older version" in html
        assert "As written, against version 1 of the clause:" in html
        assert "Against the current text:" in html
        assert "<del>to the next conference</del>" in html  # the diff as written
        assert "<del>briefly</del>" in html  # the diff against today's text


def test_each_role_sees_only_the_buttons_it_may_use(world, draft, as_user) -> None:
    pending = submitted(world, draft, "1", "Calls upon everyone;")
    ready = admitted(world, draft, number="3", text="Requests a report;")
    page = url_path(
        "drafting.resolution", conference_id=world.conference.id, resolution_id=draft.id
    )

    def buttons(member, amendment) -> str:
        return card(as_user(member).get(page).get_data(as_text=True), amendment)

    assert "Admit" in buttons(world.secretariat, pending)
    assert "Rule out of order" in buttons(world.secretariat, pending)
    assert "Adopt by general consent" not in buttons(world.chair, pending)
    assert "Adopt by general consent" in buttons(world.chair, ready)
    assert "Withdraw" in buttons(world.delegate, pending)
    other = buttons(world.delegates[1], pending)
    assert "Withdraw" not in other and "Admit" not in other and "Adopt" not in other
    assert "<button" not in buttons(world.observer, ready)


# --- moving an amendment on -------------------------------------------------------------------


def test_the_proposer_submits_and_gets_a_number(world, draft, as_user) -> None:
    amendment = service.propose_amendment(
        draft, world.delegate, kind=AmendmentKind.DELETE, target=clauses_by_number(draft)["4"]
    )
    db.session.commit()
    answer = as_user(world.delegate).post(
        url_path(
            "drafting.amendment_submit",
            conference_id=world.conference.id,
            amendment_id=amendment.id,
        ),
        data={"expected_state": "draft"},
        follow_redirects=True,
    )
    assert "A-1 was submitted to the secretariat." in page_text(answer)
    db.session.refresh(amendment)
    assert amendment.state == AmendmentState.SUBMITTED and amendment.number == 1


def test_submitting_after_the_deadline_is_refused(world, draft, as_user) -> None:
    amendment = service.propose_amendment(
        draft, world.delegate, kind=AmendmentKind.DELETE, target=clauses_by_number(draft)["4"]
    )
    world.conference.amendment_deadline = utcnow() - timedelta(seconds=1)
    db.session.commit()
    answer = as_user(world.delegate).post(
        url_path(
            "drafting.amendment_submit",
            conference_id=world.conference.id,
            amendment_id=amendment.id,
        ),
        data={"expected_state": "draft"},
        follow_redirects=True,
    )
    assert "The deadline for amendments passed" in page_text(answer)
    db.session.refresh(amendment)
    assert amendment.state == AmendmentState.DRAFT and amendment.number is None


def test_only_the_proposer_may_withdraw(world, draft, as_user) -> None:
    amendment = submitted(world, draft)
    answer = as_user(world.delegates[1]).post(
        url_path(
            "drafting.amendment_withdraw",
            conference_id=world.conference.id,
            amendment_id=amendment.id,
        ),
        data={"expected_state": "submitted"},
    )
    assert answer.status_code == 403
    db.session.refresh(amendment)
    assert amendment.state == AmendmentState.SUBMITTED
    answer = as_user(world.delegate).post(
        url_path(
            "drafting.amendment_withdraw",
            conference_id=world.conference.id,
            amendment_id=amendment.id,
        ),
        data={"expected_state": "submitted", "back": "draft"},
    )
    assert answer.headers["Location"].endswith(f"/resolutions/{draft.id}#amendment-{amendment.id}")
    db.session.refresh(amendment)
    assert amendment.state == AmendmentState.WITHDRAWN


def test_a_button_pressed_on_an_outdated_page_does_nothing(world, draft, as_user) -> None:
    amendment = submitted(world, draft)
    service.rule_out_of_order(amendment, world.secretariat, "Not germane.")
    db.session.commit()
    answer = as_user(world.secretariat).post(
        url_path(
            "drafting.amendment_admit", conference_id=world.conference.id, amendment_id=amendment.id
        ),
        data={"expected_state": "submitted"},
        follow_redirects=True,
    )
    assert "This amendment changed while you had the page open" in page_text(answer)
    assert "Out of order" in page_text(answer)
    db.session.refresh(amendment)
    assert amendment.state == AmendmentState.OUT_OF_ORDER


def test_a_transition_not_allowed_now_is_refused_with_the_reason(world, draft, as_user) -> None:
    amendment = submitted(world, draft)
    answer = as_user(world.chair).post(
        url_path(
            "drafting.amendment_adopt", conference_id=world.conference.id, amendment_id=amendment.id
        ),
        data={"expected_state": "submitted"},
        follow_redirects=True,
    )
    text = page_text(answer)
    assert "admitted" in text and "flash--error" in answer.get_data(as_text=True)
    db.session.refresh(amendment)
    assert amendment.state == AmendmentState.SUBMITTED
    assert clauses_by_number(draft)["2"].text == "Urges the member organisations:"


def test_an_incomplete_button_form_does_nothing(world, draft, as_user) -> None:
    amendment = submitted(world, draft)
    answer = as_user(world.secretariat).post(
        url_path(
            "drafting.amendment_admit", conference_id=world.conference.id, amendment_id=amendment.id
        ),
        data={},
        follow_redirects=True,
    )
    assert "The form was incomplete" in page_text(answer)
    db.session.refresh(amendment)
    assert amendment.state == AmendmentState.SUBMITTED


def test_out_of_order_needs_a_reason_which_everyone_then_sees(world, draft, as_user) -> None:
    amendment = submitted(world, draft)
    client = as_user(world.secretariat)
    answer = client.post(
        url_path(
            "drafting.amendment_out_of_order",
            conference_id=world.conference.id,
            amendment_id=amendment.id,
        ),
        data={"expected_state": "submitted", "reason": "  "},
    )
    assert re.search(r'id="reason-error">\s*Give the reason', answer.get_data(as_text=True))
    db.session.refresh(amendment)
    assert amendment.state == AmendmentState.SUBMITTED
    client.post(
        url_path(
            "drafting.amendment_out_of_order",
            conference_id=world.conference.id,
            amendment_id=amendment.id,
        ),
        data={"expected_state": "submitted", "reason": "It concerns another agenda item."},
    )
    db.session.refresh(amendment)
    assert amendment.state == AmendmentState.OUT_OF_ORDER
    html = (
        as_user(world.observer)
        .get(
            url_path(
                "drafting.resolution", conference_id=world.conference.id, resolution_id=draft.id
            )
        )
        .get_data(as_text=True)
    )
    assert "It concerns another agenda item." in card(html, amendment)
    assert (
        as_user(world.delegate)
        .post(
            url_path(
                "drafting.amendment_out_of_order",
                conference_id=world.conference.id,
                amendment_id=amendment.id,
            ),
            data={"expected_state": "out_of_order", "reason": "x"},
        )
        .status_code
        == 403
    )


def test_chair_adopts_by_general_consent_and_the_text_changes(world, draft, as_user) -> None:
    amendment = admitted(world, draft, number="2", text="Urges all organisations:")
    rival = service.propose_amendment(
        draft, world.delegates[1], kind=AmendmentKind.DELETE, target=clauses_by_number(draft)["2"]
    )
    service.submit_amendment(rival, world.delegates[1])
    db.session.commit()
    answer = as_user(world.chair).post(
        url_path(
            "drafting.amendment_adopt", conference_id=world.conference.id, amendment_id=amendment.id
        ),
        data={"expected_state": "admitted", "back": "draft"},
        follow_redirects=True,
    )
    text = page_text(answer)
    assert "A-1 was adopted by general consent and applied to the text." in text
    assert "Made obsolete by this adoption: A-2." in text
    assert "2. Urges all organisations:" in text
    assert "2. Urges the member organisations:" not in text
    db.session.refresh(rival)
    assert rival.state == AmendmentState.OBSOLETE
    assert (
        as_user(world.delegate)
        .post(
            url_path(
                "drafting.amendment_adopt",
                conference_id=world.conference.id,
                amendment_id=amendment.id,
            ),
            data={"expected_state": "adopted"},
        )
        .status_code
        == 403
    )


def test_deleting_by_amendment_renumbers_and_obsoletes_the_other_amendment(
    world, draft, as_user
) -> None:
    delete = service.propose_amendment(
        draft, world.delegate, kind=AmendmentKind.DELETE, target=clauses_by_number(draft)["3"]
    )
    service.submit_amendment(delete, world.delegate)
    service.admit_amendment(delete, world.secretariat)
    other = submitted(world, draft, "3", "Requests a report;", proposer=world.delegates[1])
    as_user(world.chair).post(
        url_path(
            "drafting.amendment_adopt", conference_id=world.conference.id, amendment_id=delete.id
        ),
        data={"expected_state": "admitted"},
    )
    answer = as_user(world.observer).get(
        url_path("drafting.resolution", conference_id=world.conference.id, resolution_id=draft.id)
    )
    html = answer.get_data(as_text=True)
    assert operative_labels(answer) == ["1.", "2.", "(a)", "(b)", "3."]
    assert "3. Decides to remain seized of the matter." in page_text(answer)
    orphans = html[html.index("Amendments to deleted clauses") :]
    assert f'id="amendment-{other.id}"' in orphans
    assert "Obsolete" in card(html, other)
    assert "Made obsolete by the adoption of A-1." in card(html, other)


def test_the_proposer_edits_and_discards_a_draft(world, draft, as_user) -> None:
    amendment = service.propose_amendment(
        draft,
        world.delegate,
        kind=AmendmentKind.REPLACE,
        target=clauses_by_number(draft)["1"],
        text="Calls upon all;",
    )
    db.session.commit()
    client = as_user(world.delegate)
    form = client.get(
        url_path(
            "drafting.amendment_edit", conference_id=world.conference.id, amendment_id=amendment.id
        )
    ).get_data(as_text=True)
    assert "Calls upon all;</textarea>" in form
    client.post(
        url_path(
            "drafting.amendment_edit", conference_id=world.conference.id, amendment_id=amendment.id
        ),
        data={
            "kind": "insert",
            "target": "",
            "expected_version": 1,
            "text": "Calls upon all governments;",
            "justification": "Clearer.",
            "save": "1",
        },
    )
    db.session.refresh(amendment)
    # The text changed; the kind and target could not be changed through the form.
    assert amendment.text == "Calls upon all governments;"
    assert amendment.kind == AmendmentKind.REPLACE and amendment.justification == "Clearer."
    answer = client.post(
        url_path(
            "drafting.amendment_discard",
            conference_id=world.conference.id,
            amendment_id=amendment.id,
        ),
        data={"expected_state": "draft"},
    )
    assert answer.status_code == 302
    assert amendments() == []


def test_editing_a_draft_written_against_an_older_version_is_refused(world, draft, as_user) -> None:
    clause = clauses_by_number(draft)["1"]
    amendment = service.propose_amendment(
        draft, world.delegate, kind=AmendmentKind.REPLACE, target=clause, text="Calls upon all;"
    )
    db.session.commit()
    client = as_user(world.delegate)
    form = client.get(
        url_path(
            "drafting.amendment_edit", conference_id=world.conference.id, amendment_id=amendment.id
        )
    ).get_data(as_text=True)
    assert 'name="expected_version" type="hidden" value="1"' in form
    service.edit_clause(clause, world.secretariat, "Calls upon every state;", expected_version=1)
    db.session.commit()
    answer = client.post(
        url_path(
            "drafting.amendment_edit", conference_id=world.conference.id, amendment_id=amendment.id
        ),
        data={"expected_version": 1, "text": "Calls upon all states;", "save": "1"},
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Someone changed this clause while you were writing" in page_text(answer)
    assert "Calls upon all states;</textarea>" in html  # theirs kept
    assert 'name="expected_version" type="hidden" value="2"' in html  # to save deliberately
    db.session.refresh(amendment)
    assert (amendment.text, amendment.target_version) == ("Calls upon all;", 1)
    again = client.post(
        url_path(
            "drafting.amendment_edit", conference_id=world.conference.id, amendment_id=amendment.id
        ),
        data={"expected_version": 2, "text": "Calls upon all states;", "save": "1"},
    )
    assert again.status_code == 302
    db.session.refresh(amendment)
    assert (amendment.text, amendment.target_version) == ("Calls upon all states;", 2)


def test_a_submitted_amendment_can_no_longer_be_edited(world, draft, as_user) -> None:
    amendment = submitted(world, draft)
    answer = as_user(world.delegate).post(
        url_path(
            "drafting.amendment_edit", conference_id=world.conference.id, amendment_id=amendment.id
        ),
        data={"text": "Changed after submission:", "expected_version": 1, "save": "1"},
        follow_redirects=True,
    )
    assert "only while it is a draft" in page_text(answer)
    db.session.refresh(amendment)
    assert amendment.text == "Urges everyone:"


# --- co-sponsors --------------------------------------------------------------------------------


def test_invited_co_sponsor_confirms_and_is_listed(world, draft, as_user) -> None:
    amendment = submitted(world, draft)
    proposer = as_user(world.delegate)
    page = proposer.get(
        url_path("drafting.amendment", conference_id=world.conference.id, amendment_id=amendment.id)
    ).get_data(as_text=True)
    assert f'value="{world.delegates[1].id}">Delegate 2 (Kyrgyzstan)' in page
    assert f'value="{world.delegate.id}"' not in page  # not oneself
    proposer.post(
        url_path(
            "drafting.amendment_invite",
            conference_id=world.conference.id,
            amendment_id=amendment.id,
        ),
        data={"participant": world.delegates[1].id},
    )
    invitation = db.session.get(AmendmentSponsor, (amendment.id, world.delegates[1].id))
    assert invitation.status == SponsorStatus.INVITED
    sponsor = as_user(world.delegates[1])
    assert "invites you to co-sponsor" in page_text(
        sponsor.get(
            url_path(
                "drafting.amendment", conference_id=world.conference.id, amendment_id=amendment.id
            )
        )
    )
    answer = sponsor.post(
        url_path(
            "drafting.amendment_respond",
            conference_id=world.conference.id,
            amendment_id=amendment.id,
        ),
        data={"accept": "1"},
        follow_redirects=True,
    )
    assert "You are now a co-sponsor of A-1." in page_text(answer)
    db.session.refresh(invitation)
    assert invitation.status == SponsorStatus.CONFIRMED
    html = (
        as_user(world.observer)
        .get(
            url_path(
                "drafting.resolution", conference_id=world.conference.id, resolution_id=draft.id
            )
        )
        .get_data(as_text=True)
    )
    assert "co-sponsored by Delegate 2" in card(html, amendment)


def test_a_declined_invitation_is_not_listed_as_a_co_sponsor(world, draft, as_user) -> None:
    amendment = submitted(world, draft)
    service.invite_sponsor(amendment, world.delegate, world.delegates[1])
    db.session.commit()
    as_user(world.delegates[1]).post(
        url_path(
            "drafting.amendment_respond",
            conference_id=world.conference.id,
            amendment_id=amendment.id,
        ),
        data={"decline": "1"},
    )
    html = (
        as_user(world.observer)
        .get(
            url_path(
                "drafting.resolution", conference_id=world.conference.id, resolution_id=draft.id
            )
        )
        .get_data(as_text=True)
    )
    assert "co-sponsored" not in card(html, amendment)


def test_a_co_sponsor_invited_to_a_draft_is_told_what_it_is_not_the_authors_steps(
    world, draft, as_user
) -> None:
    target = clauses_by_number(draft)["2"]
    amendment = service.propose_amendment(
        draft, world.delegate, kind=AmendmentKind.REPLACE, target=target, text="Urges all:"
    )
    service.invite_sponsor(amendment, world.delegate, world.delegates[1])
    db.session.commit()
    path = url_path(
        "drafting.amendment", conference_id=world.conference.id, amendment_id=amendment.id
    )
    author_page = page_text(as_user(world.delegate).get(path))
    assert "only you and the delegates you invite can see it" in author_page

    sponsor = as_user(world.delegates[1])
    invited_page = page_text(sponsor.get(path))
    assert "only you and the delegates you invite" not in invited_page
    assert "Submit it to put it before the conference" not in invited_page
    assert f"{world.delegate.user.name} invites you to co-sponsor this draft." in invited_page
    answer = sponsor.post(f"{path}/respond", data={"accept": "1"}, follow_redirects=True)
    # A draft has no number: the confirmation says whose draft it is.
    assert (
        f"You are now a co-sponsor of the draft amendment by {world.delegate.user.name}."
        in page_text(answer)
    )
    assert "co-sponsor of Draft amendment" not in page_text(answer)


def test_co_sponsor_refusals(world, draft, other_world, as_user) -> None:
    amendment = submitted(world, draft)
    # Someone not invited cannot answer; nobody can be invited twice or from elsewhere.
    assert (
        as_user(world.delegates[2])
        .post(
            url_path(
                "drafting.amendment_respond",
                conference_id=world.conference.id,
                amendment_id=amendment.id,
            ),
            data={"accept": "1"},
        )
        .status_code
        == 403
    )
    service.invite_sponsor(amendment, world.delegate, world.delegates[1])
    db.session.commit()
    client = as_user(world.delegate)
    for participant in (world.delegates[1].id, other_world.delegate.id, world.observer.id):
        answer = client.post(
            url_path(
                "drafting.amendment_invite",
                conference_id=world.conference.id,
                amendment_id=amendment.id,
            ),
            data={"participant": participant},
        )
        assert "This delegate cannot be invited." in page_text(answer)
    # Only the proposer invites.
    assert (
        as_user(world.delegates[1])
        .post(
            url_path(
                "drafting.amendment_invite",
                conference_id=world.conference.id,
                amendment_id=amendment.id,
            ),
            data={"participant": world.delegates[2].id},
        )
        .status_code
        == 403
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AmendmentSponsor)) == 1


# --- the chair's voting order ------------------------------------------------------------------


def test_chair_orders_the_amendments_to_one_clause(world, draft, as_user) -> None:
    replace = admitted(world, draft, number="2", text="Urges all organisations:")
    delete = service.propose_amendment(
        draft, world.delegates[1], kind=AmendmentKind.DELETE, target=clauses_by_number(draft)["2"]
    )
    service.submit_amendment(delete, world.delegates[1])
    service.admit_amendment(delete, world.secretariat)
    db.session.commit()
    client = as_user(world.chair)
    page = client.get(
        url_path("drafting.vote_order", conference_id=world.conference.id, resolution_id=draft.id)
    ).get_data(as_text=True)
    # Default: the deletion first, then the replacement.
    assert page.index("A-2: delete") < page.index("A-1: replace")
    answer = client.post(
        url_path("drafting.vote_order", conference_id=world.conference.id, resolution_id=draft.id),
        data={
            "entries-0-amendment_id": delete.id,
            "entries-0-order": 2,
            "entries-1-amendment_id": replace.id,
            "entries-1-order": 1,
        },
    )
    assert answer.status_code == 302
    assert [a.id for a in service.voting_queue(draft)] == [replace.id, delete.id]


def test_a_voting_order_for_an_outdated_list_is_refused(world, draft, as_user) -> None:
    replace = admitted(world, draft, number="2", text="Urges all organisations:")
    delete = service.propose_amendment(
        draft, world.delegates[1], kind=AmendmentKind.DELETE, target=clauses_by_number(draft)["2"]
    )
    service.submit_amendment(delete, world.delegates[1])
    service.admit_amendment(delete, world.secretariat)
    db.session.commit()
    service.withdraw_amendment(delete, world.delegates[1])
    db.session.commit()
    answer = as_user(world.chair).post(
        url_path("drafting.vote_order", conference_id=world.conference.id, resolution_id=draft.id),
        data={
            "entries-0-amendment_id": delete.id,
            "entries-0-order": 1,
            "entries-1-amendment_id": replace.id,
            "entries-1-order": 2,
        },
    )
    assert answer.status_code == 409
    assert "changed while you had the page open" in page_text(answer)
    db.session.refresh(replace)
    assert replace.vote_order is None
    bad = as_user(world.chair).post(
        url_path("drafting.vote_order", conference_id=world.conference.id, resolution_id=draft.id),
        data={"entries-0-amendment_id": replace.id, "entries-0-order": "first"},
    )
    assert "Give each amendment a place" in page_text(bad)


# --- the projector preview ----------------------------------------------------------------------


def test_the_preview_shows_the_text_as_it_would_read(world, draft, as_user) -> None:
    numbers = clauses_by_number(draft)
    insert = service.propose_amendment(
        draft,
        world.delegate,
        kind=AmendmentKind.INSERT,
        text="Welcomes the report;",
        new_clause_kind=ClauseKind.OPERATIVE,
        after=numbers["1"],
    )
    service.submit_amendment(insert, world.delegate)
    replace = submitted(world, draft, "3", "Requests a written report;")
    delete = service.propose_amendment(
        draft, world.delegate, kind=AmendmentKind.DELETE, target=numbers["P2"]
    )
    service.submit_amendment(delete, world.delegate)
    db.session.commit()
    client = as_user(world.observer)
    answer = client.get(
        url_path(
            "drafting.amendment_preview", conference_id=world.conference.id, amendment_id=insert.id
        )
    )
    assert "2. Welcomes the report;" in page_text(answer)
    assert "3. Urges the member organisations:" in page_text(answer)
    assert "clause--new" in answer.get_data(as_text=True)
    html = client.get(
        url_path(
            "drafting.amendment_preview", conference_id=world.conference.id, amendment_id=replace.id
        )
    ).get_data(as_text=True)
    assert "clause--changed" in html
    assert "<del>the secretariat to</del><ins>a written</ins> report" in html
    html = client.get(
        url_path(
            "drafting.amendment_preview", conference_id=world.conference.id, amendment_id=delete.id
        )
    ).get_data(as_text=True)
    assert "clause--deleted" in html and "<del>Noting with concern" in html
    # Nothing was changed by looking.
    assert clauses_by_number(draft)["2"].text == "Urges the member organisations:"
