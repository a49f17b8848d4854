"""The conference home is a dashboard per role; one conference, straight in after sign-in."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from resolutions.auth.service import hash_password
from resolutions.drafting import service as drafting
from resolutions.extensions import db
from resolutions.models import AmendmentKind, Participant, Role
from tests.objects.app import url_path
from tests.objects.drafting import clauses_by_number, make_draft
from tests.objects.voting import check_in, procedural_poll

PASSWORD = "dashboard-password-42"  # noqa: S105


def test_with_two_conferences_sign_in_lands_on_the_list(client, world, other_world):
    user = world.delegate.user
    user.password_hash = hash_password(PASSWORD)
    db.session.add(
        Participant(conference_id=other_world.conference.id, user_id=user.id, role=Role.DELEGATE)
    )
    db.session.commit()
    answer = client.post(url_path("auth.sign_in"), data={"email": user.email, "password": PASSWORD})
    assert urlsplit(answer.headers["Location"]).path == "/"


def test_each_role_sees_what_is_happening_for_them(world, as_user):
    resolution = make_draft(world)
    clauses = clauses_by_number(resolution)
    draft = drafting.propose_amendment(
        resolution, world.delegate, kind=AmendmentKind.DELETE, target=clauses["3"]
    )
    invited = drafting.propose_amendment(
        resolution, world.delegates[1], kind=AmendmentKind.DELETE, target=clauses["2"]
    )
    drafting.invite_sponsor(invited, world.delegates[1], world.delegate)
    submitted = drafting.propose_amendment(
        resolution, world.delegates[2], kind=AmendmentKind.DELETE, target=clauses["4"]
    )
    drafting.submit_amendment(submitted, world.delegates[2])
    world.conference.amendment_deadline = datetime(2026, 11, 30, 6, 0)
    world.conference.timezone = "Asia/Bishkek"
    check_in(world.chair, world.delegate)
    procedural_poll(world, title="Adjourn for lunch?")
    cid = world.conference.id

    page = (
        as_user(world.delegate)
        .get(url_path("conferences.home", conference_id=cid))
        .get_data(as_text=True)
    )
    assert "Adjourn for lunch?" in page and "Vote →" in page
    assert "Your amendment drafts" in page and f"/amendments/{draft.id}" in page
    assert "Invitations to co-sponsor" in page and f"/amendments/{invited.id}" in page
    # 06:00 UTC is noon in Bishkek; no seconds; the zone as people name it, not its IANA id.
    assert "12:00" in page and "12:00:00" not in page
    assert "(Бишкек)" in page and "Asia/Bishkek" not in page  # the page is in Russian (ru)
    assert "Amendments awaiting a ruling" not in page

    page = (
        as_user(world.chair)
        .get(url_path("conferences.home", conference_id=cid))
        .get_data(as_text=True)
    )
    assert "Next in the queue" in page and "Present voting weight" in page

    page = (
        as_user(world.secretariat)
        .get(url_path("conferences.home", conference_id=cid))
        .get_data(as_text=True)
    )
    assert "Amendments awaiting a ruling" in page and f"/amendments/{submitted.id}" in page
    assert "participants have not set a password yet" in page
    assert "Your amendment drafts" not in page
