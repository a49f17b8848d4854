"""The audit log in words: after a full sitting, the Russian page names every action, detail
and value in Russian, people by name, each poll by its own ballot kind; no raw key, enum value,
e-mail or JSON. Plus the filters, the pages of 100, and verification that is not redone in
full on every view."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from resolutions import audit, audit_labels, models
from resolutions.extensions import db
from resolutions.models import AuditEntry
from tests.i18n_support import translated_app
from tests.objects.app import sign_in
from tests.objects.audit import full_sitting

ENUMS = (
    models.Role,
    models.ConferenceState,
    models.MajorityMethod,
    models.BallotKind,
    models.AmendmentKind,
    models.AmendmentState,
    models.ClauseKind,
    models.NumberingStyle,
    models.PollSubject,
    models.PollState,
    models.PollOutcome,
    models.Choice,
)
RAW_WORDS = (
    {member.value for enum in ENUMS for member in enum}
    | set(audit_labels.DETAIL)
    | {"after_was", "after_now", "changed", "true", "false", "null", "None"}
)


class _Text(HTMLParser):
    """The text a reader sees inside one element (``<main>`` or the list of entries)."""

    def __init__(self, start: str) -> None:
        super().__init__()
        self.start, self.depth, self.parts, self.skip = start, 0, [], 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        marks = f"{tag}.{dict(attrs).get('class') or ''}"
        if self.depth or marks.startswith(self.start):
            self.depth += 1
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.parts.append(data)


def seen(html: str, start: str) -> str:
    parser = _Text(start)
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def raw_tokens(text: str) -> list[str]:
    """Whatever in ``text`` looks like a code rather than a word."""
    found = [c for c in "{}[]@" if c in text]
    found += re.findall(r"\b[a-z]+(?:[._][a-z]+)+\b", text)  # snake_case keys, dotted actions
    found += [w for w in re.findall(r"\b[A-Za-z_]+\b", text) if w in RAW_WORDS]
    return found


@pytest.fixture
def ru_app(tmp_path: Path) -> Iterator[Flask]:
    with translated_app(tmp_path) as app:
        yield app


def _page(client, conference_id: int, query: str = "") -> str:
    answer = client.get(f"/c/{conference_id}/audit{query}")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_after_a_full_sitting_the_russian_log_is_all_words(ru_app: Flask) -> None:
    world = full_sitting()
    conference_id = world.conference.id
    recorded = set(db.session.scalars(sa.select(AuditEntry.action)))
    # The sitting wrote most kinds of entry, among them those the issue saw raw.
    assert len(recorded) >= 30, sorted(recorded)
    assert {
        "amendment.obsolete",
        "amendment.sponsor_invited",
        "roll_call.closed",
        "resolution.adopted",
        "poll.opened",
        "poll.closed",
        "proxy.given",
        "conference.settings_changed",
        "participant.changed",
    } <= recorded
    client = sign_in(ru_app.test_client(), world.secretariat)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    html = _page(client, conference_id)
    entries = seen(html, "ol.audit-list")
    whole = seen(html, "main")
    assert entries and "Настройки изменены" in entries
    # Not one key, enum value, e-mail, list or JSON in the entries, nor any Latin word but
    # the imported file's extension and its encoding's proper name ("Windows-1251").
    assert raw_tokens(entries) == []
    latin = set(re.findall(r"[A-Za-z]{2,}", entries)) - {"csv", "Windows"}
    assert latin == set(), latin
    # The rest of the page (filters included) names nothing raw either; the only Latin on it
    # is the command that checks the chain, the head's hex digits and the time zone.
    assert f"Текущая контрольная точка: {audit.head_digest()}." in whole
    command_free = (
        whole.replace("flask audit-verify --head", "")
        .replace("flask audit-verify", "")
        .replace(audit.head_digest(), "")
    )
    assert raw_tokens(command_free) == []
    assert set(re.findall(r"[A-Za-z]{2,}", command_free)) <= {"UTC", "csv", "Windows"}
    # People by name, never by e-mail.
    for name in ("Зарина Гостева-Ким", world.delegates[2].user.name):
        assert name in entries, name
    # Each poll with its own ballot kind; «по умолчанию» only for the conference's settings.
    assert "Вид голосования Тайное голосование" in entries
    poll_rows = [part for part in entries.split("Голосование подготовлено")[1:]]
    assert poll_rows and all("по умолчанию" not in row.split("Запись")[0] for row in poll_rows)


def test_the_filters_pick_kind_person_and_period(ru_app: Flask) -> None:
    world = full_sitting()
    conference_id = world.conference.id
    client = sign_in(ru_app.test_client(), world.secretariat)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    closed = _page(client, conference_id, "?action=poll.closed")
    assert seen(closed, "ol.audit-list").count("Голосование закрыто") == 3
    assert "Настройки изменены" not in seen(closed, "ol.audit-list")
    chair = world.chair.user_id
    by_chair = seen(_page(client, conference_id, f"?actor={chair}"), "ol.audit-list")
    assert "Голосование открыто" in by_chair and "Настройки изменены" not in by_chair
    day = db.session.scalar(sa.select(sa.func.min(AuditEntry.created_at))).date()
    period = f"?since={day.isoformat()}&until={day.isoformat()}"
    assert "Настройки изменены" in seen(_page(client, conference_id, period), "ol.audit-list")
    before = f"?until={(day.replace(year=day.year - 1)).isoformat()}"
    assert "Ни одна запись не подходит" in seen(_page(client, conference_id, before), "main")
    # Bad input is a message on the form, never a 500.
    bad = _page(client, conference_id, "?since=32.13.2026&until=2026-01-01&actor=x&action=y")
    assert "Неверное значение даты." in seen(bad, "form.filters")
    reversed_period = _page(client, conference_id, "?since=2026-02-02&until=2026-01-01")
    assert "Конец периода раньше его начала." in seen(reversed_period, "main")


def test_one_query_for_names_however_many_entries(ru_app: Flask) -> None:
    world = full_sitting()
    client = sign_in(ru_app.test_client(), world.secretariat)
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        statements.append(statement)

    def render(query: str) -> int:
        statements.clear()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            _page(client, world.conference.id, query)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    few = render("?action=proxy.given")  # one entry, naming two people
    many = render("")  # a hundred entries naming people and polls
    # At most one query more per kind of thing named (polls, amendments, resolutions),
    # whatever the number of entries.
    assert many - few <= 3, (few, many)


def test_verification_reads_only_new_entries_and_the_cli_rechecks_everything(
    ru_app: Flask, tmp_path: Path
) -> None:
    world = full_sitting()
    client = sign_in(ru_app.test_client(), world.secretariat)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    first = seen(_page(client, world.conference.id), "main")
    assert f"Chain verified: {total} entries intact" in first
    # An entry already verified and not on this page (another conference's is never shown)
    # is changed: the page, which does not walk the whole chain again, does not see it...
    elsewhere = audit.record("test.elsewhere", actor=None, conference_id=None)
    db.session.commit()
    assert f"{total + 1} entries intact" in seen(_page(client, world.conference.id), "main")
    db.session.execute(
        sa.update(AuditEntry).where(AuditEntry.id == elsewhere.id).values(actor_name="Mallory")
    )
    db.session.commit()
    assert f"{total + 1} entries intact" in seen(_page(client, world.conference.id), "main")
    # ...until the full check, whose result the page then shows.
    result = ru_app.test_cli_runner().invoke(args=["audit-verify"])
    assert result.exit_code == 1
    after = seen(_page(client, world.conference.id), "main")
    assert f"Chain broken at entry {elsewhere.id}" in after


def test_a_truncated_log_breaks_the_remembered_check(ru_app: Flask) -> None:
    world = full_sitting()
    client = sign_in(ru_app.test_client(), world.secretariat)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "entries intact" in seen(_page(client, world.conference.id), "main")
    last = db.session.scalar(sa.select(sa.func.max(AuditEntry.id)))
    db.session.execute(sa.delete(AuditEntry).where(AuditEntry.id == last))
    db.session.commit()
    page = seen(_page(client, world.conference.id), "main")
    assert f"Chain broken at entry {last}" in page
    assert "an entry verified earlier is missing or was changed" in page
