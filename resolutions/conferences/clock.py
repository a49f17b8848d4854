"""Times of a conference: stored as naive UTC, shown and entered in the conference's zone.

The one home for turning a stored moment into the conference's wall-clock time and back
(``Conference.zone`` holds the zone). Pages use ``conference_time`` (as ``format_datetime``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import g
from flask_babel import get_locale

from resolutions.models import Conference


def to_local(conference: Conference, moment: datetime | None) -> datetime | None:
    """Stored naive UTC -> naive wall-clock time of the conference (for a form field)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(conference.zone).replace(tzinfo=None)


def from_local(conference: Conference, moment: datetime | None) -> datetime | None:
    """Naive wall-clock time entered for the conference -> naive UTC to store."""
    if moment is None:
        return None
    return moment.replace(tzinfo=conference.zone).astimezone(UTC).replace(tzinfo=None)


def conference_time(moment: datetime | None, style: str = "short") -> str:
    """A stored moment in the zone of the conference being shown (UTC outside one), without
    seconds: "2 Dec 2026, 06:56"; style "time" gives the clock alone."""
    if moment is None:
        return ""
    conference = g.get("conference")
    zone = conference.zone if conference is not None else ZoneInfo("UTC")
    # Stored moments are naive UTC; an aware one (already placed in a zone) is taken as it is.
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)
    locale = str(get_locale() or "en")
    clock = format_time(local, "short", locale=locale)
    if style == "time":
        return clock
    date_style = style if style in ("short", "medium", "long") else "medium"
    return f"{format_date(local.date(), date_style, locale=locale)}, {clock}"
