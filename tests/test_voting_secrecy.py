"""A secret poll leaves nothing that links a voter to a choice: not in any table, not in the
logs (SQL echo included), not in the audit log, not in PostgreSQL's hidden columns or pages.

The strongest check runs the same sitting twice, with the same tally but the choices swapped
between voters of equal weight: after the close, every table of the database reads the same
(timestamps and random keys aside). Whatever the database holds, it cannot tell who chose what.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from resolutions import create_app
from resolutions.errors import DomainError
from resolutions.extensions import db as _db
from resolutions.models import (
    BallotKind,
    Choice,
    Conference,
    ConferenceState,
    Participant,
    Poll,
    PollSubject,
    Role,
    User,
    utcnow,
)
from resolutions.voting import attendance, service
from tests.objects.app import empty_tables, sign_in, url_path
from tests.objects.voting import own_postgres_database

CHOICE_VALUES = {c.value for c in Choice}
# How a choice would show in SQL echo parameters or a repr: 'yes', "no", Choice.ABSTAIN.
CHOICE_IN_TEXT = re.compile(r"""['"](?i:yes|no|abstain)['"]|Choice\.(YES|NO|ABSTAIN)""")
HEX_KEY = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class Sitting:
    conference: Conference
    chair: Participant
    delegates: list[Participant]
    poll: Poll


def seat_sitting() -> Sitting:
    """Fixed people (so that two runs write the same rows), weights 3, 2, 2, 1, 1, 1; the
    last delegate is absent and gives their vote to the first."""
    conference = Conference(
        title="Secret Sitting",
        short_name="SS",
        place="Bishkek",
        start_date=date(2026, 11, 30),
        state=ConferenceState.VOTING,
        ballot_kind=BallotKind.SECRET,
    )
    _db.session.add(conference)
    _db.session.flush()

    def member(email: str, name: str, role: Role, weight: int = 1) -> Participant:
        user = User(email=email, name=name)
        _db.session.add(user)
        _db.session.flush()
        participant = Participant(
            conference_id=conference.id,
            user_id=user.id,
            role=role,
            voting_right=role != Role.OBSERVER,
            weight=weight,
            card_token=secrets.token_urlsafe(8),
        )
        _db.session.add(participant)
        _db.session.flush()
        return participant

    chair = member("chair@example.org", "Chair Person", Role.CHAIR)
    delegates = [
        member(f"d{i}@example.org", f"Delegate {i}", Role.DELEGATE, weight)
        for i, weight in enumerate([3, 2, 2, 1, 1, 1], start=1)
    ]
    member("observer@example.org", "Obs Erver", Role.OBSERVER)
    for participant in (chair, *delegates[:5]):
        participant.present = True
        participant.checked_in_at = utcnow()
    _db.session.commit()
    attendance.give_proxy(delegates[5], delegates[0])
    poll = service.create_poll(
        conference, chair, subject=PollSubject.PROCEDURAL, title="Shall the motion pass?"
    )
    service.open_poll(poll, chair)
    _db.session.commit()
    return Sitting(conference, chair, delegates, poll)


