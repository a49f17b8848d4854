"""PostgreSQL's own files: a secret poll leaves nothing in the write-ahead log that links a voter
to a choice, a close does not give up when someone holds the ballot box open, and a ballot box
lost in a crash voids its poll visibly.

The WAL check reads every record written since just before the poll opened with
``pg_waldump`` (run as root here and in CI, so the data directory is readable) and pairs
records by transaction id, as someone holding a WAL archive, a base backup or a replica would.
"""

from __future__ import annotations

import os
import random
import re
import secrets
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from resolutions import create_app
from resolutions.errors import DomainError
from resolutions.extensions import db
from resolutions.models import (
    BallotKind,
    Choice,
    Conference,
    ConferenceState,
    Participant,
    Poll,
    PollState,
    PollSubject,
    Role,
    User,
    utcnow,
)
from resolutions.voting import service
from resolutions.voting.service.secrecy import box_name
from tests import servers
from tests.objects.app import sign_in, url_path
from tests.objects.voting import own_postgres_database

PG_WALDUMP = Path("/usr/lib/postgresql/15/bin/pg_waldump")
VOTERS = 24
RECORD = re.compile(r"^rmgr: (?P<rmgr>\S+)\s+len .*?tx:\s+(?P<xid>\d+), lsn: (?P<lsn>\S+),")
RELATION = re.compile(r"\brel (\d+)/(\d+)/(\d+)")
STORAGE_PATH = re.compile(r"base/(\d+)/(\d+)")


