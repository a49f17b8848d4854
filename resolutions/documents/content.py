"""What each document says and who may have it.

The text comes from the drafting service (``numbered_text``: the same numbering the screen
shows) and the results from the voting service (``poll_result``: the numbers frozen at close);
this module only gathers them, decides what the reader may see, and hands them to a template.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from resolutions import audit
from resolutions.auth.access import has_role
from resolutions.documents import cards as access_cards
from resolutions.documents.csv_export import DELIMITERS, write_csv
from resolutions.documents.heading import (
    date_in_words,
    dateline,
    kind_line_needed,
    local_moment,
    moment_in_words,
    zone_name,
)
from resolutions.documents.render import (
    PdfFile,
    created_stamp,
    datetime_in_words,
    render_pdf,
    weight_text,
)
from resolutions.drafting import service as drafting
from resolutions.drafting.text import NumberedClause
from resolutions.extensions import db
from resolutions.labels import (
    BALLOT_KIND,
    CHOICE,
    MAJORITY_METHOD,
    POLL_OUTCOME,
    POLL_STATE,
    label,
)
from resolutions.models import (
    AmendmentState,
    ClauseKind,
    Conference,
    NumberingStyle,
    Participant,
    Poll,
    PollOutcome,
    PollSubject,
    Resolution,
    ResolutionState,
    Role,
    utcnow,
)
from resolutions.rules import visibility
from resolutions.voting import service as voting
from resolutions.voting.naming import poll_label

# --- who may have what ----------------------------------------------------------------------


def may_get_resolution(resolution: Resolution, me: Participant) -> bool:
    """The resolution as a document: once adopted for all, before that (marked DRAFT) for the
    secretariat and the chair."""
    return resolution.state == ResolutionState.ADOPTED or visibility.sees_unpublished(me)


def visible_polls(conference: Conference, me: Participant) -> list[Poll]:
    """The polls whose results ``me`` may read, in the order they were held.

    Published polls for everyone; closed and cancelled ones too for the secretariat and the
    chair. Prepared and open polls have no result yet and are not part of any record.
    """
    states = visibility.record_states(me)
    return list(
        db.session.scalars(
            sa.select(Poll)
            .where(Poll.conference_id == conference.id, Poll.state.in_(sorted(states)))
            .order_by(Poll.opened_at.is_(None), Poll.opened_at, Poll.created_at, Poll.id)
        )
    )


def deciding_poll(resolution: Resolution, me: Participant) -> Poll | None:
    """The last poll on the resolution as a whole that ``me`` may see and that has a result."""
    candidates = [
        poll
        for poll in visible_polls(resolution.conference, me)
        if poll.subject == PollSubject.RESOLUTION
        and poll.resolution_id == resolution.id
        and poll.outcome is not None
    ]
    return candidates[-1] if candidates else None


@dataclass(frozen=True)
class ResolutionOffer:
    resolution: Resolution
    resolution_pdf: bool
    adopted: bool
    has_figures: bool


@dataclass(frozen=True)
class DocumentsOffer:
    """What the documents page offers to one member."""

    resolutions: list[ResolutionOffer]
    polls_in_record: int
    unpublished_included: bool
    cards: bool
    participants: int = 0


def documents_on_offer(conference: Conference, me: Participant) -> DocumentsOffer:
    """Which downloads ``me`` may get, as DESIGN.md's table of roles says."""
    polls = visible_polls(conference, me)
    decided = {
        poll.resolution_id
        for poll in polls
        if poll.subject == PollSubject.RESOLUTION and poll.outcome is not None
    }
    offers = [
        ResolutionOffer(
            resolution=resolution,
            resolution_pdf=may_get_resolution(resolution, me),
            adopted=resolution.state == ResolutionState.ADOPTED,
            has_figures=resolution.id in decided,
        )
        for resolution in conference.resolutions
    ]
    cards = has_role(me, Role.SECRETARIAT)
    participants = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Participant)
            .where(Participant.conference_id == conference.id)
        )
        if cards
        else 0
    )
    return DocumentsOffer(
        resolutions=offers,
        polls_in_record=len(polls),
        unpublished_included=visibility.sees_unpublished(me),
        cards=cards,
        participants=participants or 0,
    )


