"""CSV import of participants: a preview, then all rows or none.

Updating by a second import, encodings, the removal option and the samples are in
``test_conferences_import_update.py``.
"""

from __future__ import annotations

import io
import json
import re
import time

import pytest
import sqlalchemy as sa

from resolutions.conferences import csv_import
from resolutions.models import AuditEntry, Participant, Role, User
from tests.objects.app import url_path

HEADER = "name,email,organisation,country,delegation,role,weight\n"


def _rows(n: int, start: int = 0) -> str:
    countries = ["Kazakhstan", "Kyrgyzstan", "Tajikistan", "Uzbekistan", "Armenia"]
    return "".join(
        f"Person {i:04d},person{i:04d}@example.org,Union {i % 7},{countries[i % 5]},"
        f"{countries[i % 5]},{'observer' if i % 10 == 0 else 'delegate'},{1 + i % 3}\n"
        for i in range(start, start + n)
    )


def _upload(client, world, content: bytes | str, filename: str = "people.csv"):
    if isinstance(content, str):
        content = content.encode()
    return client.post(
        url_path("conferences.participants_import", conference_id=world.conference.id),
        data={"file": (io.BytesIO(content), filename), "upload": "Check the file"},
        content_type="multipart/form-data",
    )


def _payload(html: str) -> str:
    match = re.search(r'name="payload" type="hidden" value="([^"]+)"', html) or re.search(
        r'id="payload" name="payload" type="hidden" value="([^"]+)"', html
    )
    assert match, "no signed payload in the preview"
    return match.group(1)


def _confirm(client, world, payload: str):
    return client.post(
        url_path("conferences.participants_import", conference_id=world.conference.id),
        data={"payload": payload, "confirm": "Import the participants"},
    )


def _participant_count(db, world) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Participant)
        .where(Participant.conference_id == world.conference.id)
    )


# --- parsing, no database --------------------------------------------------------------------


def test_parse_reads_english_headers_and_defaults():
    parsed = csv_import.parse(
        "Name,E-mail,Organisation,Country,Role,Weight\n"
        "Ana Ruiz,Ana@Example.org,Union,Armenia,,\n"
        "Bo Li,bo@example.org,,,observer,4\n"
    )
    assert parsed.ok
    first, second = parsed.rows
    assert (first.line, first.email, first.role, first.weight, first.delegation) == (
        2,
        "ana@example.org",
        Role.DELEGATE,
        1,
        "",
    )
    assert (second.role, second.weight) == (Role.OBSERVER, 4)


def test_parse_reads_russian_headers_roles_semicolons_and_bom():
    text = (
        "\ufeffФИО;Электронная почта;Организация;Страна;Делегация;Роль;Вес\n"
        "Айгерим Нурланова;aigerim@example.org;Профсоюз «Степь»;Казахстан;Казахстан;Делегат;3\n"
        "Тимур Председателев;timur@example.org;;;;председатель;1\n"
        "Ольга;olga@example.org;;;;секретариат;\n"
        "Ирина;irina@example.org;;;;наблюдатель;\n"
    )
    decoded, encoding = csv_import.decode(text.encode("utf-8"))
    assert encoding == "UTF-8 (BOM)"
    parsed = csv_import.parse(decoded)
    assert parsed.delimiter == ";"
    assert parsed.ok, parsed.errors
    assert [r.role for r in parsed.rows] == [
        Role.DELEGATE,
        Role.CHAIR,
        Role.SECRETARIAT,
        Role.OBSERVER,
    ]
    assert parsed.rows[0].organisation == "Профсоюз «Степь»"
    assert parsed.rows[0].weight == 3
    # With a byte-order mark the first header is still recognised.
    with_bom, _ = csv_import.decode(b"\xef\xbb\xbf" + b"name;email\nA;a@example.org\n")
    assert csv_import.parse(with_bom).rows[0].name == "A"