def cast_over_http(app: Flask, sitting: Sitting, choices: dict[int, Choice]) -> None:
    """Each delegate votes from their own signed-in client; the first also for the absent
    sixth, whose proxy they hold. ``choices`` maps delegate number (1..5) to the choice."""
    for number in sorted(choices):
        voter = sitting.delegates[number - 1]
        data: dict[str, Any] = {
            "choice": choices[number].value,
            "idempotency_key": f"form-of-delegate-{number}",
        }
        if number == 1:
            data["for"] = [str(voter.id), str(sitting.delegates[5].id)]
        client = sign_in(app.test_client(), voter)
        answer = client.post(
            url_path("voting.cast", conference_id=sitting.conference.id, poll_id=sitting.poll.id),
            data=data,
            headers={"Accept": "application/json"},
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert answer.get_json()["ok"] is True
        assert not CHOICE_IN_TEXT.search(answer.get_data(as_text=True))


def close(sitting: Sitting) -> None:
    poll = _db.session.get(Poll, sitting.poll.id)
    service.close_poll(poll, sitting.chair)
    _db.session.commit()


# --- reading the whole database ------------------------------------------------------------


def reflect() -> sa.MetaData:
    metadata = sa.MetaData()
    metadata.reflect(bind=_db.engine)
    return metadata


def dump(metadata: sa.MetaData) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as read from the database (not through the models)."""
    with _db.engine.connect() as connection:
        return {
            name: [dict(row) for row in connection.execute(sa.select(table)).mappings()]
            for name, table in sorted(metadata.tables.items())
        }


MASKED = {
    ("ballot_choice", "id"),  # random by design
    ("participant", "card_token"),
    ("audit_entry", "prev_hash"),  # hashes cover timestamps
    ("audit_entry", "entry_hash"),
}


def masked(metadata: sa.MetaData, rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[str]]:
    """Rows with timestamps and random keys blanked, as sorted reprs (order is checked apart)."""
    out: dict[str, list[str]] = {}
    for name, table_rows in rows.items():
        table = metadata.tables[name]
        timeish = {
            c.name for c in table.columns if isinstance(c.type, sa.DateTime | sa.Date | sa.Time)
        }
        out[name] = sorted(
            repr(
                sorted(
                    (k, "*" if k in timeish or (name, k) in MASKED else v) for k, v in row.items()
                )
            )
            for row in table_rows
        )
    return out


def participant_columns(table: sa.Table) -> set[str]:
    """Columns that point at a person: foreign keys to participant or user."""
    return {
        column.name
        for column in table.columns
        for fk in column.foreign_keys
        if fk.column.table.name in ("participant", "user")
    }


def physical_order(table: str) -> list[str]:
    """The choices of ``ballot_choice`` in storage order (PostgreSQL: ctid; SQLite: the
    table's own order, which for a WITHOUT ROWID table is its key)."""
    with _db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            query = f"SELECT choice FROM {table} ORDER BY ctid"
        else:
            query = f"SELECT choice FROM {table}"
        return [row[0] for row in connection.execute(sa.text(query))]


def xmins(table: str) -> list[int]:
    with _db.engine.connect() as connection:
        return [int(r[0]) for r in connection.execute(sa.text(f"SELECT xmin::text FROM {table}"))]


# --- the tests ------------------------------------------------------------------------------


def scenario(app: Flask, choices: dict[int, Choice]) -> tuple[dict[str, list[str]], list[str]]:
    sitting = seat_sitting()
    cast_over_http(app, sitting, choices)
    close(sitting)
    metadata = reflect()
    return masked(metadata, dump(metadata)), physical_order("ballot_choice")


FIRST = {1: Choice.YES, 2: Choice.YES, 3: Choice.NO, 4: Choice.ABSTAIN, 5: Choice.NO}
# Delegates 2 and 3 (weight 2 each) and 4 and 5 (weight 1 each) swap their choices.
SWAPPED = {1: Choice.YES, 2: Choice.NO, 3: Choice.YES, 4: Choice.NO, 5: Choice.ABSTAIN}


def test_the_database_reads_the_same_whoever_chose_what(app):
    first, first_order = scenario(app, FIRST)
    _db.session.remove()
    empty_tables()
    second, second_order = scenario(app, SWAPPED)
    assert set(first) == set(second)
    for table in first:
        assert first[table] == second[table], f"table {table} depends on who chose what"
    if _db.engine.dialect.name == "postgresql":
        # The storage order of the rewritten rows is the same too.
        assert first_order == second_order
    else:
        # SQLite stores the table by its key, which is random: no order to read at all.
        with _db.engine.connect() as connection:
            by_key = connection.execute(sa.text("SELECT choice FROM ballot_choice ORDER BY id"))
            assert second_order == [row[0] for row in by_key]
        assert sorted(first_order) == sorted(second_order)
    # And the sitting really happened: 4 + 2 yes, 2 + 1 no, 1 abstain.
    poll = _db.session.scalar(sa.select(Poll))
    assert (poll.yes_weight, poll.no_weight, poll.abstain_weight) == (6, 3, 1)
    assert poll.ballots_cast == 6


def test_no_table_links_a_voter_to_a_choice(app, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # the SQL echo, parameters too
    sitting = seat_sitting()
    cast_over_http(app, sitting, FIRST)
    postgres = _db.engine.dialect.name == "postgresql"
    if postgres:
        # While the poll is open, the units sit in the poll's unlogged ballot box, and
        # PostgreSQL stamps each voter's "has voted" row and units with the same transaction
        # id: the documented limit that the close removes (this also shows the check below is
        # able to see a link). Nothing is in ballot_choice yet.
        box = service.box_name(sitting.poll.id)
        assert set(xmins(box)) & set(xmins("vote_record"))
        assert not _db.session.scalar(sa.text("SELECT count(*) FROM ballot_choice"))
        open_keys = set(_db.session.scalars(sa.text(f"SELECT nonce FROM {box}")))
    else:
        open_keys = set(_db.session.scalars(sa.text("SELECT id FROM ballot_choice")))
    _db.session.rollback()
    close(sitting)

    metadata = reflect()
    rows = dump(metadata)

    # The choice table: a random key, the poll, the choice, a unit weight. Nothing else.
    choice_table = metadata.tables["ballot_choice"]
    assert {c.name for c in choice_table.columns} == {"id", "poll_id", "choice", "weight"}
    assert {fk.column.table.name for fk in choice_table.foreign_keys} == {"poll"}
    assert not participant_columns(choice_table)
    assert not [c for c in choice_table.columns if isinstance(c.type, sa.DateTime | sa.Date)]
    ballots = rows["ballot_choice"]
    assert len(ballots) == 10  # weight 3 + 1 (proxy) + 2 + 2 + 1 + 1, one row per unit
    assert all(b["weight"] == 1 for b in ballots)
    assert all(HEX_KEY.match(b["id"]) for b in ballots)
    # No key written while voters' transactions were live survives the close.
    assert open_keys and open_keys.isdisjoint({b["id"] for b in ballots})
    if postgres:
        assert len(set(xmins("ballot_choice"))) == 1
        assert not set(xmins("ballot_choice")) & set(xmins("vote_record"))
        # The box is gone with the close.
        assert _db.session.scalar(sa.text("SELECT to_regclass(:b)"), {"b": box}) is None

    # The "has voted" rows hold no choice and no weight in a secret poll.
    records = rows["vote_record"]
    assert len(records) == 6
    assert all(r["choice"] is None and r["weight"] is None for r in records)

    # No row anywhere that names a person also holds a choice.
    for name, table in metadata.tables.items():
        people = participant_columns(table)
        for row in rows[name]:
            if any(row[c] is not None for c in people):
                values = {str(v) for v in row.values() if v is not None}
                assert not values & CHOICE_VALUES, (name, row)

    # The audit log records opening and closing with aggregates, never a ballot.
    actions = [entry["action"] for entry in rows["audit_entry"]]
    assert "poll.opened" in actions and "poll.closed" in actions
    assert not [a for a in actions if "ballot" in a or "cast" in a or "vote" in a]
    for entry in rows["audit_entry"]:
        assert not _json_mentions_choice(json.loads(entry["details"])), entry

    # Logs: the SQL echo was on (the "has voted" inserts are there) and no line shows a choice.
    messages = [record.getMessage() for record in caplog.records]
    assert any("INSERT INTO vote_record" in m for m in messages)
    leaking = [m for m in messages if CHOICE_IN_TEXT.search(m)]
    assert not leaking, leaking[:3]


def test_errors_do_not_name_the_choice(app):
    sitting = seat_sitting()
    cast_over_http(app, sitting, {2: Choice.ABSTAIN})
    voter = sitting.delegates[1]
    client = sign_in(app.test_client(), voter)
    for choice in Choice:
        answer = client.post(
            url_path("voting.cast", conference_id=sitting.conference.id, poll_id=sitting.poll.id),
            data={"choice": choice.value, "idempotency_key": "another-tab"},
            headers={"Accept": "application/json"},
        )
        assert answer.status_code == 409
        assert not CHOICE_IN_TEXT.search(answer.get_data(as_text=True))
        assert "abstain" not in answer.get_json()["message"].lower()


def test_a_secret_result_is_not_shown_while_the_poll_is_open(app):
    sitting = seat_sitting()
    cast_over_http(app, sitting, {1: Choice.YES})
    with pytest.raises(DomainError):
        service.poll_result(sitting.poll)


def _json_mentions_choice(value: Any) -> bool:
    if isinstance(value, dict):
        return any(k in CHOICE_VALUES or _json_mentions_choice(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_json_mentions_choice(v) for v in value)
    return isinstance(value, str) and value.lower() in CHOICE_VALUES


# --- PostgreSQL's pages: no voter's transaction in ballot_choice, and the box is gone -------


@pytest.fixture
def own_pg_database():
    """A database of its own, with autovacuum off on every table: the pages read below are
    exactly what the sitting wrote, whatever other test processes do."""
    with own_postgres_database("secrecy") as url:
        yield url


def test_postgres_pages_keep_no_trace_of_the_casting_transactions(own_pg_database, caplog):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": own_pg_database,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            "SERVER_NAME": "localhost",
        }
    )
    with app.app_context():
        _db.create_all()
        with _db.engine.begin() as connection:
            connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
            # An autoanalyze holds a snapshot that keeps deleted rows "recently dead" for a
            # moment; this test is about our rewrite, not the server's background timing.
            for table in _db.metadata.sorted_tables:
                connection.execute(
                    sa.text(f'ALTER TABLE "{table.name}" SET (autovacuum_enabled = off)')
                )
        try:
            sitting = seat_sitting()
            for number, choice in FIRST.items():
                ids = [sitting.delegates[0].id, sitting.delegates[5].id] if number == 1 else None
                service.cast_ballot(
                    sitting.poll.id,
                    sitting.delegates[number - 1],
                    choice,
                    for_participant_ids=ids,
                )
            box = service.box_name(sitting.poll.id)
            cast_keys = set(_db.session.scalars(sa.text(f"SELECT nonce FROM {box}")))
            cast_xids = set(xmins("vote_record"))
            _db.session.commit()
            # While open, the box's pages carry the casting transactions' ids (the check
            # sees them); ballot_choice has no page written by a voter's transaction.
            assert {x for x, _ in _page_tuples(box)} & cast_xids
            assert not _page_tuples("ballot_choice")
            close(sitting)  # commits; the box is emptied, then dropped after the commit

            tuples = _page_tuples("ballot_choice")
            assert len(tuples) == 10, [r.getMessage() for r in caplog.records]
            assert not {x for x, _ in tuples} & cast_xids
            raw = _raw_pages("ballot_choice") + _raw_pages("pk_ballot_choice")
            assert raw
            assert not [k for k in cast_keys if k.encode() in raw]
            assert _db.session.scalar(sa.text("SELECT to_regclass(:b)"), {"b": box}) is None
        finally:
            _db.session.remove()
            _db.engine.dispose()


def _page_tuples(relation: str) -> list[tuple[int, int]]:
    """(xmin, lp_flags) of every line pointer in every page of ``relation``, dead or alive."""
    with _db.engine.connect() as connection:
        pages = connection.execute(
            sa.text("SELECT pg_relation_size(:r) / current_setting('block_size')::int"),
            {"r": relation},
        ).scalar_one()
        found = []
        for page in range(pages):
            found += [
                (int(xmin), flags)
                for xmin, flags in connection.execute(
                    sa.text(
                        "SELECT t_xmin::text, lp_flags FROM "
                        "heap_page_items(get_raw_page(:r, :page)) "
                        "WHERE t_xmin IS NOT NULL"
                    ),
                    {"r": relation, "page": page},
                )
            ]
        return found


def _raw_pages(relation: str) -> bytes:
    with _db.engine.connect() as connection:
        pages = connection.execute(
            sa.text("SELECT pg_relation_size(:r) / current_setting('block_size')::int"),
            {"r": relation},
        ).scalar_one()
        return b"".join(
            bytes(
                connection.execute(
                    sa.text("SELECT get_raw_page(:r, :p)"), {"r": relation, "p": page}
                ).scalar_one()
            )
            for page in range(pages)
        )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the file is SQLite's
def test_sqlite_file_keeps_no_trace_of_the_casting_transactions(app):
    """After the close, the keys written while voters' transactions ran are gone from the
    SQLite file: the rewrite reuses and overwrites their pages, and the service also turns
    ``secure_delete`` on so that whatever is merely freed is zeroed. Checked with the build's
    default switched off, so that the result does not rest on Debian's compile options."""
    assert _db.engine.dialect.name == "sqlite"

    def plain_build(dbapi_connection: Any, record: Any) -> None:
        # Debian builds SQLite with secure_delete on; other builds do not.
        dbapi_connection.execute("PRAGMA secure_delete = OFF")

    _db.engine.dispose()
    sa.event.listen(_db.engine, "connect", plain_build)
    try:
        _check_sqlite_file(app)
    finally:
        sa.event.remove(_db.engine, "connect", plain_build)


def _check_sqlite_file(app: Flask) -> None:
    sitting = seat_sitting()
    cast_over_http(app, sitting, FIRST)
    cast_keys = set(_db.session.scalars(sa.text("SELECT id FROM ballot_choice")))
    _db.session.rollback()
    path = Path(_db.engine.url.database)
    assert all(k.encode() in path.read_bytes() for k in cast_keys)  # the check can see them
    close(sitting)
    _db.session.remove()
    _db.engine.dispose()
    data = path.read_bytes()
    assert not [k for k in cast_keys if k.encode() in data]
    assert not Path(f"{path}-journal").exists() and not Path(f"{path}-wal").exists()
