"""The resolution as data for machines: one structure behind the JSON and Akoma Ntoso exports.

Pure: no Flask and no database. ``content.machine_readable`` fills it (from the frozen record
of an adopted resolution, or from the current text of a draft) with what the reader may see;
``as_json`` writes it out and ``akoma_ntoso`` marks it up.

Each clause carries its text per language (``texts``: language → text; a language without a
text for the clause is missing from the mapping), so that the conference's second language
sits beside the first in the same tree: numbering and structure are one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

# The JSON's own name and version: a reader checks it before anything else.
JSON_FORMAT = "resolutions.resolution"
JSON_VERSION = 1


@dataclass(frozen=True)
class ClauseData:
    """A clause with its sub-clauses: ``label`` as printed ("1.", "(a)", "" for preambular
    paragraphs and the paragraphs style), ``number`` as references read it ("2(a)", "P1")."""

    kind: str
    label: str
    number: str
    texts: dict[str, str]
    translation_needed: bool = False
    subclauses: tuple[ClauseData, ...] = ()

    def walk(self) -> Iterator[ClauseData]:
        yield self
        for sub in self.subclauses:
            yield from sub.walk()


@dataclass(frozen=True)
class AmendmentData:
    number: int
    kind: str
    state: str
    proposer: str
    sponsors: tuple[str, ...]
    # The clause it replaced or deleted, or the clause it inserted, by its number in this
    # text (None: not in the text, e.g. a clause deleted by it or an insert not adopted).
    clause: str | None
    texts: dict[str, str]
    justification: str
    state_reason: str
    submitted_at: datetime | None
    decided_at: datetime | None


@dataclass(frozen=True)
class PollData:
    """A poll on the resolution, an amendment to it or one of its clauses, with its frozen
    figures once it has a result (None while it has none, e.g. cancelled)."""

    id: int
    subject: str
    amendment: int | None
    clause: str | None
    title: str
    ballot_kind: str
    majority_method: str
    quorum: str
    state: str
    outcome: str | None
    yes: int | None
    no: int | None
    abstain: int | None
    ballots_cast: int | None
    entitled: int | None
    participating: int | None
    opened_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True)
class ConferenceData:
    id: int
    title: str
    short_name: str
    place: str
    start_date: date
    end_date: date | None
    timezone: str


@dataclass(frozen=True)
class ResolutionData:
    id: int
    title: str
    state: str  # "adopted" or "draft"
    numbering_style: str
    conference: ConferenceData
    # The first language (drafted and voted in) first, then the second one.
    languages: tuple[str, ...]
    preamble: tuple[ClauseData, ...]
    operative: tuple[ClauseData, ...]
    adopted_at: datetime | None  # naive UTC
    # The date of the document: the adoption's (in the conference's time zone), or for a
    # draft the conference's first day.
    date: date
    chair: str | None
    secretary: str | None
    amendments: tuple[AmendmentData, ...] = ()
    polls: tuple[PollData, ...] = ()
    deciding_poll: int | None = None
    # The audit log's head frozen at adoption (full hash), and the frozen record's SHA-256
    # and whether the record still matches it. None for a draft.
    audit_head: str | None = None
    audit_digest: str | None = None
    snapshot_sha256: str | None = None
    snapshot_intact: bool | None = None
    generated_at: datetime | None = None

    @property
    def first_language(self) -> str:
        return self.languages[0]

    def clauses(self) -> Iterator[ClauseData]:
        """Every clause and sub-clause in document order."""
        for top in (*self.preamble, *self.operative):
            yield from top.walk()

    def complete_in(self, language: str) -> bool:
        """Whether every clause has a text in ``language`` that is not outdated: a language
        version is issued whole or not at all."""
        first = language == self.first_language
        return all(
            bool(c.texts.get(language)) and (first or not c.translation_needed)
            for c in self.clauses()
        )

    def complete_languages(self) -> list[str]:
        return [language for language in self.languages if self.complete_in(language)]


class NumberedLike(Protocol):
    """A clause in document order, as ``drafting.numbered_text`` or the frozen record give it."""

    @property
    def kind(self) -> str: ...

    @property
    def depth(self) -> int: ...

    @property
    def label(self) -> str: ...

    @property
    def number_path(self) -> str: ...

    @property
    def text(self) -> str: ...


def clause_tree(
    numbered: Sequence[NumberedLike],
    languages: Sequence[str],
    translations: Sequence[tuple[str, bool]] | None = None,
) -> tuple[tuple[ClauseData, ...], tuple[ClauseData, ...]]:
    """(preamble, operative) as trees, from clauses in document order with their depth.

    ``translations``: for each clause (same order) its second-language text ("" = none) and
    whether it is outdated; None when the text has none.
    """
    preamble: list[ClauseData] = []
    operative: list[ClauseData] = []

    def build(start: int) -> tuple[ClauseData, int]:
        clause = numbered[start]
        texts = {languages[0]: clause.text}
        needed = False
        if translations is not None and len(languages) > 1:
            translation, needed = translations[start]
            if translation:
                texts[languages[1]] = translation
            else:
                needed = True  # no translation at all: one is needed as much as a stale one
        subclauses: list[ClauseData] = []
        index = start + 1
        while index < len(numbered) and numbered[index].depth > clause.depth:
            sub, index = build(index)
            subclauses.append(sub)
        data = ClauseData(
            kind=str(clause.kind),  # a ClauseKind (a StrEnum) or its value, as frozen
            label=clause.label,
            number=clause.number_path,
            texts=texts,
            translation_needed=needed,
            subclauses=tuple(subclauses),
        )
        return data, index

    index = 0
    while index < len(numbered):
        top, index = build(index)
        (preamble if top.kind == "preambular" else operative).append(top)
    return tuple(preamble), tuple(operative)


def _moment(value: datetime | None) -> str | None:
    """A stored moment (naive UTC) as ISO 8601 with its zone."""
    return value.replace(microsecond=0).isoformat() + "Z" if value else None


def _clause_json(clause: ClauseData) -> dict[str, Any]:
    return {
        "kind": clause.kind,
        "label": clause.label,
        "number": clause.number,
        "text": clause.texts,
        "translation_needed": clause.translation_needed,
        "subclauses": [_clause_json(sub) for sub in clause.subclauses],
    }


def _polls_json(polls: Iterable[PollData]) -> list[dict[str, Any]]:
    return [
        {
            "id": poll.id,
            "subject": poll.subject,
            "amendment": poll.amendment,
            "clause": poll.clause,
            "title": poll.title,
            "ballot_kind": poll.ballot_kind,
            "majority_method": poll.majority_method,
            "quorum": poll.quorum,
            "state": poll.state,
            "outcome": poll.outcome,
            "figures": None
            if poll.outcome is None
            else {
                "yes": poll.yes,
                "no": poll.no,
                "abstain": poll.abstain,
                "ballots_cast": poll.ballots_cast,
                "entitled": poll.entitled,
                "participating": poll.participating,
            },
            "opened_at": _moment(poll.opened_at),
            "closed_at": _moment(poll.closed_at),
        }
        for poll in polls
    ]


def as_json(data: ResolutionData) -> bytes:
    """The resolution as UTF-8 JSON (indented for people; every string escaped by ``json``,
    control characters as ``\\uXXXX``)."""
    conference = data.conference
    document = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "generated_at": _moment(data.generated_at),
        "conference": {
            "id": conference.id,
            "title": conference.title,
            "short_name": conference.short_name,
            "place": conference.place,
            "start_date": conference.start_date.isoformat(),
            "end_date": conference.end_date.isoformat() if conference.end_date else None,
            "timezone": conference.timezone,
        },
        "resolution": {
            "id": data.id,
            "title": data.title,
            "state": data.state,
            "numbering_style": data.numbering_style,
            "date": data.date.isoformat(),
            "adopted_at": _moment(data.adopted_at),
            "languages": list(data.languages),
            "complete_languages": data.complete_languages(),
        },
        "preamble": [_clause_json(c) for c in data.preamble],
        "operative": [_clause_json(c) for c in data.operative],
        "amendments": [
            {
                "number": a.number,
                "kind": a.kind,
                "state": a.state,
                "proposer": a.proposer,
                "sponsors": list(a.sponsors),
                "clause": a.clause,
                "text": a.texts,
                "justification": a.justification,
                "state_reason": a.state_reason,
                "submitted_at": _moment(a.submitted_at),
                "decided_at": _moment(a.decided_at),
            }
            for a in data.amendments
        ],
        "polls": _polls_json(data.polls),
        "deciding_poll": data.deciding_poll,
        "signatories": {"chair": data.chair, "secretary": data.secretary},
        "record": {
            "sha256": data.snapshot_sha256,
            "intact": data.snapshot_intact,
            "audit_head": data.audit_head,
            "audit_digest": data.audit_digest,
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
