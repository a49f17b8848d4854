"""Who gets which document: the documents page, the record's polls, the access cards."""

from __future__ import annotations

import csv
import io
import math

import segno

from resolutions.documents.cards import access_cards, qr_svg
from resolutions.extensions import db
from resolutions.models import Participant, Role
from tests.documents_support import flat, pdf_text, reader
from tests.objects.app import url_path
from tests.objects.documents import hold_sitting
from tests.objects.drafting import make_draft


def documents_page(client, world) -> str:
    answer = client.get(url_path("documents.index", conference_id=world.conference.id))
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_secretariat_is_offered_everything(world, as_user):
    resolution = make_draft(world)
    db.session.commit()
    page = documents_page(as_user(world.secretariat), world)
    cid = world.conference.id
    assert (
        url_path("documents.resolution_pdf", conference_id=cid, resolution_id=resolution.id) in page
    )
    assert "Draft resolution" in page and "marked DRAFT" in page
    assert url_path("documents.draft_pdf", conference_id=cid, resolution_id=resolution.id) in page
    assert url_path("documents.record_pdf", conference_id=cid) in page
    assert url_path("documents.record_csv", conference_id=cid) in page
    assert url_path("documents.cards_pdf", conference_id=cid) in page
    assert "6 cards" in page  # secretariat, chair, three delegates, observer


def test_delegate_is_offered_published_documents_only(world, as_user):
    resolution = make_draft(world)
    db.session.commit()
    client = as_user(world.delegate)
    page = documents_page(client, world)
    cid = world.conference.id
    assert f"/documents/resolution/{resolution.id}.pdf" not in page  # not adopted yet
    assert f"/documents/draft/{resolution.id}.pdf" in page
    assert "/documents/record.pdf" in page
    assert "/documents/cards.pdf" not in page
    assert client.get(url_path("documents.cards_pdf", conference_id=cid)).status_code == 403


def test_after_adoption_everyone_gets_the_resolution_with_the_voting_figures_box(world, as_user):
    sitting = hold_sitting(world)
    for role in ("delegate", "observer", "chair"):
        page = documents_page(as_user(world.member(role)), world)
        assert f"/documents/resolution/{sitting.resolution.id}.pdf" in page
        assert "Adopted resolution" in page
        assert 'name="votes"' in page  # the tick-box for the voting figures


def _record_titles(client, world) -> list[str]:
    answer = client.get(
        url_path("documents.record_csv", conference_id=world.conference.id, lang="en")
    )
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    return [row[3] for row in rows[1:] if row[1] == "Poll"]


def test_record_lists_published_polls_for_delegates_and_all_for_the_chair(world, as_user):
    hold_sitting(world)
    everything = [
        "A-1: replace operative clause 2(a)",
        "A-2: insert after operative clause 3",
        "Closure of the debate",
        "The resolution as a whole: On the freedom of association",
    ]
    published = [everything[0], everything[3]]
    assert _record_titles(as_user(world.chair), world) == everything
    assert _record_titles(as_user(world.secretariat), world) == everything
    assert _record_titles(as_user(world.delegate), world) == published
    assert _record_titles(as_user(world.observer), world) == published
    page = documents_page(as_user(world.observer), world)
    assert "2 published polls." in page


def test_record_pdf_shows_rules_counts_outcome_and_named_lists(world, as_user):
    sitting = hold_sitting(world)
    answer = as_user(world.chair).get(
        url_path("documents.record_pdf", conference_id=world.conference.id, lang="en")
    )
    assert answer.status_code == 200
    text = flat(pdf_text(answer.data, layout=False))
    order = [
        "1. A-1: replace operative clause 2(a)",
        "2. A-2: insert after operative clause 3",
        "3. Closure of the debate",
        "4. The resolution as a whole",
    ]
    positions = [text.index(item) for item in order]
    assert positions == sorted(positions)
    first = text[positions[0] : positions[1]]
    for fact in ("Named ballot", "Simple majority", "Entitled weight 4", "Participating weight 4"):
        assert fact in first, fact
    assert "2 1 1 4 ADOPTED" in first  # yes, no, abstain, ballots cast, outcome
    for voter, choice in (("Delegate 1", "Yes"), ("Delegate 3", "No"), ("Chair Person", "Abstain")):
        assert f"{voter} {choice} 1" in first
    second = text[positions[1] : positions[2]]
    assert "Secret ballot" in second and "1 2 0 3 REJECTED" in second
    assert "Not published yet." in second
    assert "Delegate 1" not in second  # a secret poll lists nobody's choice
    third = text[positions[2] : positions[3]]
    assert "Cancelled: Put to the vote by mistake." in third
    assert sitting.polls["a2"].state.value == "closed"


def test_cards_one_per_participant_with_the_sign_in_link(world, as_user, app):
    answer = as_user(world.secretariat).get(
        url_path("documents.cards_pdf", conference_id=world.conference.id)
    )
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "private, no-store"
    text = flat(pdf_text(answer.data, layout=False))
    participants = db.session.query(Participant).filter_by(conference_id=world.conference.id)
    for participant in participants:
        assert participant.name in text
    assert len(reader(answer.data).pages) == math.ceil(participants.count() / 10)
    with app.test_request_context():
        cards = access_cards(world.conference)
    assert [c.role for c in cards][:2] == [Role.SECRETARIAT, Role.CHAIR]
    card = next(c for c in cards if c.name == world.delegate.name)
    assert card.sign_in_url == f"http://localhost/card/{world.delegate.card_token}"
    # The QR code is segno's encoding of exactly that link, drawn as inline SVG.
    assert card.qr_svg == qr_svg(card.sign_in_url)
    matrix = segno.make(card.sign_in_url, error="m")
    assert f'viewBox="0 0 {matrix.symbol_size(scale=1, border=0)[0]}' in str(card.qr_svg)
    assert "<image" not in str(card.qr_svg) and "href" not in str(card.qr_svg)
    # The link is the one the card route answers.
    assert (
        as_user(world.chair)
        .get(url_path("conferences.card", card_token=world.delegate.card_token))
        .status_code
        == 200
    )


def test_cards_sheets_of_ten(app, as_user):
    from tests.objects.world import make_conference

    world = make_conference(delegates=15)  # 19 participants: two sheets
    answer = as_user(world.secretariat).get(
        url_path("documents.cards_pdf", conference_id=world.conference.id)
    )
    assert len(reader(answer.data).pages) == 2
