"""A second import updates people matched by e-mail, after a preview of what changes.

Also: Windows-1251 files, the chair's vote as an explicit choice, the removal option, the
sample files, and a Hypothesis round trip through the writer and the parser.
"""

from __future__ import annotations

import io
import json
import re

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from resolutions.conferences import csv_import
from resolutions.models import AuditEntry, Participant, Role, User
from tests.objects.app import url_path

FIRST = (
    "\ufeffимя;почта;организация;страна;делегация;роль;вес\n"
    "Айгерим Нурланова;aigerim@example.org;Профсоюз горняков;Казахстан;Казахстан;делегат;2\n"
    "Бакыт Осмонов;bakyt@example.org;Центр;Кыргызстан;Кыргызстан;председатель;1\n"
    "Ольга Смирнова;olga@example.org;Открытый диалог;;;наблюдатель;\n"
)


def _upload(client, world, content: bytes, **options):
    data = {"file": (io.BytesIO(content), "list.csv"), "upload": "Check the file"}
    data.update({k: "y" for k, v in options.items() if v})
    return client.post(
        url_path("conferences.participants_import", conference_id=world.conference.id),
        data=data,
        content_type="multipart/form-data",
    )


def _payload(html: str) -> str:
    match = re.search(r'name="payload" type="hidden" value="([^"]+)"', html)
    assert match, "no signed payload in the preview"
    return match.group(1)


def _import(client, world, content: bytes, **options) -> str:
    preview = _upload(client, world, content, **options)
    assert preview.status_code == 200, preview.get_data(as_text=True)
    html = preview.get_data(as_text=True)
    done = client.post(
        url_path("conferences.participants_import", conference_id=world.conference.id),
        data={"payload": _payload(html), "confirm": "Import the participants"},
    )
    assert done.status_code == 302
    return html


def _count(html: str, kind: str) -> int:
    return int(re.search(rf'data-count="{kind}">(\d+)<', html).group(1))


def _person(db, email: str) -> Participant:
    return db.session.scalar(sa.select(Participant).join(User).where(User.email == email))


def _snapshot(db, world) -> list[tuple]:
    rows = db.session.execute(
        sa.select(
            User.email,
            User.name,
            Participant.role,
            Participant.organisation,
            Participant.country,
            Participant.delegation,
            Participant.voting_right,
            Participant.weight,
        )
        .join(Participant.user)
        .where(Participant.conference_id == world.conference.id)
        .order_by(User.email)
    )
    return [tuple(r) for r in rows]


def test_the_same_file_twice_changes_nothing(db, world, as_user):
    client = as_user(world.secretariat)
    _import(client, world, FIRST.encode())
    before = _snapshot(db, world)
    audit_before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    again = _upload(client, world, FIRST.encode())
    html = again.get_data(as_text=True)
    assert (_count(html, "added"), _count(html, "changed"), _count(html, "unchanged")) == (0, 0, 3)
    assert "there is nothing to import" in html
    assert 'name="payload"' not in html
    assert _snapshot(db, world) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == audit_before


def test_an_updated_file_previews_old_and_new_values_then_applies_them(db, world, as_user):
    client = as_user(world.secretariat)
    _import(client, world, FIRST.encode())
    updated = FIRST.replace(
        "Профсоюз горняков;Казахстан;Казахстан;делегат;2",
        "Профсоюз горняков;Казахстан;Астана;делегат;5",
    )
    updated = updated.replace(
        "Ольга Смирнова;olga@example.org;Открытый диалог;;;наблюдатель;",
        "Ольга Смирнова;olga@example.org;Открытый диалог;;;делегат;",
    )
    updated += "Тимур Ахмедов;timur@example.org;;Таджикистан;;;\n"
    preview = _upload(client, world, updated.encode())
    html = preview.get_data(as_text=True)
    assert (_count(html, "added"), _count(html, "changed"), _count(html, "unchanged")) == (1, 2, 1)
    assert re.search(r"Delegation:</span> <del>Казахстан</del> → <ins>Астана</ins>", html)
    assert re.search(r"Vote weight:</span> <del>2</del> → <ins>5</ins>", html)
    assert "Voting right:</span> <del>no</del> → <ins>yes</ins>" in html
    assert _person(db, "aigerim@example.org").weight == 2  # the preview saved nothing
    client.post(
        url_path("conferences.participants_import", conference_id=world.conference.id),
        data={"payload": _payload(html), "confirm": "Import the participants"},
    )
    aigerim, olga = _person(db, "aigerim@example.org"), _person(db, "olga@example.org")
    assert (aigerim.delegation, aigerim.weight) == ("Астана", 5)
    assert (olga.role, olga.voting_right) == (Role.DELEGATE, True)
    assert _person(db, "timur@example.org").country == "Таджикистан"
    entry = db.session.scalar(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "participants.imported")
        .order_by(AuditEntry.id.desc())
    )
    details = json.loads(entry.details)
    assert (details["count"], details["updated"], details["removed"]) == (1, 2, 0)


