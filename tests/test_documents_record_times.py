"""The voting record gives each poll's opening and closing in the conference's time zone, and
its CSV opens in columns in Russian Excel (semicolons, BOM)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC

from tests.documents_support import flat, pdf_text, save_pngs
from tests.objects.app import url_path
from tests.objects.documents import hold_sitting


def _local(moment, zone):
    return moment.replace(tzinfo=UTC).astimezone(zone)


def test_record_pdf_gives_opening_and_closing_in_the_conference_zone(db, world, as_user):
    world.conference.timezone = "Asia/Bishkek"  # UTC+6, no summer time
    sitting = hold_sitting(world)
    db.session.commit()
    answer = as_user(world.chair).get(
        url_path("documents.record_pdf", conference_id=world.conference.id, lang="en")
    )
    assert answer.status_code == 200
    save_pngs(answer.data, "voting-record-times")
    text = flat(pdf_text(answer.data))
    assert "Times of opening and closing in Asia/Bishkek (UTC+06:00)." in text
    zone = world.conference.zone
    poll = sitting.polls["a1"]
    opened, closed = _local(poll.opened_at, zone), _local(poll.closed_at, zone)
    assert f"Opened {opened.day} " in text
    assert f"{opened:%H:%M}" in text and f"{closed:%H:%M}" in text
    assert not re.search(r"\bUTC\b(?!\+)", text)


def test_russian_csv_is_semicolon_separated_with_a_bom_and_local_times(db, world, as_user):
    world.conference.timezone = "Europe/Moscow"
    sitting = hold_sitting(world)
    db.session.commit()
    client = as_user(world.chair)
    answer = client.get(
        url_path("documents.record_csv", conference_id=world.conference.id, lang="ru")
    )
    assert answer.status_code == 200
    assert answer.data.startswith("\ufeff".encode())
    text = answer.data.decode("utf-8-sig")
    header = text.splitlines()[0]
    assert header.count(";") == 22 and "," not in header
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert all(len(row) == 23 for row in rows)
    poll = sitting.polls["a1"]
    opened = _local(poll.opened_at, world.conference.zone)
    first = next(row for row in rows[1:] if row[3] == poll.title)
    assert f"{opened:%Y-%m-%d %H:%M}" in first
    assert "Opened (Europe/Moscow)" in rows[0]
    # English keeps the comma.
    english = client.get(
        url_path("documents.record_csv", conference_id=world.conference.id, lang="en")
    )
    assert english.data.decode("utf-8-sig").splitlines()[0].count(",") == 22
