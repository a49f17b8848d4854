"""Stages: preparation → drafting → sitting → closed, moved by the chair or the secretariat,
offered at the first poll and once every resolution is decided; closed is read-only."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from resolutions.conferences import service as conferences
from resolutions.documents.heading import dateline
from resolutions.drafting import service as drafting
from resolutions.errors import DomainError
from resolutions.models import AuditEntry, ClauseKind, ConferenceState, PollSubject
from resolutions.voting import attendance
from resolutions.voting import service as voting
from tests.objects.app import url_path
from tests.objects.documents import hold_sitting
from tests.objects.drafting import make_draft


def _stage(world) -> str:
    return url_path("conferences.stage", conference_id=world.conference.id)


def test_the_console_offers_to_start_the_sitting_and_the_chair_starts_it(db, world, as_user):
    client = as_user(world.chair)
    console = client.get(url_path("voting.console", conference_id=world.conference.id)).get_data(
        as_text=True
    )
    assert "Start the sitting?" in console
    answer = client.post(_stage(world), data={"stage": "voting", "back": "console"})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/c/{world.conference.id}/console")
    assert world.conference.state == ConferenceState.VOTING
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "conference.settings_changed")
    )
    assert json.loads(entry.details)["changed"]["state"] == ["drafting", "voting"]
    console = client.get(url_path("voting.console", conference_id=world.conference.id)).get_data(
        as_text=True
    )
    assert "Start the sitting?" not in console
    # Never backwards.
    with pytest.raises(DomainError):
        conferences.move_stage(world.conference, ConferenceState.DRAFTING, world.chair)


def test_a_delegate_cannot_move_the_stage(db, world):
    with pytest.raises(DomainError):
        conferences.move_stage(world.conference, ConferenceState.VOTING, world.delegate)
    assert world.conference.state == ConferenceState.DRAFTING


def test_closing_is_offered_after_adoption_needs_a_confirmation_and_locks_everything(
    db, world, as_user
):
    sitting = hold_sitting(world)
    client = as_user(world.secretariat)
    home = client.get(url_path("conferences.home", conference_id=world.conference.id)).get_data(
        as_text=True
    )
    assert "Start the sitting?" in home  # the sitting was never marked started
    conferences.move_stage(world.conference, ConferenceState.VOTING, world.chair)
    db.session.commit()
    home = client.get(url_path("conferences.home", conference_id=world.conference.id)).get_data(
        as_text=True
    )
    assert "Close the conference?" in home

    client.post(_stage(world), data={"stage": "closed"})
    assert world.conference.state == ConferenceState.VOTING  # not confirmed
    client.post(_stage(world), data={"stage": "closed", "confirm": "y"})
    assert world.conference.state == ConferenceState.CLOSED
    assert "Close the conference?" not in client.get(
        url_path("conferences.home", conference_id=world.conference.id)
    ).get_data(as_text=True)

    # Read-only everywhere: the text, polls, participants, settings.
    with pytest.raises(DomainError):
        drafting.create_resolution(world.conference, world.secretariat, "Another")
    with pytest.raises(DomainError):
        voting.create_poll(
            world.conference,
            world.chair,
            subject=PollSubject.PROCEDURAL,
            title="Late question",
            question="Shall we?",
        )
    with pytest.raises(DomainError):
        conferences.update_settings(
            world.conference,
            conferences.settings_of(world.conference),
            world.secretariat,
        )
    with pytest.raises(DomainError):
        conferences.move_stage(world.conference, ConferenceState.CLOSED, world.chair)
    # The documents stay.
    answer = client.get(
        url_path(
            "documents.resolution_pdf",
            conference_id=world.conference.id,
            resolution_id=sitting.resolution.id,
        )
    )
    assert answer.status_code == 200


def test_closing_waits_for_an_open_poll(db, world):
    resolution = make_draft(world)
    drafting.add_clause(resolution, world.secretariat, kind=ClauseKind.OPERATIVE, text="X")
    conferences.move_stage(world.conference, ConferenceState.VOTING, world.chair)
    poll = voting.create_poll(
        world.conference,
        world.chair,
        subject=PollSubject.PROCEDURAL,
        title="Closure",
        question="Close the debate?",
    )
    attendance.set_presence(world.conference, world.delegate, True, world.secretariat)
    voting.open_poll(poll, world.chair)
    db.session.commit()
    with pytest.raises(DomainError, match="A poll is open"):
        conferences.move_stage(world.conference, ConferenceState.CLOSED, world.chair)


def test_settings_show_how_the_date_line_reads(db, world, as_user):
    world.conference.language = "ru"
    world.conference.place = "г. Бишкек"
    db.session.commit()
    client = as_user(world.secretariat)
    page = client.get(url_path("conferences.settings", conference_id=world.conference.id)).get_data(
        as_text=True
    )
    assert "30 ноября 2026 года, г. Бишкек" in page
    answer = client.get(
        url_path("conferences.dateline_preview", conference_id=world.conference.id),
        query_string={
            "place": "г. Алматы",
            "start_date": "2026-11-29",
            "end_date": "2026-11-30",
            "language": "ru",
        },
    )
    assert answer.status_code == 200
    expected = dateline(
        world.conference.start_date.replace(day=29), world.conference.start_date, "г. Алматы", "ru"
    )
    assert answer.get_json() == {"dateline": expected}
    assert expected == "29 ноября – 30 ноября 2026 года, г. Алматы"
    # Nonsense dates fall back to the saved ones, never an error.
    answer = client.get(
        url_path("conferences.dateline_preview", conference_id=world.conference.id),
        query_string={"place": "<b>x</b>", "start_date": "soon", "end_date": "1999-01-01"},
    )
    assert answer.get_json() == {"dateline": "30 ноября 2026 года, <b>x</b>"}