def test_columns_left_out_keep_what_participants_have(db, world, as_user):
    client = as_user(world.secretariat)
    _import(client, world, FIRST.encode())
    only_names = (
        "имя;почта\nАйгерим Нурланова;aigerim@example.org\nБакыт Осмонов;bakyt@example.org\n"
    )
    html = _upload(client, world, only_names.encode()).get_data(as_text=True)
    assert (_count(html, "changed"), _count(html, "unchanged")) == (0, 2)


def test_the_chair_votes_only_when_the_form_says_so(db, world, as_user):
    client = as_user(world.secretariat)
    html = _import(client, world, FIRST.encode())
    assert "no vote" in html
    assert _person(db, "bakyt@example.org").voting_right is False
    html = _upload(client, world, FIRST.encode(), chair_votes=True).get_data(as_text=True)
    assert _count(html, "changed") == 1
    assert "Voting right:</span> <del>no</del> → <ins>yes</ins>" in html


def test_a_voting_right_column_decides_per_person(db, world, as_user):
    client = as_user(world.secretariat)
    content = (
        "name;email;role;voting right\nC;c@example.org;chair;да\nD;d@example.org;delegate;нет\n"
    )
    _import(client, world, content.encode())
    assert _person(db, "c@example.org").voting_right is True
    assert _person(db, "d@example.org").voting_right is False
    bad = "name;email;role;vote\nO;o@example.org;observer;yes\nP;p@example.org;delegate;maybe\n"
    answer = _upload(client, world, bad.encode())
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "Only delegates and the chair can have a voting right." in html
    assert "is not yes or no" in html


def test_removal_is_an_explicit_choice_and_spares_the_secretariat_and_voters(db, world, as_user):
    client = as_user(world.secretariat)
    _import(client, world, FIRST.encode())
    shorter = "\n".join(FIRST.splitlines()[:2]) + "\n"  # only Aigerim stays in the file
    html = _upload(client, world, shorter.encode()).get_data(as_text=True)
    assert _count(html, "removed") == 0
    html = _upload(client, world, shorter.encode(), remove_missing=True).get_data(as_text=True)
    # Bakyt, Olga and the world's chair, delegates and observer go; the secretariat stays.
    assert _count(html, "removed") == 2 + 1 + 3 + 1
    assert "secretariat members are removed by hand" in html
    client.post(
        url_path("conferences.participants_import", conference_id=world.conference.id),
        data={"payload": _payload(html), "confirm": "Import the participants"},
    )
    emails = {row[0] for row in _snapshot(db, world)}
    assert emails == {"aigerim@example.org", world.secretariat.user.email}


def test_a_change_between_preview_and_confirm_refuses_the_import(db, world, as_user):
    client = as_user(world.secretariat)
    _import(client, world, FIRST.encode())
    changed = FIRST.replace(";2\n", ";3\n")
    html = _upload(client, world, changed.encode()).get_data(as_text=True)
    person = _person(db, "aigerim@example.org")
    person.weight = 4
    db.session.commit()
    answer = client.post(
        url_path("conferences.participants_import", conference_id=world.conference.id),
        data={"payload": _payload(html), "confirm": "Import the participants"},
    )
    assert answer.status_code == 409
    assert "have changed since the preview" in answer.get_data(as_text=True)
    assert _person(db, "aigerim@example.org").weight == 4


