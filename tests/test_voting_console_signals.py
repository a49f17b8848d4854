"""The chair's console warns and counts (issue 11): amendments nobody ruled on before the vote
on the whole, the quorum against the room, who has not voted yet in a named poll, and a secret
ballot that may not be changed."""

from __future__ import annotations

import re

from resolutions.drafting import service as drafting
from resolutions.extensions import db
from resolutions.models import AmendmentKind, BallotKind, Choice
from resolutions.voting import service
from tests.objects.app import url_path
from tests.objects.drafting import clauses_by_number, make_draft
from tests.objects.voting import check_in, procedural_poll


def _console(client, world) -> str:
    return client.get(url_path("voting.console", conference_id=world.conference.id)).get_data(
        as_text=True
    )


def test_amendments_not_ruled_on_are_listed_before_the_vote_on_the_whole(world, as_user):
    resolution = make_draft(world)
    target = clauses_by_number(resolution)["2"]
    amendment = drafting.propose_amendment(
        resolution, world.delegate, kind=AmendmentKind.DELETE, target=target
    )
    drafting.submit_amendment(amendment, world.delegate)
    db.session.commit()
    page = _console(as_user(world.chair), world)
    warning = page[page.index('class="queue-warning"') :]
    assert "1 amendment not ruled on" in warning
    link = f'href="/c/{world.conference.id}/amendments/{amendment.id}"'
    assert link in warning and "A-1: delete operative clause 2" in warning
    # Once ruled on, the warning goes.
    drafting.admit_amendment(amendment, world.secretariat)
    db.session.commit()
    assert 'class="queue-warning"' not in _console(as_user(world.chair), world)


def _quorum_line(page: str) -> str:
    start = page.index('class="quorum-signal')
    return re.sub(r"\s+", " ", page[start : page.index("</p>", start)])


def test_the_quorum_is_shown_against_the_room_before_and_during_a_poll(world, as_user):
    world.conference.quorum = "3"
    check_in(world.chair, world.delegate)
    chair = as_user(world.chair)
    line = _quorum_line(_console(chair, world))
    assert "is-missing" in line and "weight 3 needed, 2 present" in line
    assert "not reached" in line
    check_in(*world.delegates)
    line = _quorum_line(_console(chair, world))
    assert "is-reached" in line and "weight 3 needed, 4 present" in line

    poll = procedural_poll(world, quorum="1/2")  # 2 of 4 entitled
    line = _quorum_line(_console(chair, world))
    assert "data-quorum-live" in line and 'data-quorum-num="2"' in line
    assert 'weight voted <strong data-turnout="voted_weight">0</strong> of 2 needed' in line
    assert "is-missing" in line
    for voter in (world.delegate, world.delegates[1]):
        service.cast_ballot(poll.id, voter, Choice.NO)
    assert "is-reached" in _quorum_line(_console(chair, world))


def test_who_has_not_voted_yet_in_a_named_poll(world, as_user):
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world, ballot_kind=BallotKind.NAMED)
    service.cast_ballot(poll.id, world.delegate, Choice.YES)
    page = _console(as_user(world.chair), world)
    block = page[page.index("data-not-voted") : page.index("poll-card__actions")]
    assert "3 votes not cast yet" in block
    assert "Delegate 2" in block and "Delegate 3" in block and "Chair Person" in block
    assert "Delegate 1" not in block
    service.close_poll(poll, world.chair)
    db.session.commit()
    secret = procedural_poll(world, ballot_kind=BallotKind.SECRET, title="Secret?")
    assert secret.state.value == "open"
    assert "data-not-voted" not in _console(as_user(world.chair), world)


def test_a_changeable_secret_ballot_is_off_in_the_form_and_refused(world, as_user):
    world.conference.ballot_kind = BallotKind.SECRET
    db.session.commit()
    chair = as_user(world.chair)
    page = _console(chair, world)
    box = re.search(r'<input[^>]*name="allow_change"[^>]*>', page)
    assert box is not None and "disabled" in box.group(0)
    answer = chair.post(
        url_path("voting.create_procedural", conference_id=world.conference.id),
        data={"title": "Adjourn?", "ballot_kind": "secret", "allow_change": "y"},
        follow_redirects=True,
    )
    assert "A secret ballot cannot be changed once cast" in answer.get_data(as_text=True)
    world.conference.ballot_kind = BallotKind.NAMED
    db.session.commit()
    box = re.search(r'<input[^>]*name="allow_change"[^>]*>', _console(chair, world))
    assert box is not None and "disabled" not in box.group(0)