# --- the resolution ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VotingFigures:
    yes: int
    no: int
    abstain: int
    entitled: int
    participating: int
    outcome: PollOutcome
    ballot_kind: str
    majority_method: str


@dataclass(frozen=True)
class DocumentConference:
    """What a document's frame prints about the conference (author, running header)."""

    title: str
    short_name: str
    language: str


def resolution_dateline(resolution: Resolution, language: str) -> str:
    """The date and place line, in words: the conference's date(s), as the draft page shows."""
    conference = resolution.conference
    return dateline(conference.start_date, conference.end_date, conference.place, language)


def voting_figures(poll: Poll) -> VotingFigures:
    result = voting.poll_result(poll)
    return VotingFigures(
        yes=result.yes,
        no=result.no,
        abstain=result.abstain,
        entitled=result.entitled_weight,
        participating=result.participating_weight,
        outcome=result.outcome,
        ballot_kind=label(BALLOT_KIND, poll.ballot_kind),
        majority_method=label(MAJORITY_METHOD, poll.majority_method),
    )


def _frozen_figures(figures: dict[str, object]) -> VotingFigures:
    return VotingFigures(
        yes=int(figures["yes"]),  # type: ignore[call-overload]
        no=int(figures["no"]),  # type: ignore[call-overload]
        abstain=int(figures["abstain"]),  # type: ignore[call-overload]
        entitled=int(figures["entitled"]),  # type: ignore[call-overload]
        participating=int(figures["participating"]),  # type: ignore[call-overload]
        outcome=PollOutcome(figures["outcome"]),
        ballot_kind=label(BALLOT_KIND, figures["ballot_kind"]),
        majority_method=label(MAJORITY_METHOD, figures["majority_method"]),
    )


def _kind_and_title(adopted: bool, title: str) -> tuple[str | None, str]:
    kind = _("Resolution") if adopted else _("Draft resolution")
    return (kind if kind_line_needed(kind, title) else None), title


def _adopted_context(
    resolution: Resolution,
    frozen: drafting.FrozenResolution,
    me: Participant,
    *,
    language: str,
    include_votes: bool,
    include_signatures: bool,
) -> dict[str, object]:
    """The adopted resolution from its frozen record: nothing here reads the settings."""
    figures = None
    if include_votes and frozen.figures is not None:
        # The figures were frozen at adoption; the reader gets them once they may see the poll.
        poll = deciding_poll(resolution, me)
        if poll is not None and poll.id == frozen.figures.get("poll_id"):
            figures = _frozen_figures(frozen.figures)
    kind, title = _kind_and_title(True, frozen.title)
    return {
        "conference": DocumentConference(
            frozen.conference_title, frozen.conference_short_name, frozen.language
        ),
        "resolution": resolution,
        "title": title,
        "kind": kind,
        "adopted": True,
        "clauses": frozen.clauses,
        "dateline": dateline(frozen.start_date, frozen.end_date, frozen.place, language),
        "adoption_line": include_votes,
        "adopted_on": date_in_words(local_moment(frozen.adopted_at, frozen.zone).date(), language),
        "figures": figures,
        # The audit chain's head when the text was frozen: a log cut back or rewritten
        # afterwards fails ``flask audit-verify --head``.
        "audit_head": frozen.audit_digest,
        "signatures": include_signatures,
        "chair": frozen.chair,
        "secretary": frozen.secretary,
        "record": frozen,
        "created": created_stamp(utcnow()),
    }


