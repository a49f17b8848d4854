"""The CSV import of participants: planning it (what would be added, updated, removed) and
carrying the plan out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager

from resolutions import audit
from resolutions.auth.service import end_invitations_of
from resolutions.conferences.csv_import import ImportRow, RowError
from resolutions.conferences.service._common import (
    VOTING_ROLES,
    _ensure_not_closed,
)
from resolutions.conferences.service.participants import has_taken_part, name_is_editable
from resolutions.errors import DomainError
from resolutions.extensions import db
from resolutions.models import Conference, Participant, Role, User, utcnow
from resolutions.models.conferences import new_card_token

# --- CSV import ------------------------------------------------------------------------------


def _chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _user_ids_by_email(emails: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(emails):
        rows = db.session.execute(sa.select(User.email, User.id).where(User.email.in_(chunk)))
        found.update((email, user_id) for email, user_id in rows)
    return found


IMPORT_FIELDS = ("name", "role", "organisation", "country", "delegation", "voting_right", "weight")


def default_voting_right(role: Role, chair_votes: bool) -> bool:
    """The import's rule when the file has no voting-right column: delegates vote, the chair
    only if the secretariat says so on the form, nobody else."""
    if role == Role.CHAIR:
        return chair_votes
    return role == Role.DELEGATE


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class RowUpdate:
    row: ImportRow
    participant: Participant
    changes: tuple[FieldChange, ...]


@dataclass
class ImportPlan:
    """What an import would do, shown before anything is saved and applied as shown."""

    added: list[ImportRow]
    changed: list[RowUpdate]
    unchanged: list[ImportRow]
    removed: list[Participant]
    kept: list[tuple[Participant, str]]  # not in the file, stays (with the reason)
    notes: list[RowError]

    @property
    def changes_anything(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def fingerprint(self) -> str:
        """A digest of the planned changes: the confirmation applies only what was previewed."""
        parts = [f"+{row.email}:{row.role}:{row.voting_right}" for row in self.added]
        parts += [
            f"~{u.participant.id}:" + ",".join(f"{c.field}={c.old}>{c.new}" for c in u.changes)
            for u in self.changed
        ]
        parts += [f"-{p.id}" for p in self.removed]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _target_values(
    row: ImportRow, current: Participant | None, columns: frozenset[str], chair_votes: bool
) -> dict[str, Any]:
    """The values the row gives a participant. Columns the file leaves out keep what an existing
    participant has (and take the defaults for a new one)."""

    def pick(column: str, value: Any) -> Any:
        if column in columns or current is None:
            return value
        return getattr(current, column)

    role = pick("role", row.role)
    if row.voting_right is not None:
        voting_right = row.voting_right
    elif "role" in columns or current is None:
        voting_right = default_voting_right(role, chair_votes)
    else:
        voting_right = current.voting_right
    return {
        "name": row.name,
        "role": role,
        "organisation": pick("organisation", row.organisation),
        "country": pick("country", row.country),
        "delegation": pick("delegation", row.delegation),
        "voting_right": voting_right and role in VOTING_ROLES,
        "weight": pick("weight", row.weight),
    }


def _field_changes(
    row: ImportRow, current: Participant, target: dict[str, Any], notes: list[RowError]
) -> list[FieldChange]:
    """What the row changes in ``current``. A name only its owner may change stays (a note
    in ``notes`` says so)."""
    changes = []
    for name in IMPORT_FIELDS:
        old = current.user.name if name == "name" else getattr(current, name)
        if old == target[name]:
            continue
        if name == "name" and not name_is_editable(current):
            notes.append(
                RowError(
                    row.line,
                    _(
                        "The name stays \u201c%(name)s\u201d: this account is also used "
                        "elsewhere, so only its owner can change it.",
                        name=current.user.name,
                    ),
                )
            )
            continue
        changes.append(FieldChange(name, old, target[name]))
    return changes


def plan_import(
    conference: Conference,
    rows: Sequence[ImportRow],
    columns: frozenset[str],
    *,
    chair_votes: bool,
    remove_missing: bool,
    actor: Participant,
) -> ImportPlan:
    """Compare the file with the participants, matched by e-mail. Reads only.

    With ``remove_missing``, participants absent from the file are removed, except the
    secretariat (who run the conference and are rarely on the list) and anyone who has taken
    part already (their record must stay). Raises ``DomainError`` if the result would
    leave the conference without a secretariat.
    """
    existing = {
        p.user.email: p
        for p in db.session.scalars(
            sa.select(Participant)
            .join(Participant.user)
            .options(contains_eager(Participant.user))
            .where(Participant.conference_id == conference.id)
        )
    }
    plan = ImportPlan(added=[], changed=[], unchanged=[], removed=[], kept=[], notes=[])
    secretariat_after: set[str] = set()
    for row in rows:
        current = existing.get(row.email)
        target = _target_values(row, current, columns, chair_votes)
        if target["role"] == Role.SECRETARIAT:
            secretariat_after.add(row.email)
        if current is None:
            plan.added.append(
                ImportRow(
                    line=row.line,
                    name=row.name,
                    email=row.email,
                    organisation=target["organisation"],
                    country=target["country"],
                    delegation=target["delegation"],
                    role=target["role"],
                    weight=target["weight"],
                    voting_right=target["voting_right"],
                )
            )
            continue
        changes = _field_changes(row, current, target, plan.notes)
        if changes:
            plan.changed.append(RowUpdate(row, current, tuple(changes)))
        else:
            plan.unchanged.append(row)
    in_file = {row.email for row in rows}
    for email, participant in existing.items():
        if email in in_file:
            continue
        if participant.role == Role.SECRETARIAT:
            secretariat_after.add(email)
        if not remove_missing:
            continue
        if participant.role == Role.SECRETARIAT:
            plan.kept.append((participant, _("secretariat members are removed by hand")))
        elif has_taken_part(participant):
            plan.kept.append((participant, _("has already taken part")))
        else:
            plan.removed.append(participant)
    if not secretariat_after:
        raise DomainError(
            _(
                "After this import the conference would have no secretariat member. Keep at "
                "least one person with the role secretariat."
            )
        )
    return plan


def apply_import(
    conference: Conference,
    plan: ImportPlan,
    actor: Participant,
    filename: str = "",
    encoding: str = "",
) -> None:
    """Carry out a plan from ``plan_import`` in this transaction: add, update and remove.

    New accounts and participants are inserted in bulk; the import is one audit entry.
    Flushes; the caller commits (or rolls everything back).
    """
    _ensure_not_closed(conference)
    now = utcnow()
    known = _user_ids_by_email([row.email for row in plan.added])
    end_invitations_of(list(known.values()))  # as in add_participant
    new_users = [
        {"email": row.email, "name": row.name, "created_at": now, "session_version": 1}
        for row in plan.added
        if row.email not in known
    ]
    if new_users:
        db.session.execute(sa.insert(User), new_users)
        known.update(_user_ids_by_email([str(u["email"]) for u in new_users]))
    if plan.added:
        db.session.execute(
            sa.insert(Participant),
            [
                {
                    "conference_id": conference.id,
                    "user_id": known[row.email],
                    "role": row.role,
                    "organisation": row.organisation,
                    "country": row.country,
                    "delegation": row.delegation,
                    "voting_right": bool(row.voting_right),
                    "weight": row.weight,
                    "present": False,
                    "card_token": new_card_token(),
                    "created_at": now,
                }
                for row in plan.added
            ],
        )
    for update in plan.changed:
        for change in update.changes:
            if change.field == "name":
                update.participant.user.name = change.new
            else:
                setattr(update.participant, change.field, change.new)
    for participant in plan.removed:
        db.session.delete(participant)
    audit.record(
        "participants.imported",
        actor=actor.user,
        conference_id=conference.id,
        obj=conference,
        details={
            "count": len(plan.added),
            "updated": len(plan.changed),
            "removed": len(plan.removed),
            "new_accounts": len(new_users),
            "file": filename,
            "encoding": encoding,
        },
    )
    db.session.flush()
