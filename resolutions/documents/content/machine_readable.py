"""The resolution for machines: JSON and Akoma Ntoso, downloadable and attached to its PDF.

Both are built from one ``ResolutionData``: for an adopted resolution from its frozen record
(the text, heading, signatories, audit head and the record's hash, as the PDF prints them),
for a draft from the current text. The amendments and polls come from the database, the polls
filtered by what the reader may see (``visible_polls``: published results for delegates and
observers), exactly as the record of votes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from babel import Locale
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from resolutions.documents.akoma_ntoso import DocumentWords, akoma_ntoso
from resolutions.documents.content.access import visible_polls
from resolutions.documents.heading import date_in_words, local_moment
from resolutions.documents.render import PdfAttachment, document_language
from resolutions.documents.resolution_data import (
    AmendmentData,
    ConferenceData,
    PollData,
    ResolutionData,
    as_json,
    clause_tree,
)
from resolutions.drafting import service as drafting
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AmendmentState,
    Participant,
    Poll,
    Resolution,
    ResolutionState,
    SponsorStatus,
    utcnow,
)
from resolutions.rules.languages import second_language

JSON_TYPE = "application/json"
AKN_TYPE = "application/akn+xml"
# The jurisdiction in Akoma Ntoso IRIs (FRBRcountry): a conference is no state's, so an
# instance names its own (as AKN4UN uses "un"); "int" (international) unless configured.
DEFAULT_JURISDICTION = "int"


@dataclass(frozen=True)
class MachineFile:
    """An export for machines: its bytes, file name and media type."""

    content: bytes
    filename: str
    mimetype: str
    language: str | None = None  # an Akoma Ntoso document's; the JSON holds every language


def _amendments(resolution: Resolution, numbers: dict[int, str]) -> tuple[AmendmentData, ...]:
    """Every amendment but private drafts, by number, with the clause it concerns."""
    amendments = db.session.scalars(
        sa.select(Amendment)
        .where(Amendment.resolution_id == resolution.id, Amendment.state != AmendmentState.DRAFT)
        .order_by(Amendment.number, Amendment.id)
    )
    result = []
    for amendment in amendments:
        clause_id = amendment.applied_clause_id or amendment.target_clause_id
        texts = {
            document_language(resolution.conference, None): amendment.text,
            second_language(resolution.conference): amendment.translation,
        }
        result.append(
            AmendmentData(
                number=amendment.number or 0,
                kind=amendment.kind.value,
                state=amendment.state.value,
                proposer=amendment.proposer.name,
                sponsors=tuple(
                    s.participant.name
                    for s in sorted(amendment.sponsors, key=lambda s: s.participant_id)
                    if s.status == SponsorStatus.CONFIRMED
                ),
                clause=numbers.get(clause_id) if clause_id is not None else None,
                texts={k: v for k, v in texts.items() if v},
                justification=amendment.justification,
                state_reason=amendment.state_reason,
                submitted_at=amendment.submitted_at,
                decided_at=amendment.decided_at,
            )
        )
    return tuple(result)


def _polls(
    resolution: Resolution, me: Participant, numbers: dict[int, str]
) -> tuple[PollData, ...]:
    """The polls on this resolution, its amendments and clauses that ``me`` may see."""
    polls = [
        p for p in visible_polls(resolution.conference, me) if p.resolution_id == resolution.id
    ]
    amendment_numbers: dict[int, int | None] = {
        amendment_id: number
        for amendment_id, number in db.session.execute(
            sa.select(Amendment.id, Amendment.number).where(
                Amendment.resolution_id == resolution.id
            )
        )
    }
    return tuple(_poll(poll, amendment_numbers, numbers) for poll in polls)


def _poll(
    poll: Poll, amendment_numbers: dict[int, int | None], numbers: dict[int, str]
) -> PollData:
    decided = poll.outcome is not None
    return PollData(
        id=poll.id,
        subject=poll.subject.value,
        amendment=amendment_numbers.get(poll.amendment_id) if poll.amendment_id else None,
        clause=numbers.get(poll.clause_id) if poll.clause_id else None,
        title=poll.title,
        ballot_kind=poll.ballot_kind.value,
        majority_method=poll.majority_method.value,
        quorum=poll.quorum,
        state=poll.state.value,
        outcome=poll.outcome.value if poll.outcome is not None else None,
        yes=(poll.yes_weight or 0) if decided else None,
        no=(poll.no_weight or 0) if decided else None,
        abstain=(poll.abstain_weight or 0) if decided else None,
        ballots_cast=(poll.ballots_cast or 0) if decided else None,
        entitled=(poll.entitled_weight or 0) if decided else None,
        participating=(poll.participating_weight or 0) if decided else None,
        opened_at=poll.opened_at,
        closed_at=poll.closed_at,
    )


def resolution_data(resolution: Resolution, me: Participant) -> ResolutionData:
    """The resolution as ``me`` may have it (callers check ``may_get_resolution`` first)."""
    conference = resolution.conference
    languages = (document_language(conference, None), second_language(conference))
    # Clause ids → numbers in the current text (for an adopted resolution the same text as
    # its record: the text is locked at adoption), for the amendments and polls.
    current = drafting.numbered_text(resolution)
    numbers = {c.clause_id: c.number_path for c in current if c.clause_id is not None}
    polls = _polls(resolution, me, numbers)
    shown = {poll.id for poll in polls}
    common: dict[str, Any] = {
        "id": resolution.id,
        "numbering_style": resolution.numbering_style.value,
        "languages": languages,
        "amendments": _amendments(resolution, numbers),
        "polls": polls,
        "generated_at": utcnow(),
    }
    row = drafting.adopted_text(resolution) if resolution.state == ResolutionState.ADOPTED else None
    if row is not None:
        frozen = drafting.read_adopted_text(row)
        preamble, operative = clause_tree(
            frozen.clauses,
            languages,
            [(c.translation, c.translation_needed) for c in frozen.clauses],
        )
        deciding = frozen.figures.get("poll_id") if frozen.figures else None
        return ResolutionData(
            **common,
            title=frozen.title,
            state="adopted",
            conference=ConferenceData(
                id=conference.id,
                title=frozen.conference_title,
                short_name=frozen.conference_short_name,
                place=frozen.place,
                start_date=frozen.start_date,
                end_date=frozen.end_date,
                timezone=frozen.zone.key,
            ),
            preamble=preamble,
            operative=operative,
            adopted_at=frozen.adopted_at,
            date=local_moment(frozen.adopted_at, frozen.zone).date(),
            chair=frozen.chair,
            secretary=frozen.secretary,
            deciding_poll=deciding if deciding in shown else None,
            audit_head=frozen.audit_head,
            audit_digest=frozen.audit_digest,
            snapshot_sha256=frozen.sha256,
            snapshot_intact=frozen.intact,
        )
    # A draft (or a resolution adopted before records were kept): the current text.
    preamble, operative = clause_tree(
        current, languages, [(c.translation, c.translation_needed) for c in current]
    )
    adopted = resolution.state == ResolutionState.ADOPTED
    return ResolutionData(
        **common,
        title=resolution.title,
        state="adopted" if adopted else "draft",
        conference=ConferenceData(
            id=conference.id,
            title=conference.title,
            short_name=conference.short_name,
            place=conference.place,
            start_date=conference.start_date,
            end_date=conference.end_date,
            timezone=conference.timezone,
        ),
        preamble=preamble,
        operative=operative,
        adopted_at=resolution.adopted_at if adopted else None,
        date=(
            local_moment(resolution.adopted_at, conference.zone).date()
            if adopted and resolution.adopted_at
            else conference.start_date
        ),
        chair=None,
        secretary=None,
    )


def _words(data: ResolutionData, language: str) -> DocumentWords:
    with force_locale(language):
        return DocumentWords(
            kind=_("Resolution") if data.state == "adopted" else _("Draft resolution"),
            date=date_in_words(data.date, language),
            chair=_("Chair"),
            secretary=_("Secretary"),
        )


def _stem(data: ResolutionData) -> str:
    return f"{'resolution' if data.state == 'adopted' else 'draft-resolution'}-{data.id}"


def json_file(data: ResolutionData) -> MachineFile:
    return MachineFile(as_json(data), f"{_stem(data)}.json", JSON_TYPE)


def akn_file(data: ResolutionData, language: str) -> MachineFile:
    """The Akoma Ntoso document in ``language``; ValueError if the resolution has no complete
    version in it."""
    if language not in data.complete_languages():
        raise ValueError(f"no complete {language!r} version")
    jurisdiction = current_app.config.get("AKN_JURISDICTION", DEFAULT_JURISDICTION)
    content = akoma_ntoso(data, language, _words(data, language), jurisdiction=jurisdiction)
    return MachineFile(content, f"{_stem(data)}-{language}.akn.xml", AKN_TYPE, language)


def machine_files(data: ResolutionData) -> list[MachineFile]:
    """What the resolution's PDF carries: the JSON, then an Akoma Ntoso document for each
    language the text is complete in."""
    return [json_file(data), *(akn_file(data, lang) for lang in data.complete_languages())]


def pdf_attachments(data: ResolutionData, language: str) -> list[PdfAttachment]:
    """The files the resolution's PDF carries, described in the PDF's ``language``: the JSON
    is the data the document is drawn from ("Data"), each Akoma Ntoso document the same text
    in another form ("Alternative")."""
    with force_locale(language):
        attachments = []
        for file in machine_files(data):
            if file.language is None:
                description = _("The resolution as data (JSON)")
                relationship = "Data"
            else:
                description = _(
                    "The resolution in Akoma Ntoso XML (%(language)s)",
                    language=Locale.parse(file.language).get_display_name(language),
                )
                relationship = "Alternative"
            attachments.append(
                PdfAttachment(file.content, file.filename, description, relationship)
            )
    return attachments
