"""The secret ballot's choice rows: written apart from the voter, rewritten and wiped at close.

*Secret ballot.* What must not exist is anything that links a voter to a choice. Decisions:

- A secret vote writes its "has voted" ``VoteRecord`` (no choice, no weight) and its
  ``BallotChoice`` rows in one transaction. A ``BallotChoice`` row has a random key, the poll,
  the choice and weight 1: a vote of weight 3 is three identical rows, because a row carrying
  an unusual weight would name the one delegate who has it.
- The choice never passes through SQLAlchemy's statement logging (``echo`` prints parameters):
  choice rows are written through the DBAPI cursor of the same connection and transaction.
  Audit entries never record casts at all (the ``VoteRecord`` is the record of who voted);
  opening and closing are audited with aggregate counts only. Error messages never name a
  choice, and a retry of a secret ballot is recognised by its idempotency key, never by
  comparing choices, which would need the link we refuse to store.
- While the poll is open, the database itself betrays the order of writes: on PostgreSQL each
  row carries the id of the transaction that wrote it (``xmin``, the same on the voter's
  ``VoteRecord`` and their choice rows) and the heap keeps insertion order (``ctid``); SQLite
  keeps ``ballot_choice`` without a rowid, ordered by the random key. So at close (and at
  cancel) the poll's choice rows are replaced: the counts are frozen on the poll, the rows
  deleted and the same number of fresh unit rows written by the closing transaction, every one
  with the same ``xmin``, new random keys and no order to read. After the commit,
  PostgreSQL's ``VACUUM FULL ballot_choice`` rewrites the table file so the deleted versions
  (which still carry each voter's transaction id) are gone; SQLite deletes with
  ``secure_delete`` so their bytes are zeroed. Rows are kept rather than dropped so that the
  frozen tally can be checked against them.

What this does not protect against, plainly: someone who reads the database (or its WAL,
backups or replicas) *while the poll is open*, or who changes the server's code or watches its
memory. ``VACUUM FULL`` is best effort: if it cannot get its lock in a few short tries it
is logged, and if another transaction of the database (an autoanalyze, a long report) still
sees the deleted versions it keeps them; either way they go with a later vacuum or close.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from resolutions.extensions import db
from resolutions.models import (
    BallotChoice,
    Choice,
)
from resolutions.models.voting import random_ballot_id

log = logging.getLogger(__name__)

_VACUUM = "voting_vacuum_ballots"  # Session.info flag: rewrite ballot_choice after the commit


def _insert_choice_units(poll_id: int, units: Sequence[tuple[Choice, int]]) -> None:
    """Write secret choice rows (weight 1 each) through the DBAPI cursor of the session's
    connection: same transaction, but nothing of it reaches SQLAlchemy's statement log."""
    rows = [(random_ballot_id(), poll_id, choice.value) for choice, n in units for _ in range(n)]
    if not rows:
        return
    connection = db.session.connection()
    mark = "?" if connection.dialect.name == "sqlite" else "%s"
    table = BallotChoice.__table__.name
    statement = (
        f"INSERT INTO {table} (id, poll_id, choice, weight) "  # noqa: S608 (constant names)
        f"VALUES ({mark}, {mark}, {mark}, 1)"
    )
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(statement, rows)
    finally:
        cursor.close()


def _erase_choice_rows(poll_id: int) -> None:
    """Delete the poll's choice rows so their old versions can be wiped (see the docstring)."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.text("PRAGMA secure_delete = ON"))
    db.session.execute(sa.delete(BallotChoice).where(BallotChoice.poll_id == poll_id))
    db.session.info[_VACUUM] = True


# --- wiping deleted choice rows after the commit ---------------------------------------------


@event.listens_for(Session, "after_commit")
def _vacuum_after_commit(session: Session) -> None:
    if not session.info.pop(_VACUUM, False):
        return
    try:
        engine = session.get_bind()
    except Exception:  # no bind: nothing to clean
        return
    if engine.dialect.name != "postgresql":
        return
    vacuum_ballot_choices(engine)


@event.listens_for(Session, "after_soft_rollback")
def _forget_vacuum(session: Session, previous_transaction: Any) -> None:
    if not session.in_transaction():
        session.info.pop(_VACUUM, None)


def vacuum_ballot_choices(engine: sa.Engine, attempts: int = 3) -> bool:
    """PostgreSQL: rewrite ``ballot_choice`` so deleted row versions (which carry the casting
    transactions' ids) leave the table file. Best effort, a few short tries for the lock (an
    autovacuum or a cast of another conference may hold it); True when it ran."""
    table = BallotChoice.__table__.name
    for attempt in range(1, attempts + 1):
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("SET lock_timeout = '2s'"))
                try:
                    connection.execute(sa.text(f"VACUUM FULL {table}"))
                finally:
                    connection.execute(sa.text("RESET lock_timeout"))
            return True
        except sa.exc.SQLAlchemyError as error:
            log.warning(
                "could not rewrite %s after closing a secret poll (try %d of %d): %s",
                table,
                attempt,
                attempts,
                type(getattr(error, "orig", error)).__name__,
            )
    return False