def test_parse_reports_every_bad_row_by_its_line():
    parsed = csv_import.parse(
        HEADER
        + "Good One,good@example.org,,,,delegate,1\n"  # line 2
        + ",noname@example.org,,,,delegate,1\n"  # 3: no name
        + "\n"  # 4: blank, skipped
        + "Bad Mail,not-an-address,,,,delegate,1\n"  # 5
        + "Who,who@example.org,,,,president,1\n"  # 6: unknown role
        + "Twice,GOOD@example.org,,,,delegate,1\n"  # 7: duplicate of line 2
        + "Zero,zero@example.org,,,,delegate,0\n"  # 8
        + "Half,half@example.org,,,,delegate,1.5\n"  # 9
    )
    assert [r.line for r in parsed.rows] == [2]
    by_line = {e.line: e.message for e in parsed.errors}
    assert sorted(by_line) == [3, 5, 6, 7, 8, 9]
    assert by_line[3] == "The name is missing."
    assert "not-an-address" in by_line[5]
    assert "Unknown role" in by_line[6] and "president" in by_line[6]
    assert "already on line 2" in by_line[7]
    assert "positive whole number" in by_line[8]
    assert "1.5" in by_line[9]


def test_quoted_fields_with_line_breaks_keep_line_numbers():
    parsed = csv_import.parse(
        'name,email,organisation\n"Ann",ann@example.org,"Two\nlines"\nBob,bad,\n'
    )
    assert parsed.rows[0].organisation == "Two\nlines"
    assert [e.line for e in parsed.errors] == [4]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"name,organisation\nA,B\n", "Missing: e-mail"),
        (b"name,email\n", "no participants"),
        (
            "name,email\n\u2020\u2021\u2122 \u2030\u2022,a@example.org\n".encode("cp1251"),
            "encoding",
        ),
        (b"name,email\n\x98\x98,a@example.org\n", "encoding"),
        ("name,email\nA,a@example.org\n".encode("utf-16-le"), "does not look like a CSV"),
        (b"name,email,e-mail\nA,a@example.org,a@example.org\n", "twice"),
    ],
)
def test_unreadable_files_are_refused_as_a_whole(content, message):
    with pytest.raises(csv_import.ImportFileError) as raised:
        csv_import.parse(csv_import.decode(content)[0])
    assert message in str(raised.value)


# --- through the pages -----------------------------------------------------------------------


def test_preview_then_confirm_imports_everyone(db, world, as_user):
    client = as_user(world.secretariat)
    assert (
        client.get(
            url_path("conferences.participants_import", conference_id=world.conference.id)
        ).status_code
        == 200
    )
    preview = _upload(client, world, HEADER + _rows(12))
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "Preview: nothing saved yet" in html
    assert 'data-count="added">12<' in html
    assert "person0011@example.org" in html.replace("<wbr>", "")  # it may wrap at "@" and "."
    assert _participant_count(db, world) == 6  # nothing saved by the preview

    done = _confirm(client, world, _payload(html))
    assert done.status_code == 302
    assert _participant_count(db, world) == 18
    p = db.session.scalar(
        sa.select(Participant).join(User).where(User.email == "person0003@example.org")
    )
    assert (p.role, p.weight, p.voting_right, p.country) == (Role.DELEGATE, 1, True, "Uzbekistan")
    observer = db.session.scalar(
        sa.select(Participant).join(User).where(User.email == "person0010@example.org")
    )
    assert (observer.role, observer.voting_right) == (Role.OBSERVER, False)
    assert "Import done: 12 added, 0 updated, 0 removed." in client.get(
        done.headers["Location"]
    ).get_data(as_text=True)


def test_three_bad_rows_save_nothing_and_name_the_three_lines(db, world, as_user):
    lines = _rows(20).splitlines()
    lines[4] = ",nobody@example.org,,,,delegate,1"  # file line 6: no name
    lines[9] = "Bad Mail,bad-at-example.org,,,,delegate,1"  # line 11
    lines[14] = "Weight,w@example.org,,,,delegate,-2"  # line 16
    client = as_user(world.secretariat)
    answer = _upload(client, world, HEADER + "\n".join(lines) + "\n")
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "3 lines have problems. Nothing has been saved." in html
    reported = [int(n) for n in re.findall(r"Line (\d+)</span>", html)]
    assert reported == [6, 11, 16]
    assert "The name is missing." in html
    assert "bad-at-example.org" in html
    assert 'name="payload"' not in html  # no way to confirm a file with errors
    assert _participant_count(db, world) == 6
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 6


