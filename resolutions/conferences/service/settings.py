"""The conference's settings: reading them, checking them, changing them."""

from __future__ import annotations

import functools
import zoneinfo
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from resolutions import audit
from resolutions.conferences.service._common import (
    _audit_value,
    _ensure_not_closed,
)
from resolutions.errors import DomainError
from resolutions.extensions import db
from resolutions.models import (
    BallotKind,
    Conference,
    ConferenceState,
    MajorityMethod,
    Participant,
)
from resolutions.voting.majority import QuorumError, format_quorum, parse_quorum
from resolutions.voting.quorum_words import quorum_problem

# --- settings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConferenceSettings:
    """What the secretariat may set on the settings page."""

    title: str
    short_name: str
    place: str
    start_date: date
    end_date: date | None
    language: str
    timezone: str
    state: ConferenceState
    majority_method: MajorityMethod
    quorum: str
    ballot_kind: BallotKind
    amendment_deadline: datetime | None  # naive UTC
    proxy_limit: int


SETTINGS_FIELDS = tuple(f.name for f in fields(ConferenceSettings))


@functools.cache
def time_zone_names() -> frozenset[str]:
    """The IANA zone names the settings offer (those zoneinfo knows on this machine)."""
    return frozenset(zoneinfo.available_timezones())


def settings_of(conference: Conference) -> ConferenceSettings:
    """The conference's current settings, as ``update_settings`` takes them."""
    return ConferenceSettings(**{name: getattr(conference, name) for name in SETTINGS_FIELDS})


def _quorum(text: str) -> str:
    """The canonical form of a typed quorum; the poll form's grammar (``parse_quorum``)."""
    try:
        return format_quorum(parse_quorum(text))
    except QuorumError as error:
        raise DomainError(quorum_problem(error), field="quorum") from error


def update_settings(
    conference: Conference, new: ConferenceSettings, actor: Participant
) -> dict[str, list[Any]]:
    """Apply the settings; return {field: [old, new]} of what changed (audited). Flushes.

    A closed conference is final: nothing changes any more, its state included.
    """
    _ensure_not_closed(conference)
    if not new.title.strip():
        raise DomainError(_("Enter the title."), field="title")
    if not new.short_name.strip():
        raise DomainError(_("Enter a short name."), field="short_name")
    if new.end_date is not None and new.end_date < new.start_date:
        raise DomainError(_("The last day cannot be before the first day."), field="end_date")
    if new.language not in ("ru", "en"):
        raise DomainError(_("Choose Russian or English."), field="language")
    if new.timezone not in time_zone_names():
        raise DomainError(_("Choose a time zone from the list."), field="timezone")
    if not 0 <= new.proxy_limit <= 10:
        raise DomainError(_("A delegate may hold between 0 and 10 proxies."), field="proxy_limit")
    cleaned = {
        **{name: getattr(new, name) for name in SETTINGS_FIELDS},
        "title": new.title.strip(),
        "short_name": new.short_name.strip(),
        "place": new.place.strip(),
        "quorum": _quorum(new.quorum),
    }
    changes: dict[str, list[Any]] = {}
    for name in SETTINGS_FIELDS:
        old, value = getattr(conference, name), cleaned[name]
        if old != value:
            changes[name] = [_audit_value(old), _audit_value(value)]
            setattr(conference, name, value)
    if changes:
        audit.record(
            "conference.settings_changed",
            actor=actor.user,
            conference_id=conference.id,
            obj=conference,
            details={"changed": changes},
        )
    db.session.flush()
    return changes