def resolution_html_context(
    resolution: Resolution,
    me: Participant,
    *,
    language: str,
    include_votes: bool,
    include_signatures: bool = True,
) -> dict[str, object]:
    """Everything the resolution's template needs (also used by the benchmark).

    An adopted resolution comes from its frozen record (``drafting.adopted_text``); a draft
    (or a resolution adopted before records were kept) from the current text and settings.
    """
    adopted = resolution.state == ResolutionState.ADOPTED
    row = drafting.adopted_text(resolution) if adopted else None
    with force_locale(language):
        if row is not None:
            return _adopted_context(
                resolution,
                drafting.read_adopted_text(row),
                me,
                language=language,
                include_votes=include_votes,
                include_signatures=include_signatures,
            )
        figures = None
        if include_votes and adopted:
            poll = deciding_poll(resolution, me)
            if poll is not None:
                figures = voting_figures(poll)
        kind, title = _kind_and_title(adopted, resolution.title)
    conference = resolution.conference
    return {
        "conference": DocumentConference(
            conference.title, conference.short_name, conference.language
        ),
        "resolution": resolution,
        "title": title,
        "kind": kind,
        "adopted": adopted,
        "clauses": drafting.numbered_text(resolution),
        "dateline": resolution_dateline(resolution, language),
        "adoption_line": include_votes and adopted,
        "adopted_on": (
            date_in_words(local_moment(resolution.adopted_at, conference.zone).date(), language)
            if adopted and resolution.adopted_at
            else ""
        ),
        "figures": figures,
        "signatures": include_signatures and adopted,
        "chair": _first_named(conference, Role.CHAIR),
        "secretary": _first_named(conference, Role.SECRETARIAT),
        "record": None,
        "created": created_stamp(utcnow()),
    }


def _first_named(conference: Conference, role: Role) -> str | None:
    members = sorted((p for p in conference.participants if p.role == role), key=lambda p: p.id)
    return members[0].name if members else None


def resolution_pdf(
    resolution: Resolution,
    me: Participant,
    *,
    language: str,
    include_votes: bool,
    include_signatures: bool = True,
) -> PdfFile:
    """The resolution as a signed-off document; marked DRAFT until it is adopted. With the
    adoption line (and the figures the reader may see) and the signature block unless the
    caller turns them off."""
    context = resolution_html_context(
        resolution,
        me,
        language=language,
        include_votes=include_votes,
        include_signatures=include_signatures,
    )
    kind = "resolution" if context["adopted"] else "draft-resolution"
    return PdfFile(
        render_pdf("documents/resolution.html", language, **context),
        f"{kind}-{resolution.id}-{language}.pdf",
    )


# --- the draft with amendments ----------------------------------------------------------------

EXCERPT_LENGTH = 48
# The delegates' paper shows every amendment but a private draft.
SHOWN_STATES = tuple(s for s in AmendmentState if s != AmendmentState.DRAFT)


@dataclass(frozen=True)
class DraftEntry:
    """One clause of the current text followed by the amendments to it: those that replace or
    delete it, then the inserts that would stand right after it (the draft page's
    ``inserts_before`` the next clause)."""

    clause: NumberedClause
    heading: str
    amendments: list[drafting.AmendmentView]

    @property
    def numbers(self) -> list[str]:
        return [drafting.amendment_name(view.amendment) for view in self.amendments]

    @property
    def excerpt(self) -> str:
        """The clause's first words, for the table of contents."""
        text = " ".join(self.clause.text.replace("*", "").split())
        if len(text) <= EXCERPT_LENGTH:
            return text
        return text[:EXCERPT_LENGTH].rsplit(" ", 1)[0].rstrip(",;:") + "…"


@dataclass(frozen=True)
class DraftDocument:
    leading: list[drafting.AmendmentView]  # inserts before the first clause
    entries: list[DraftEntry]
    orphans: list[drafting.AmendmentView]  # amendments to clauses deleted since
    amendment_count: int

    @property
    def leading_numbers(self) -> list[str]:
        return [drafting.amendment_name(view.amendment) for view in self.leading]

    @property
    def orphan_numbers(self) -> list[str]:
        return [drafting.amendment_name(view.amendment) for view in self.orphans]