def test_semicolons_bom_and_russian_through_the_page(db, world, as_user):
    content = (
        "\ufeffИмя;Почта;Страна;Роль;Вес\nДинара Абенова;dinara@example.org;Казахстан;делегат;2\n"
    )
    client = as_user(world.secretariat)
    html = _upload(client, world, content.encode("utf-8")).get_data(as_text=True)
    assert "Динара Абенова" in html
    assert _confirm(client, world, _payload(html)).status_code == 302
    p = db.session.scalar(
        sa.select(Participant).join(User).where(User.email == "dinara@example.org")
    )
    assert (p.user.name, p.country, p.weight) == ("Динара Абенова", "Казахстан", 2)


def test_duplicates_in_the_file_are_reported_and_existing_participants_are_not(db, world, as_user):
    content = (
        HEADER
        + "New Person,new@example.org,,,,,\n"
        + f"Already Here,{world.delegate.user.email},,,,,\n"
        + "Again,NEW@example.org,,,,,\n"
    )
    answer = _upload(as_user(world.secretariat), world, content)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert re.findall(r"Line (\d+)</span>", html) == ["4"]
    assert "already on line 2 of this file" in html
    assert _participant_count(db, world) == 6


def test_an_existing_account_is_reused(db, world, other_world, as_user):
    person = other_world.delegate.user
    client = as_user(world.secretariat)
    html = _upload(client, world, HEADER + f"Another Name,{person.email},,,,chair,1\n").get_data(
        as_text=True
    )
    assert _confirm(client, world, _payload(html)).status_code == 302
    assert len(person.participations) == 2
    assert person.name == other_world.delegate.user.name


def test_two_thousand_rows_in_one_transaction_and_one_audit_entry(db, world, as_user):
    client = as_user(world.secretariat)
    started = time.perf_counter()
    preview = _upload(client, world, HEADER + _rows(2000))
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert 'data-count="added">2000<' in html
    assert "… and 1800 more rows." in html
    done = _confirm(client, world, _payload(html))
    elapsed = time.perf_counter() - started
    assert done.status_code == 302
    assert _participant_count(db, world) == 2006
    entries = list(
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.conference_id == world.conference.id)
        )
    )
    assert [e.action for e in entries] == ["participants.imported"]
    details = json.loads(entries[0].details)
    assert (details["count"], details["new_accounts"], details["file"]) == (
        2000,
        2000,
        "people.csv",
    )
    tokens = db.session.scalars(
        sa.select(Participant.card_token).where(Participant.conference_id == world.conference.id)
    ).all()
    assert len(set(tokens)) == 2006
    assert elapsed < 10, f"import of 2,000 rows took {elapsed:.1f}s"
    listing = client.get(
        url_path("conferences.participants", conference_id=world.conference.id)
    ).get_data(as_text=True)
    assert "Total <strong>2006</strong>" in listing


def test_a_tampered_or_foreign_payload_is_refused(db, world, other_world, as_user):
    client = as_user(world.secretariat)
    payload = _payload(_upload(client, world, HEADER + _rows(2)).get_data(as_text=True))
    forged = payload[:-3] + ("AAA" if not payload.endswith("AAA") else "BBB")
    answer = _confirm(client, world, forged)
    assert answer.status_code == 400
    assert "The preview has expired" in answer.get_data(as_text=True)
    # A signed preview of one conference does not import into another.
    other = as_user(other_world.secretariat)
    assert _confirm(other, other_world, payload).status_code == 400
    assert _participant_count(db, world) == 6
    assert _participant_count(db, other_world) == 6


def test_someone_added_between_preview_and_confirm_stops_the_whole_import(db, world, as_user):
    client = as_user(world.secretariat)
    payload = _payload(_upload(client, world, HEADER + _rows(3)).get_data(as_text=True))
    client.post(
        url_path("conferences.participant_new", conference_id=world.conference.id),
        data={
            "name": "Person 0001",
            "email": "person0001@example.org",
            "role": "observer",
            "weight": "1",
        },
    )
    answer = _confirm(client, world, payload)
    assert answer.status_code == 409
    assert _participant_count(db, world) == 7


def test_a_file_error_is_shown_next_to_the_upload_field(world, as_user):
    answer = _upload(as_user(world.secretariat), world, b"nothing useful here\n")
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert 'id="file-error"' in html
    assert "Missing: name, e-mail" in html


def test_only_the_secretariat_imports(world, as_user):
    answer = _upload(as_user(world.chair), world, HEADER + _rows(1))
    assert answer.status_code == 403