def test_demoting_every_secretariat_member_is_refused(db, world, as_user):
    client = as_user(world.secretariat)
    content = f"name;email;role\nSec Retary;{world.secretariat.user.email};delegate\n"
    answer = _upload(client, world, content.encode())
    assert answer.status_code == 422
    assert "no secretariat member" in answer.get_data(as_text=True)


def test_a_windows_1251_file_is_detected_and_named(db, world, as_user):
    client = as_user(world.secretariat)
    content = FIRST.lstrip("\ufeff").encode("cp1251")
    html = _import(client, world, content)
    assert "Encoding: Windows-1251." in html
    assert _person(db, "aigerim@example.org").user.name == "Айгерим Нурланова"
    assert _person(db, "olga@example.org").organisation == "Открытый диалог"


def test_decode_names_each_encoding():
    text = "имя;почта\nЁлка «Ель»;e@example.org\n"
    assert csv_import.decode(text.encode("utf-8")) == (text, "UTF-8")
    assert csv_import.decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "UTF-8 (BOM)")
    assert csv_import.decode(text.encode("cp1251")) == (text, "Windows-1251")


def test_samples_open_in_russian_excel_and_import_as_they_are(db, world, as_user):
    client = as_user(world.secretariat)
    for language, chair_name in (("ru", "Бакыт Осмонов"), ("en", "Bakyt Osmonov")):
        answer = client.get(f"/c/{world.conference.id}/participants/import/sample-{language}.csv")
        assert answer.status_code == 200
        assert answer.headers["Content-Type"].startswith("text/csv")
        data = answer.data
        assert data.startswith(b"\xef\xbb\xbf")
        header = data.decode("utf-8-sig").splitlines()[0]
        assert header.count(";") == len(csv_import.COLUMNS) - 1
        parsed = csv_import.parse(csv_import.decode(data)[0])
        assert parsed.ok, parsed.errors
        assert parsed.rows[1].name == chair_name
        assert parsed.rows[1].role == Role.CHAIR and parsed.rows[1].voting_right is False
    assert "имя;почта;организация" in client.get(
        url_path(
            "conferences.participants_import_sample",
            conference_id=world.conference.id,
            language="ru",
        )
    ).data.decode("utf-8-sig")


# What names and organisations are written in: Latin and Cyrillic letters, digits, and the
# punctuation that needs quoting in CSV (the delimiter, quotes). All of it exists in cp1251.
_ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-'()\";«»№"
    + "".join(chr(c) for c in range(ord("А"), ord("я") + 1))
    + "Ёё"
)
_text = st.text(alphabet=_ALPHABET, max_size=30).map(str.strip)


@st.composite
def _people(draw):
    count = draw(st.integers(min_value=1, max_value=8))
    rows = []
    for i in range(count):
        role = draw(st.sampled_from(list(Role)))
        rows.append(
            {
                "name": draw(_text.filter(bool)),
                "email": f"person{i}@example.org",
                "organisation": draw(_text),
                "country": draw(_text),
                "delegation": draw(_text),
                "role": role,
                "weight": draw(st.integers(min_value=1, max_value=csv_import.MAX_WEIGHT)),
                "voting_right": draw(st.booleans())
                if role in (Role.CHAIR, Role.DELEGATE)
                else draw(st.sampled_from([False, None])),
            }
        )
    return rows


@settings(max_examples=150, deadline=None)
@given(rows=_people(), language=st.sampled_from(["ru", "en"]), cp1251=st.booleans())
def test_rows_survive_the_writer_and_the_parser(rows, language, cp1251):
    data = csv_import.write(rows, language)
    if cp1251:
        data = data.decode("utf-8-sig").encode("cp1251")
    text, _ = csv_import.decode(data)
    parsed = csv_import.parse(text)
    assert parsed.ok, parsed.errors
    assert parsed.columns == frozenset(csv_import.COLUMNS)
    assert len(parsed.rows) == len(rows)
    for original, row in zip(rows, parsed.rows, strict=True):
        assert row.name == original["name"]
        assert row.email == original["email"]
        assert (row.organisation, row.country, row.delegation) == (
            original["organisation"],
            original["country"],
            original["delegation"],
        )
        assert (row.role, row.weight, row.voting_right) == (
            original["role"],
            original["weight"],
            original["voting_right"],
        )
