"""The vote banner through HTTP: every conference page, and its live JSON (view "banner"),
say whether a vote waits for the signed-in member; nobody else sees it."""

from __future__ import annotations

from resolutions.extensions import db
from resolutions.models import Choice
from resolutions.voting import service
from tests.objects.app import url_path
from tests.objects.voting import check_in, procedural_poll


def _banner(client, world):
    response = client.get(
        url_path("voting.live", conference_id=world.conference.id, view="banner"),
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    return response.get_json()["vote"]


def test_an_entitled_delegate_is_told_on_every_page_until_the_poll_closes(world, as_user):
    check_in(world.chair, world.delegate)
    client = as_user(world.delegate)
    assert _banner(client, world) is None
    page = client.get(url_path("conferences.home", conference_id=world.conference.id)).get_data(
        as_text=True
    )
    banner = page[page.index("data-vote-banner") : page.index("data-vote-banner-kicker")]
    assert "hidden>" in banner
    poll = procedural_poll(world, title="Shall we break?")

    vote = _banner(client, world)
    assert vote["label"] == "Shall we break?"
    assert vote["held"] == 1 and vote["pending"] == 1
    assert vote["url"].endswith(f"/c/{world.conference.id}/vote")
    page = client.get(url_path("conferences.home", conference_id=world.conference.id)).get_data(
        as_text=True
    )
    banner = page[page.index("data-vote-banner") : page.index("data-vote-banner-link")]
    assert "hidden>" not in banner and "Shall we break?" in banner

    service.cast_ballot(poll.id, world.delegate, Choice.YES)
    assert _banner(client, world)["pending"] == 0

    service.close_poll(poll, world.chair)
    db.session.commit()
    assert _banner(client, world) is None


def test_no_banner_without_a_vote_to_cast(world, as_user):
    check_in(world.chair, world.delegate)
    procedural_poll(world)
    # Absent when the poll opened: not on its frozen list.
    assert _banner(as_user(world.delegates[1]), world) is None
    # An observer's pages carry no banner at all, and their live JSON says nothing.
    observer = as_user(world.observer)
    assert "data-vote-banner" not in observer.get(
        url_path("conferences.home", conference_id=world.conference.id)
    ).get_data(as_text=True)
    assert _banner(observer, world) is None


def test_the_banner_json_is_for_members_only(world, other_world, as_user):
    outsider = as_user(other_world.delegate)
    response = outsider.get(
        url_path("voting.live", conference_id=world.conference.id, view="banner")
    )
    assert response.status_code == 404


def test_a_poll_is_named_from_its_subject_in_the_readers_language(world, as_user):
    """The stored title is the creator's words (here frozen in Russian); every page and the
    record name the poll from its subject, in the reader's language."""
    from resolutions.drafting import service as drafting
    from resolutions.models import AmendmentKind, PollSubject
    from tests.objects.drafting import clauses_by_number, make_draft

    resolution = make_draft(world)
    target = clauses_by_number(resolution)["2"]
    amendment = drafting.propose_amendment(
        resolution, world.delegate, kind=AmendmentKind.DELETE, target=target
    )
    drafting.submit_amendment(amendment, world.delegate)
    drafting.admit_amendment(amendment, world.secretariat)
    check_in(world.chair, world.delegate)
    poll = service.create_poll(
        world.conference, world.chair, subject=PollSubject.AMENDMENT, amendment=amendment
    )
    poll.title = "П-1: исключить п. 2"
    service.open_poll(poll, world.chair)
    db.session.commit()
    cid = world.conference.id
    delegate, chair = as_user(world.delegate), as_user(world.chair)
    pages = [
        delegate.get(url_path("voting.ballot", conference_id=cid)),
        chair.get(url_path("voting.console", conference_id=cid)),
        chair.get(url_path("voting.projector", conference_id=cid)),
        delegate.get(url_path("voting.poll", conference_id=cid, poll_id=poll.id)),
    ]
    service.cast_ballot(poll.id, world.delegate, Choice.YES)
    service.close_poll(poll, world.chair)
    service.publish_poll(poll, world.chair)
    db.session.commit()
    pages.append(delegate.get(url_path("voting.record", conference_id=cid)))
    for page in pages:
        text = page.get_data(as_text=True)
        assert "A-1: delete operative clause 2" in text, page.request.path
        assert "П-1" not in text, page.request.path
    # After adoption the clause is gone; the record still names it as voted.
    record = pages[4].get_data(as_text=True)
    assert "since deleted" not in record