def clause_heading(clause: NumberedClause, style: NumberingStyle) -> str:
    """ "Preambular paragraph 2", "Operative paragraph 3(a)", "Paragraph 4"."""
    if style == NumberingStyle.PARAGRAPHS:
        return _("Paragraph %(number)s", number=clause.number_path)
    if clause.kind == ClauseKind.PREAMBULAR:
        return _("Preambular paragraph %(number)s", number=clause.number_path.removeprefix("P"))
    return _("Operative paragraph %(number)s", number=clause.number_path)


def draft_document(resolution: Resolution) -> DraftDocument:
    """The current text with every amendment that is not a private draft, from the same
    ``draft_page_data`` the draft page uses (same numbering, labels, diffs and order)."""
    page = drafting.draft_page_data(resolution, None, states=SHOWN_STATES)
    clauses = page.clauses
    in_text = {c.clause_id for c in clauses}
    entries = []
    for index, clause in enumerate(clauses):
        following = clauses[index + 1].clause_id if index + 1 < len(clauses) else None
        entries.append(
            DraftEntry(
                clause=clause,
                heading=clause_heading(clause, resolution.numbering_style),
                amendments=[
                    *page.amendments_to.get(clause.clause_id or 0, []),
                    *page.inserts_before.get(following, []),
                ],
            )
        )
    leading = page.inserts_before.get(clauses[0].clause_id, []) if clauses else []
    if not clauses:
        leading = page.inserts_before.get(None, [])
    orphans = [
        view
        for views in (page.amendments_to, page.inserts_before)
        for key, group in views.items()
        if key is not None and key not in in_text
        for view in group
    ]
    orphans.sort(key=lambda v: (v.amendment.number or 0, v.amendment.id))
    count = len(leading) + sum(len(e.amendments) for e in entries) + len(orphans)
    return DraftDocument(leading, entries, orphans, count)


def draft_pdf(resolution: Resolution, *, language: str) -> PdfFile:
    """The paper delegates hold during the sitting: clause by clause, with the amendments."""
    with force_locale(language):
        document = draft_document(resolution)
    context = {
        "conference": resolution.conference,
        "resolution": resolution,
        "document": document,
        "dateline": resolution_dateline(resolution, language),
        "as_of": datetime_in_words(utcnow(), language),
        "created": created_stamp(utcnow()),
    }
    return PdfFile(
        render_pdf("documents/draft.html", language, **context),
        f"draft-with-amendments-{resolution.id}-{language}.pdf",
    )


# --- the voting record --------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordEntry:
    number: int
    poll: Poll
    result: voting.PollResult | None  # None: a cancelled poll has no result
    resolution_title: str


def record_entries(conference: Conference, me: Participant) -> list[RecordEntry]:
    """The polls ``me`` may see, numbered in the order they were held, with their results."""
    titles = {r.id: r.title for r in conference.resolutions}
    entries = []
    for number, poll in enumerate(visible_polls(conference, me), start=1):
        result = voting.poll_result(poll) if poll.state in voting.FINISHED else None
        entries.append(RecordEntry(number, poll, result, titles.get(poll.resolution_id or 0, "")))
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


# --- access cards -------------------------------------------------------------------------------


def cards_pdf(conference: Conference, *, language: str) -> PdfFile:
    """Every participant's access card, ten to a sheet, with cut marks."""
    cards = access_cards.access_cards(conference)
    return PdfFile(
        render_pdf(
            "documents/cards.html",
            language,
            conference=conference,
            sheets=access_cards.sheets(cards),
            created=created_stamp(utcnow()),
        ),
        f"access-cards-{conference.id}.pdf",
    )
