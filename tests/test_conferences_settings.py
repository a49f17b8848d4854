"""The secretariat sets the conference's details and default rules of procedure."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from resolutions.conferences.service import time_zone_names
from resolutions.models import AuditEntry, BallotKind, ConferenceState, MajorityMethod
from tests.objects.app import url_path


def _form(world, **overrides):
    conf = world.conference
    data = {
        "title": conf.title,
        "short_name": conf.short_name,
        "place": conf.place,
        "start_date": conf.start_date.isoformat(),
        "end_date": "",
        "language": conf.language,
        "state": conf.state.value,
        "majority_method": conf.majority_method.value,
        "quorum": conf.quorum,
        "ballot_kind": conf.ballot_kind.value,
        "amendment_deadline": "",
        "proxy_limit": str(conf.proxy_limit),
    }
    data.update(overrides)
    return data


def _url(world):
    return url_path("conferences.settings", conference_id=world.conference.id)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0", "0"),
        ("25", "25"),
        (" 025 ", "25"),
        ("1/2", "1/2"),
        ("2/3", "2/3"),
        ("2 / 4", "1/2"),
        ("1/1", "1/1"),
        # The poll form's grammar (one parse_quorum for both): a percentage, and a share of
        # nothing, which is no quorum.
        ("50%", "1/2"),
        ("100%", "1/1"),
        ("0/5", "0"),
    ],
)
def test_quorum_accepts_what_the_poll_form_accepts(db, world, as_user, typed, stored):
    answer = as_user(world.secretariat).post(_url(world), data=_form(world, quorum=typed))
    assert answer.status_code == 302
    db.session.refresh(world.conference)
    assert world.conference.quorum == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the quorum (0 for none)."),  # the poll form: empty is the default
        ("-1", "Write the quorum as 0"),
        ("0.5", "Write the quorum as 0"),
        ("half", "Write the quorum as 0"),
        ("1/2/3", "Write the quorum as 0"),
        ("1234567890", "Write the quorum as 0"),
        ("1/0", "divide by zero"),
        ("3/2", "more than the whole weight"),
        ("150%", "more than the whole weight"),
    ],
)
def test_quorum_refuses_what_the_poll_form_refuses(db, world, as_user, typed, message):
    answer = as_user(world.secretariat).post(_url(world), data=_form(world, quorum=typed))
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert message in html
    assert 'id="quorum-error"' in html
    db.session.refresh(world.conference)
    assert world.conference.quorum == "0"


def test_secretariat_sees_the_current_settings(world, as_user):
    page = as_user(world.secretariat).get(_url(world))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="Test Conference"' in html
    assert "Amendment deadline" in html and "time zone, UTC" in html


def test_the_deadline_is_entered_and_shown_in_the_conference_time_zone(db, world, as_user):
    world.conference.timezone = "Asia/Bishkek"  # UTC+6
    db.session.commit()
    client = as_user(world.secretariat)
    answer = client.post(
        _url(world), data=_form(world, amendment_deadline="2026-11-29T18:30", timezone="")
    )
    assert answer.status_code == 302
    db.session.refresh(world.conference)
    assert world.conference.amendment_deadline == datetime(2026, 11, 29, 12, 30)
    html = client.get(_url(world)).get_data(as_text=True)
    assert 'value="2026-11-29T18:30"' in html


def test_secretariat_changes_settings_and_the_change_is_audited(db, world, as_user):
    client = as_user(world.secretariat)
    answer = client.post(
        _url(world),
        data=_form(
            world,
            title="Regional Conference 2026",
            place="Almaty",
            end_date="2026-12-02",
            language="en",
            state="voting",
            majority_method="two_thirds",
            quorum="2/3",
            ballot_kind="secret",
            amendment_deadline="2026-11-29T18:30",
            proxy_limit="2",
        ),
    )
    assert answer.status_code == 302
    conf = world.conference
    assert conf.title == "Regional Conference 2026"
    assert conf.place == "Almaty"
    assert conf.end_date == date(2026, 12, 2)
    assert conf.language == "en"
    assert conf.state == ConferenceState.VOTING
    assert conf.majority_method == MajorityMethod.TWO_THIRDS
    assert conf.quorum == "2/3"
    assert conf.ballot_kind == BallotKind.SECRET
    assert conf.amendment_deadline == datetime(2026, 11, 29, 18, 30)
    assert conf.proxy_limit == 2
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "conference.settings_changed")
    )
    changed = json.loads(entry.details)["changed"]
    assert changed["title"] == ["Test Conference", "Regional Conference 2026"]
    assert changed["quorum"] == ["0", "2/3"]
    assert changed["state"] == ["drafting", "voting"]
    assert "short_name" not in changed
    assert entry.actor_id == world.secretariat.user.id


def test_saving_unchanged_settings_records_nothing(db, world, as_user):
    answer = as_user(world.secretariat).post(_url(world), data=_form(world))
    assert answer.status_code == 302
    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "conference.settings_changed")
    )
    assert count == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("quorum", "3/2", "more than the whole weight entitled to vote"),
        ("end_date", "2026-11-01", "The last day cannot be before the first day."),
        ("title", "", "Enter the title."),
        ("proxy_limit", "11", "Enter a number from 0 to 10."),
    ],
)
def test_bad_settings_are_refused_next_to_the_field(db, world, as_user, field, value, message):
    answer = as_user(world.secretariat).post(_url(world), data=_form(world, **{field: value}))
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert message in html
    assert f'id="{field}-error"' in html
    db.session.refresh(world.conference)
    assert world.conference.quorum == "0"
    assert world.conference.title == "Test Conference"


def test_closed_conference_is_final(db, world, as_user):
    client = as_user(world.secretariat)
    assert client.post(_url(world), data=_form(world, state="closed")).status_code == 302
    assert world.conference.state == ConferenceState.CLOSED
    answer = client.post(_url(world), data=_form(world, state="drafting", title="Reopened"))
    assert world.conference.state == ConferenceState.CLOSED
    assert world.conference.title == "Test Conference"
    page = client.get(_url(world)).get_data(as_text=True)
    assert "The conference is closed" in page
    assert answer.status_code in (200, 302)


def test_only_the_secretariat_opens_settings(world, as_user):
    for member in (world.chair, world.delegate, world.observer):
        answer = as_user(member).get(_url(world))
        assert answer.status_code == 403
        assert "You do not have access to this page" in answer.get_data(as_text=True)


def test_the_time_zone_is_utc_until_the_secretariat_chooses_one(db, world, as_user):
    assert world.conference.timezone == "UTC"
    client = as_user(world.secretariat)
    page = client.get(_url(world)).get_data(as_text=True)
    # Offered by the city in the reader's language (the page is Russian), the id beside it.
    assert '<option value="Europe/Moscow">Москва (Europe/Moscow)</option>' in page
    if "Factory" in time_zone_names():  # a zone Babel cannot name keeps its id
        assert '<option value="Factory">Factory</option>' in page
    answer = client.post(_url(world), data=_form(world, timezone="Asia/Bishkek"))
    assert answer.status_code == 302
    assert world.conference.timezone == "Asia/Bishkek"
    assert str(world.conference.zone) == "Asia/Bishkek"
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "conference.settings_changed")
    )
    assert json.loads(entry.details)["changed"]["timezone"] == ["UTC", "Asia/Bishkek"]


def test_an_unknown_time_zone_is_refused_next_to_the_field(db, world, as_user):
    answer = as_user(world.secretariat).post(
        _url(world), data=_form(world, timezone="Mars/Olympus")
    )
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert "Choose a time zone from the list." in html
    assert 'id="timezone-error"' in html
    db.session.refresh(world.conference)
    assert world.conference.timezone == "UTC"
