"""The adopted resolution as a record: frozen at adoption into an ``AdoptedText`` row.

What is frozen is the raw data of the document, not words in one language: the numbered
text, the heading data (conference title, resolution title, dates, place, working language),
the deciding poll's figures, the signatories (the chair and the secretariat by name) and the
audit log's head. The documents render the adopted resolution from it, in either language,
and it never changes: changing the conference's settings later changes no adopted document.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from resolutions import audit
from resolutions.drafting.service.clauses import numbered_text
from resolutions.extensions import db
from resolutions.models import (
    AdoptedText,
    Participant,
    Poll,
    Resolution,
    Role,
    User,
)
from resolutions.rules.languages import second_language

# 2: each clause also carries its text in the second language (``translation``, "" = none)
# and whether that was outdated (``translation_needed``); the conference names its second
# language. Records of format 1 read back with no translations.
RECORD_FORMAT = 2


def canonical_json(content: dict[str, Any]) -> str:
    """One spelling of ``content``: sorted keys, no spaces, UTF-8 text kept as is."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _first_named(conference_id: int, role: Role) -> str | None:
    return db.session.scalar(
        sa.select(User.name)
        .join(Participant, Participant.user_id == User.id)
        .where(Participant.conference_id == conference_id, Participant.role == role)
        .order_by(Participant.id)
        .limit(1)
    )


def _poll_figures(poll: Poll | None) -> dict[str, Any] | None:
    if poll is None or poll.outcome is None:
        return None
    return {
        "poll_id": poll.id,
        "yes": poll.yes_weight or 0,
        "no": poll.no_weight or 0,
        "abstain": poll.abstain_weight or 0,
        "ballots_cast": poll.ballots_cast or 0,
        "entitled": poll.entitled_weight or 0,
        "participating": poll.participating_weight or 0,
        "outcome": poll.outcome.value,
        "ballot_kind": poll.ballot_kind.value,
        "majority_method": poll.majority_method.value,
        "quorum": poll.quorum,
        "closed_at": poll.closed_at.isoformat() if poll.closed_at else None,
    }


def freeze_adopted_text(resolution: Resolution, poll_id: int | None) -> AdoptedText:
    """Freeze the adopted ``resolution`` (called by the adoption, in its transaction, after
    its audit entry so that the head includes it). Flushes."""
    conference = resolution.conference
    poll = db.session.get(Poll, poll_id) if poll_id is not None else None
    content = {
        "format": RECORD_FORMAT,
        "resolution": {
            "id": resolution.id,
            "title": resolution.title,
            "numbering_style": resolution.numbering_style.value,
            "adopted_at": (resolution.adopted_at or datetime.min).isoformat(),
        },
        "conference": {
            "id": conference.id,
            "title": conference.title,
            "short_name": conference.short_name,
            "language": conference.language,
            "second_language": second_language(conference),
            "place": conference.place,
            "start_date": conference.start_date.isoformat(),
            "end_date": conference.end_date.isoformat() if conference.end_date else None,
            "timezone": conference.timezone,
        },
        "clauses": [
            {
                "kind": c.kind.value,
                "depth": c.depth,
                "label": c.label,
                "number_path": c.number_path,
                "text": c.text,
                "translation": c.translation,
                "translation_needed": c.translation_needed,
            }
            for c in numbered_text(resolution)
        ],
        "figures": _poll_figures(poll),
        "signatories": {
            "chair": _first_named(conference.id, Role.CHAIR),
            "secretary": _first_named(conference.id, Role.SECRETARIAT),
        },
        "audit_head": audit.head_hash(),
    }
    text = canonical_json(content)
    row = AdoptedText(resolution_id=resolution.id, content=text, sha256=sha256_of(text))
    db.session.add(row)
    db.session.flush()
    return row


def adopted_text(resolution: Resolution) -> AdoptedText | None:
    """The frozen record of an adopted resolution (None before adoption)."""
    return db.session.scalar(
        sa.select(AdoptedText).where(AdoptedText.resolution_id == resolution.id)
    )


@dataclass(frozen=True)
class FrozenClause:
    """A clause as frozen: what the clause macro needs (kind, depth, label, text), and its
    text in the second language (none in records of format 1)."""

    kind: str
    depth: int
    label: str
    number_path: str
    text: str
    translation: str = ""
    translation_needed: bool = False
    clause_id: None = None


@dataclass(frozen=True)
class FrozenResolution:
    """An ``AdoptedText`` read back, checked against its hash."""

    sha256: str
    intact: bool
    title: str
    conference_title: str
    conference_short_name: str
    language: str
    place: str
    start_date: date
    end_date: date | None
    adopted_at: datetime
    clauses: list[FrozenClause]
    figures: dict[str, Any] | None
    chair: str | None
    secretary: str | None
    audit_head: str
    zone: ZoneInfo

    @property
    def second_language(self) -> str:
        return second_language(self)

    @property
    def audit_digest(self) -> str:
        return audit.short_digest(self.audit_head)


def verify_adopted_text(row: AdoptedText) -> bool:
    """Does the row's content still have the hash frozen with it?"""
    return sha256_of(row.content) == row.sha256


def read_adopted_text(row: AdoptedText) -> FrozenResolution:
    content = json.loads(row.content)
    conference, resolution = content["conference"], content["resolution"]
    return FrozenResolution(
        sha256=row.sha256,
        intact=verify_adopted_text(row),
        title=resolution["title"],
        conference_title=conference["title"],
        conference_short_name=conference["short_name"],
        language=conference["language"],
        place=conference["place"],
        start_date=date.fromisoformat(conference["start_date"]),
        end_date=date.fromisoformat(conference["end_date"]) if conference["end_date"] else None,
        adopted_at=datetime.fromisoformat(resolution["adopted_at"]),
        clauses=[FrozenClause(**clause) for clause in content["clauses"]],
        figures=content["figures"],
        chair=content["signatories"]["chair"],
        secretary=content["signatories"]["secretary"],
        audit_head=content["audit_head"],
        zone=ZoneInfo(conference["timezone"]),
    )
