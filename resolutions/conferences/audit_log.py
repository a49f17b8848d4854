"""The conference's audit log as the secretariat reads it: filtered, a page at a time, in words.

A read model: one query for the page of entries, one for the names of the people they mention
(e-mails and participant ids resolved together), one each for the polls, amendments and
resolutions they are about, whatever the page holds. Labels and value words come from
``resolutions.audit_labels``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any

import sqlalchemy as sa

from resolutions import audit, audit_labels
from resolutions.audit_labels import DetailLine, Names
from resolutions.drafting.service import amendment_name
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AuditEntry,
    Conference,
    Participant,
    Poll,
    Resolution,
    User,
)

PER_PAGE = 100


@dataclass(frozen=True)
class AuditQuery:
    action: str = ""
    actor_id: int | None = None
    since: datetime | None = None  # naive UTC, inclusive
    before: datetime | None = None  # naive UTC, exclusive
    page: int = 1
    per_page: int = PER_PAGE


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    label: str
    when: datetime  # in the conference's time zone
    actor: str  # the name recorded with the entry; "" for the system
    subject: str  # what the entry is about (a poll's title, "A-3", a person), or ""
    details: list[DetailLine]
    intact: bool  # its content still matches its hash


@dataclass(frozen=True)
class AuditLogPage:
    rows: list[AuditRow]
    total: int
    page: int
    pages: int

    @property
    def changed(self) -> list[int]:
        """Ids of the entries shown whose content no longer matches their hash."""
        return [row.entry.id for row in self.rows if not row.intact]


def _details(entry: AuditEntry) -> dict[str, Any]:
    try:
        details = json.loads(entry.details)
    except ValueError:
        return {"details": entry.details}
    return details if isinstance(details, dict) else {"details": details}


def _names(
    conference: Conference, entries: list[AuditEntry], recorded: list[dict[str, Any]]
) -> tuple[Names, dict[tuple[str, int], str]]:
    """The names behind the ids and e-mails of a page of entries, and what each entry is
    about: one query per kind of thing (people, polls, amendments, resolutions)."""
    emails: set[str] = set()
    ids: set[int] = set()
    polls: set[int] = set()
    for details in recorded:
        found_emails, found_ids = audit_labels.people_in(details)
        emails |= found_emails
        ids |= found_ids
        polls |= audit_labels.polls_in(details)
    about: dict[str, set[int]] = {}
    for entry in entries:
        if entry.object_id is not None:
            about.setdefault(entry.object_type, set()).add(entry.object_id)
    ids |= about.get("Participant", set())
    polls |= about.get("Poll", set())

    by_email: dict[str, str] = {}
    by_id: dict[int, str] = {}
    if emails or ids:
        member = sa.and_(Participant.user_id == User.id, Participant.conference_id == conference.id)
        for email, name, participant_id in db.session.execute(
            sa.select(User.email, User.name, Participant.id)
            .outerjoin(Participant, member)
            .where(sa.or_(User.email.in_(emails), Participant.id.in_(ids)))
        ):
            by_email[email] = name
            if participant_id is not None:
                by_id[participant_id] = name
    titles: dict[int, str] = {}
    if polls:
        titles = dict(
            db.session.execute(
                sa.select(Poll.id, Poll.title).where(
                    Poll.conference_id == conference.id, Poll.id.in_(polls)
                )
            ).all()
        )
    subjects: dict[tuple[str, int], str] = {}
    subjects |= {("Participant", i): name for i, name in by_id.items()}
    subjects |= {("Poll", i): title for i, title in titles.items()}
    if about.get("Amendment"):
        for amendment in db.session.scalars(
            sa.select(Amendment).where(Amendment.id.in_(about["Amendment"]))
        ):
            subjects["Amendment", amendment.id] = amendment_name(amendment)
    if about.get("Resolution"):
        for resolution_id, title in db.session.execute(
            sa.select(Resolution.id, Resolution.title).where(
                Resolution.conference_id == conference.id,
                Resolution.id.in_(about["Resolution"]),
            )
        ):
            subjects["Resolution", resolution_id] = title
    return Names(by_email, by_id, titles, conference.zone), subjects


def day_start(day: date, zone: tzinfo) -> datetime:
    """Midnight at the start of ``day`` in ``zone``, as the naive UTC the log stores."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def _where(conference: Conference, query: AuditQuery) -> list[Any]:
    where: list[Any] = [AuditEntry.conference_id == conference.id]
    if query.action:
        where.append(AuditEntry.action == query.action)
    if query.actor_id is not None:
        where.append(AuditEntry.actor_id == query.actor_id)
    if query.since is not None:
        where.append(AuditEntry.created_at >= query.since)
    if query.before is not None:
        where.append(AuditEntry.created_at < query.before)
    return where


def audit_log_page(conference: Conference, query: AuditQuery) -> AuditLogPage:
    """One page of the conference's entries matching ``query``, newest first, in words."""
    where = _where(conference, query)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(*where))
    pages = max(1, -(-(total or 0) // query.per_page))
    page = min(max(1, query.page), pages)
    entries = list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(*where)
            .order_by(AuditEntry.id.desc())
            .offset((page - 1) * query.per_page)
            .limit(query.per_page)
        )
    )
    recorded = [_details(entry) for entry in entries]
    names, subjects = _names(conference, entries, recorded)
    rows = [
        AuditRow(
            entry=entry,
            label=audit_labels.action_label(entry.action),
            when=audit_labels.in_zone(entry.created_at, conference.zone),
            actor=entry.actor_name,
            subject=subjects.get((entry.object_type, entry.object_id or 0), ""),
            details=audit_labels.describe(entry.action, details, names),
            intact=audit.unchanged(entry),
        )
        for entry, details in zip(entries, recorded, strict=True)
    ]
    return AuditLogPage(rows, total or 0, page, pages)


def filter_choices(conference: Conference) -> tuple[list[str], list[tuple[int, str]]]:
    """The actions and the people (by name) that occur in the conference's log."""
    actions = list(
        db.session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.conference_id == conference.id).distinct()
        )
    )
    actors = db.session.execute(
        sa.select(AuditEntry.actor_id, sa.func.max(AuditEntry.actor_name))
        .where(AuditEntry.conference_id == conference.id, AuditEntry.actor_id.is_not(None))
        .group_by(AuditEntry.actor_id)
    ).all()
    return actions, sorted(
        ((i, n) for i, n in actors if i is not None), key=lambda pair: pair[1].casefold()
    )
