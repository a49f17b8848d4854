"""The append-only, hash-chained audit log.

Each entry's hash covers its own fields and the previous entry's hash, so deleting or editing
an entry breaks every link after it; ``verify_chain`` finds the first broken one. Service
functions call ``record`` inside their own transaction, so an entry exists if and only if the
change it describes was committed. Never pass a secret ballot's choice in ``details``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from resolutions.extensions import db
from resolutions.models import AuditCheckpoint, AuditEntry, User, utcnow

GENESIS = "0" * 64


def _digest(entry: AuditEntry) -> str:
    payload = json.dumps(
        [
            entry.prev_hash,
            entry.conference_id,
            entry.actor_id,
            entry.actor_name,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.details,
            entry.created_at.isoformat(timespec="microseconds"),
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def unchanged(entry: AuditEntry) -> bool:
    """Whether ``entry`` still matches its own hash (the page checks every entry it shows)."""
    return _digest(entry) == entry.entry_hash


def _lock_chain() -> None:
    # PostgreSQL: serialise appenders for the rest of the transaction. SQLite serialises
    # writers by itself. The unique prev_hash is the backstop on both.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(727274)"))


def record(
    action: str,
    *,
    actor: User | None,
    conference_id: int | None = None,
    obj: Any = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry to the log in the current transaction (flushes, does not commit)."""
    _lock_chain()
    last = db.session.scalar(sa.select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()))
    entry = AuditEntry(
        conference_id=conference_id,
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.name if actor is not None else "",
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=getattr(obj, "id", None) if obj is not None else None,
        details=json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str),
        created_at=utcnow(),
        prev_hash=last or GENESIS,
    )
    entry.entry_hash = _digest(entry)
    db.session.add(entry)
    db.session.flush()
    return entry


def head_hash() -> str:
    """The full hash of the chain's newest entry (``GENESIS`` for an empty log)."""
    last = db.session.scalar(sa.select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()))
    return last or GENESIS


def short_digest(entry_hash: str) -> str:
    """A head hash as people read it aloud or copy from paper: 16 hex digits in groups of 4."""
    head = entry_hash[:16]
    return "-".join(head[i : i + 4] for i in range(0, 16, 4))


def head_digest() -> str:
    """The chain's current head in its short, readable form (printed on documents)."""
    return short_digest(head_hash())


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None  # id of the first entry whose link or hash is wrong
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(after_id: int = 0, after_hash: str = GENESIS, checked: int = 0) -> ChainReport:
    """Walk the log in order and report the first entry that does not chain.

    By default from the first entry; ``after_id``/``after_hash`` start after an entry already
    verified (``checked`` entries up to it), so only the newer ones are read.
    """
    prev = after_hash
    query = sa.select(AuditEntry).where(AuditEntry.id > after_id).order_by(AuditEntry.id)
    # Streamed a thousand at a time; closed on every way out (a server-side cursor on PG).
    entries = db.session.scalars(query.execution_options(yield_per=1000))
    try:
        for entry in entries:
            if entry.prev_hash != prev:
                return ChainReport(checked, entry.id, "previous entry missing or changed")
            if _digest(entry) != entry.entry_hash:
                return ChainReport(checked, entry.id, "entry changed after it was written")
            prev = entry.entry_hash
            checked += 1
    finally:
        entries.close()
    return ChainReport(checked, None)


@dataclass(frozen=True)
class CheckedChain:
    """The chain's state as the audit page shows it, from the remembered verifications."""

    report: ChainReport
    head: str  # the newest entry's hash
    verified_at: datetime  # when this result was reached
    full_at: datetime | None  # the last walk from the first entry


def _save_checkpoint(report: ChainReport, head_id: int, head: str, *, full: bool) -> None:
    db.session.add(
        AuditCheckpoint(
            entry_id=head_id,
            entry_hash=head,
            checked=report.checked,
            full=full,
            broken_at=report.broken_at,
            reason=report.reason,
            verified_at=utcnow(),
        )
    )
    db.session.flush()


def _newest() -> tuple[int, str]:
    row = db.session.execute(
        sa.select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def verify_and_remember() -> ChainReport:
    """Walk the whole chain (``flask audit-verify``) and remember the result (flushes)."""
    head_id, head = _newest()
    report = verify_chain()
    _save_checkpoint(report, head_id, head, full=True)
    return report


def checked_chain() -> CheckedChain:
    """The chain's state without walking it all on every view (flushes a new checkpoint).

    From the latest checkpoint: the entry it ended at must still carry its hash, and only the
    entries after it are read. A break once found stays reported until a full walk
    (``flask audit-verify``) finds the chain whole again. What this does not see between full
    walks: a change to an entry older than the latest checkpoint's own entry.
    """
    last = db.session.scalar(sa.select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()))
    full_at = db.session.scalar(
        sa.select(sa.func.max(AuditCheckpoint.verified_at)).where(AuditCheckpoint.full)
    )
    head_id, head = _newest()
    if last is not None and last.broken_at is not None:
        report = ChainReport(last.checked, last.broken_at, last.reason)
        return CheckedChain(report, head, last.verified_at, full_at)
    if last is not None and last.entry_id == head_id and last.entry_hash == head:
        report = ChainReport(last.checked, None)
        return CheckedChain(report, head, last.verified_at, full_at)
    if last is None:
        report = verify_chain()
        full = True
    else:
        kept = last.entry_id == 0 or (
            db.session.scalar(
                sa.select(AuditEntry.entry_hash).where(AuditEntry.id == last.entry_id)
            )
            == last.entry_hash
        )
        if kept:
            report = verify_chain(last.entry_id, last.entry_hash, last.checked)
        else:
            report = ChainReport(last.checked, last.entry_id, "verified entry missing or changed")
        full = False
    _save_checkpoint(report, head_id, head, full=full)
    now = utcnow()
    return CheckedChain(report, head, now, now if full else full_at)


# A head as printed ("abcd-ef01-2345-6789", dashes optional) or in full (64 hex digits).
_DIGEST = re.compile(r"[0-9a-f]{16}|[0-9a-f]{64}")


def parse_digest(text: str) -> str:
    """The hex digits a printed head stands for; ``ValueError`` when ``text`` is not one."""
    digits = re.sub(r"[\s-]", "", text).lower()
    if not _DIGEST.fullmatch(digits):
        raise ValueError(text)
    return digits


@dataclass(frozen=True)
class HeadReport:
    """Whether a head published earlier still stands in the chain, unchanged and in place."""

    digest: str
    chain: ChainReport
    head_id: int | None  # the entry the head names (0: the empty log); None: no such entry
    later: int = 0  # entries appended after it

    @property
    def ok(self) -> bool:
        return self.chain.ok and self.head_id is not None


def verify_head(digest: str) -> HeadReport:
    """Verify the whole chain and find the entry whose hash begins with ``digest``.

    A chain cut back to before that entry (the last entries deleted) no longer holds it, and a
    chain rewritten at or before it (an entry changed and every later hash recomputed) gives it
    another hash: either way no entry carries the published head and the report fails. Entries
    appended after the head leave it in place. Changes *after* the head are caught only by the
    links themselves (``verify_chain``) or by a head published later.
    """
    digits = parse_digest(digest)
    chain = verify_chain()
    if GENESIS.startswith(digits):
        return HeadReport(digest, chain, 0, chain.checked)
    head_id = db.session.scalar(
        sa.select(AuditEntry.id).where(AuditEntry.entry_hash.startswith(digits, autoescape=True))
    )
    later: int | None = 0
    if head_id is not None:
        later = db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.id > head_id)
        )
    return HeadReport(digest, chain, head_id, later or 0)
