"""The voting record: the polls a member may see, as a PDF and as a CSV file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from resolutions import audit
from resolutions.documents.content.access import visible_polls
from resolutions.documents.csv_export import DELIMITERS, write_csv
from resolutions.documents.heading import dateline, local_moment, moment_in_words, zone_name
from resolutions.documents.render import PdfFile, created_stamp, render_pdf, weight_text
from resolutions.drafting import service as drafting
from resolutions.labels import BALLOT_KIND, CHOICE, MAJORITY_METHOD, POLL_OUTCOME, POLL_STATE, label
from resolutions.models import Conference, Participant, Poll, utcnow
from resolutions.rules import visibility
from resolutions.voting import service as voting
from resolutions.voting.naming import poll_label

# --- the voting record --------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordEntry:
    number: int
    poll: Poll
    result: voting.PollResult | None  # None: a cancelled poll has no result
    resolution_title: str
    # What was voted, in the document's language where a current translation exists.
    subject: drafting.ReaderText | None = None


def record_entries(conference: Conference, me: Participant) -> list[RecordEntry]:
    """The polls ``me`` may see, numbered in the order they were held, with their results
    and their subjects in the current locale's language (``force_locale`` for a document)."""
    titles = {r.id: r.title for r in conference.resolutions}
    reader = str(get_locale() or "")
    entries = []
    for number, poll in enumerate(visible_polls(conference, me), start=1):
        result = voting.poll_result(poll) if poll.state in voting.FINISHED else None
        entries.append(
            RecordEntry(
                number,
                poll,
                result,
                titles.get(poll.resolution_id or 0, ""),
                drafting.poll_subject_for_reader(poll, reader),
            )
        )
    return entries


def record_pdf(conference: Conference, me: Participant, *, language: str) -> PdfFile:
    """Every poll the reader may see: subject, rules, counts, outcome, named lists."""
    with force_locale(language):
        entries = record_entries(conference, me)
    zone = conference.zone
    pdf = render_pdf(
        "documents/record.html",
        language,
        conference=conference,
        at=lambda moment: moment_in_words(moment, zone, language) if moment else "",
        zone=zone_name(zone, utcnow()),
        entries=entries,
        unpublished_included=visibility.sees_unpublished(me),
        dateline=dateline(conference.start_date, conference.end_date, conference.place, language),
        as_of=moment_in_words(utcnow(), zone, language),
        audit_head=audit.head_digest(),
        created=created_stamp(utcnow()),
    )
    return PdfFile(pdf, f"voting-record-{conference.id}-{language}.pdf")


def _blank(value: object) -> object:
    return "" if value is None else value


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    """A stored moment as a spreadsheet reads it: "2026-11-30 17:05" in the conference's zone."""
    return f"{local_moment(moment, zone):%Y-%m-%d %H:%M}" if moment else ""


def _record_rows(entries: Iterable[RecordEntry], zone: ZoneInfo) -> Iterable[list[object]]:
    for entry in entries:
        poll, result = entry.poll, entry.result
        if result is None:
            outcome = label(POLL_STATE, poll.state)
        else:
            outcome = label(POLL_OUTCOME, result.outcome)
        yield [
            entry.number,
            _("Poll"),
            entry.resolution_title,
            poll_label(poll),
            label(BALLOT_KIND, poll.ballot_kind),
            label(MAJORITY_METHOD, poll.majority_method),
            poll.quorum,
            weight_text(result.quorum_weight) if result else "",
            _blank(poll.entitled_weight),
            result.participating_weight if result else "",
            result.yes if result else "",
            result.no if result else "",
            result.abstain if result else "",
            result.ballots_cast if result else "",
            outcome,
            poll.cancel_reason if result is None else "",
            "",
            "",
            "",
            "",
            "",
            _local(poll.opened_at, zone),
            _local(poll.closed_at, zone),
        ]
        for vote in result.votes if result else []:
            yield [
                entry.number,
                _("Vote"),
                entry.resolution_title,
                poll_label(poll),
                *[""] * 12,
                vote.name,
                vote.delegation,
                label(CHOICE, vote.choice),
                vote.weight,
                vote.cast_by or "",
                "",
                "",
            ]


def record_csv(conference: Conference, me: Participant, *, language: str) -> tuple[bytes, str]:
    """The voting record as one table: a row per poll, each followed by a row per named vote.
    Semicolons in Russian, commas in English (what Excel splits on in each), with a BOM; the
    opening and closing times in the conference's time zone."""
    with force_locale(language):
        entries = record_entries(conference, me)
        header = [
            _("No."),
            _("Row"),
            _("Resolution"),
            _("Subject"),
            _("Ballot"),
            _("Majority"),
            _("Quorum"),
            _("Quorum weight"),
            _("Entitled weight"),
            _("Participating weight"),
            _("Yes"),
            _("No"),
            _("Abstain"),
            _("Ballots cast"),
            _("Outcome"),
            _("Reason for cancelling"),
            _("Voter"),
            _("Delegation"),
            _("Choice"),
            _("Weight"),
            _("Cast by proxy holder"),
            # Last, so that the columns before keep their places for existing spreadsheets.
            _("Opened (%(zone)s)", zone=conference.timezone),
            _("Closed (%(zone)s)", zone=conference.timezone),
        ]
        anchor = ["", _("Audit log head"), "", audit.head_digest(), *[""] * (len(header) - 4)]
        data = write_csv(
            header,
            [*_record_rows(entries, conference.zone), anchor],
            delimiter=DELIMITERS[language],
        )
    return data, f"voting-record-{conference.id}-{language}.csv"
