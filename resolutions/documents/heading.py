"""The words of a document's heading: dates in words, the date and place line, whether the
kind line ("Resolution") is needed, and moments in the conference's time zone.

Pure: Babel only, no Flask and no database. The PDF documents, the drafting pages and the
settings page's preview of the date line all call these, so they read the same everywhere.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

# Dates written in words, in the document's language. Russian needs the genitive month and
# «года» ("30 ноября 2026 года"), which the pattern's 'MMMM' gives in Babel's ru locale.
DATE_PATTERNS = {"ru": "d MMMM y 'года'", "en": "d MMMM y"}


def date_in_words(day: date, language: str) -> str:
    """ "30 ноября 2026 года" or "30 November 2026"."""
    return format_date(day, DATE_PATTERNS[language], locale=language)


def date_span_in_words(start: date, end: date | None, language: str) -> str:
    """One date, or "28 ноября – 1 декабря 2026 года" when the conference lasts several days."""
    if end is None or end == start:
        return date_in_words(start, language)
    first = (
        format_date(start, "d MMMM", locale=language)
        if start.year == end.year
        else date_in_words(start, language)
    )
    return f"{first} – {date_in_words(end, language)}"


def date_and_place(day_or_span: str, place: str) -> str:
    """The date and place line: «30 ноября 2026 года, г. Бишкек»."""
    place = (place or "").strip()
    return f"{day_or_span}, {place}" if place else day_or_span


def dateline(start: date, end: date | None, place: str, language: str) -> str:
    """The heading's date and place line, exactly as every document prints it."""
    return date_and_place(date_span_in_words(start, end, language), place)


def kind_line_needed(kind: str, title: str) -> bool:
    """The document-kind line ("RESOLUTION") is left out when the title already begins with
    the same word ("Resolution on …", «Резолюция о …»), so the heading never says it twice."""
    return not title.strip().casefold().startswith(kind.strip().casefold())


def local_moment(moment: datetime, zone: ZoneInfo) -> datetime:
    """A stored moment (naive UTC) in ``zone``."""
    return moment.replace(tzinfo=UTC).astimezone(zone)


def moment_in_words(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """ "30 ноября 2026 года, 17:05" in the conference's zone (the document names the zone)."""
    local = local_moment(moment, zone)
    return f"{date_in_words(local.date(), language)}, {local:%H:%M}"


def time_of_day(moment: datetime, zone: ZoneInfo) -> str:
    """ "17:05" in the conference's zone."""
    return f"{local_moment(moment, zone):%H:%M}"


def zone_name(zone: ZoneInfo, moment: datetime) -> str:
    """ "Europe/Moscow (UTC+03:00)": the zone and its offset at ``moment`` (naive UTC)."""
    offset = local_moment(moment, zone).strftime("%z") or "+0000"
    return f"{zone.key} (UTC{offset[:3]}:{offset[3:]})"