@pytest.fixture
def pg_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on a PostgreSQL database of its own (own relations, own database oid)."""
    with own_postgres_database("wal") as url:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret",
                "SQLALCHEMY_DATABASE_URI": url,
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_STORAGE_URI": "memory://",
                "SERVER_NAME": "localhost",
                "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "no-catalogues"),
            }
        )
        with app.app_context():
            db.create_all()
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()


@dataclass
class Sitting:
    conference: Conference
    chair: Participant
    delegates: list[Participant]
    poll: Poll
    choices: dict[int, Choice] = field(default_factory=dict)


def seat(voters: int = VOTERS) -> Sitting:
    """A secret procedural poll, prepared (not open), with ``voters`` present delegates."""
    conference = Conference(
        title="WAL Sitting",
        short_name="WAL",
        start_date=date(2026, 11, 30),
        state=ConferenceState.VOTING,
        ballot_kind=BallotKind.SECRET,
    )
    db.session.add(conference)
    db.session.flush()

    def member(number: int, role: Role) -> Participant:
        user = User(email=f"p{number}@wal.example", name=f"Person {number}")
        db.session.add(user)
        db.session.flush()
        participant = Participant(
            conference_id=conference.id,
            user_id=user.id,
            role=role,
            voting_right=True,
            weight=1 + number % 3,
            present=True,
            checked_in_at=utcnow(),
            card_token=secrets.token_urlsafe(8),
        )
        db.session.add(participant)
        db.session.flush()
        return participant

    chair = member(0, Role.CHAIR)
    delegates = [member(n, Role.DELEGATE) for n in range(1, voters + 1)]
    poll = service.create_poll(
        conference, chair, subject=PollSubject.PROCEDURAL, title="Shall the motion pass?"
    )
    db.session.commit()
    return Sitting(conference, chair, delegates, poll)


def cast_all(sitting: Sitting) -> None:
    rng = random.Random(7)
    for delegate in sitting.delegates:
        choice = rng.choice(list(Choice))
        sitting.choices[delegate.id] = choice
        service.cast_ballot(sitting.poll.id, delegate, choice)


def scalar(sql: str, **params: object) -> object:
    return db.session.execute(sa.text(sql), params).scalar_one()


# --- the write-ahead log ---------------------------------------------------------------------


@dataclass
class WalRecord:
    rmgr: str
    xid: int
    relations: set[int]  # relfilenodes of this database the record touches
    text: str


def read_wal(start_lsn: str, end_lsn: str, database_oid: int) -> list[WalRecord]:
    """Every WAL record between the two positions, as ``pg_waldump`` prints it."""
    admin = sa.create_engine(servers.postgres_url())
    try:
        with admin.connect() as connection:
            data_directory = connection.execute(sa.text("SHOW data_directory")).scalar_one()
    finally:
        admin.dispose()
    completed = subprocess.run(
        [str(PG_WALDUMP), "-p", f"{data_directory}/pg_wal", "-s", start_lsn, "-e", end_lsn],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    records = []
    for line in completed.stdout.splitlines():
        if line.startswith("first record is after"):
            # pg_waldump's note when the start position falls inside a page header.
            continue
        match = RECORD.match(line)
        assert match, line
        relations = {
            int(n) for _, db_oid, n in RELATION.findall(line) if int(db_oid) == database_oid
        }
        relations |= {
            int(n) for db_oid, n in STORAGE_PATH.findall(line) if int(db_oid) == database_oid
        }
        records.append(WalRecord(match["rmgr"], int(match["xid"]), relations, line))
    return records


@pytest.fixture
def wal_kept() -> Iterator[None]:
    """A physical replication slot that reserves WAL at once, so that no checkpoint recycles
    a segment this test still has to read (other tests write to the same cluster)."""
    name = f"voting_wal_{os.getpid()}_{secrets.token_hex(3)}"
    admin = sa.create_engine(servers.postgres_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            sa.text("SELECT pg_create_physical_replication_slot(:name, true)"), {"name": name}
        )
    try:
        yield
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text("SELECT pg_drop_replication_slot(:name)"), {"name": name})
        admin.dispose()


def test_no_wal_record_pairs_a_voter_with_a_choice(pg_app, wal_kept):
    assert PG_WALDUMP.exists(), "Debian's postgresql-15 package ships pg_waldump"
    sitting = seat()
    database_oid = int(scalar("SELECT oid FROM pg_database WHERE datname = current_database()"))
    vote_record = int(scalar("SELECT pg_relation_filenode('vote_record')"))
    ballot_choice = int(scalar("SELECT pg_relation_filenode('ballot_choice')"))
    db.session.commit()
    start = str(scalar("SELECT pg_current_wal_lsn()"))
    db.session.commit()

    service.open_poll(sitting.poll, sitting.chair)
    db.session.commit()
    box = int(scalar("SELECT pg_relation_filenode(:name)", name=box_name(sitting.poll.id)))
    db.session.commit()
    cast_all(sitting)
    poll = db.session.get(Poll, sitting.poll.id)
    service.close_poll(poll, sitting.chair)
    db.session.commit()  # the box is dropped after this commit
    assert scalar("SELECT to_regclass(:name) IS NULL", name=box_name(poll.id))
    end = str(scalar("SELECT pg_current_wal_lsn()"))
    db.session.commit()

    # The sitting happened as cast.
    weights = {choice: 0 for choice in Choice}
    for delegate in sitting.delegates:
        weights[sitting.choices[delegate.id]] += delegate.weight
    poll = db.session.get(Poll, sitting.poll.id)
    assert (poll.yes_weight, poll.no_weight, poll.abstain_weight) == (
        weights[Choice.YES],
        weights[Choice.NO],
        weights[Choice.ABSTAIN],
    )
    assert poll.ballots_cast == VOTERS

    records = read_wal(start, end, database_oid)
    by_xid: dict[int, set[int]] = defaultdict(set)
    for record in records:
        if record.xid:
            by_xid[record.xid] |= record.relations

    # The dump covers the casts: every voter's "has voted" row is there, each in its own
    # transaction (so the check below is able to see a pairing if there is one).
    voter_xids = {xid for xid, relations in by_xid.items() if vote_record in relations}
    assert len(voter_xids) >= VOTERS
    # And the closing transaction's unit rows of the tally are there too.
    assert any(ballot_choice in relations for relations in by_xid.values())

    # No record holds a block of the ballot box: its rows never reached the WAL (only the
    # creation of its empty file and its removal are logged, and they carry no data).
    box_records = [r for r in records if box in r.relations]
    assert box_records, "the box's creation is logged: the check can see the relation"
    holding_data = [r.text for r in box_records if r.rmgr not in ("Storage", "Transaction")]
    assert not holding_data, holding_data[:3]
    assert not [r.text for r in box_records if f"rel 1663/{database_oid}/{box} " in r.text]

    # No transaction that wrote a "has voted" row wrote anything that bears a choice.
    for xid in voter_xids:
        assert not by_xid[xid] & {box, ballot_choice}, f"transaction {xid} pairs voter and choice"


# --- close under a reader, and a lost box --------------------------------------------------


def test_close_succeeds_while_another_transaction_holds_the_box_open(pg_app):
    sitting = seat(voters=6)
    service.open_poll(sitting.poll, sitting.chair)
    db.session.commit()
    cast_all(sitting)
    name = box_name(sitting.poll.id)

    reader = db.engine.connect()
    transaction = reader.begin()
    try:
        # An open transaction that read the box: it holds a lock that a table rewrite or a
        # DROP would have to wait for.
        assert reader.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one() > 6
        poll = db.session.get(Poll, sitting.poll.id)
        service.close_poll(poll, sitting.chair)
        db.session.commit()
        poll = db.session.get(Poll, sitting.poll.id)
        assert poll.state == PollState.CLOSED and poll.ballots_cast == 6
        # The box's rows were deleted by the closing transaction, whatever the reader holds.
        with db.engine.connect() as other:
            assert other.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one() == 0
    finally:
        transaction.rollback()
        reader.close()
    # Once the reader lets go, the next sweep (any later open, close or cancel) drops it.
    service.drop_ballot_boxes(db.engine)
    assert scalar("SELECT to_regclass(:name) IS NULL", name=name)


def test_a_ballot_box_lost_in_a_crash_voids_the_poll_visibly(pg_app):
    sitting = seat(voters=4)
    service.open_poll(sitting.poll, sitting.chair)
    db.session.commit()
    service.cast_ballot(sitting.poll.id, sitting.delegates[0], Choice.YES)
    # What PostgreSQL's crash recovery does to an unlogged table: back to its empty init fork.
    db.session.execute(sa.text(f"TRUNCATE {box_name(sitting.poll.id)}"))
    db.session.commit()

    with pytest.raises(DomainError, match="void"):
        service.cast_ballot(sitting.poll.id, sitting.delegates[1], Choice.NO)

    chair = sign_in(pg_app.test_client(), sitting.chair)
    answer = chair.post(
        url_path("voting.close_poll", conference_id=sitting.conference.id, poll_id=sitting.poll.id),
        data={},
        follow_redirects=True,
    )
    page = answer.get_data(as_text=True)
    assert "void" in page and "again" in page
    db.session.expire_all()
    poll = db.session.get(Poll, sitting.poll.id)
    assert poll.state == PollState.CANCELLED
    assert poll.outcome is None and poll.yes_weight is None
    assert "void" in (poll.cancel_reason or "").lower()
    assert scalar("SELECT to_regclass(:name) IS NULL", name=box_name(poll.id))
