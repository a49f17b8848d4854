"""The resolution as a document: its heading, text, voting figures; HTML and PDF."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from resolutions.documents.bilingual import DocumentClause, TextMode, parallel_text
from resolutions.documents.content import machine_readable
from resolutions.documents.content.access import deciding_poll
from resolutions.documents.heading import date_in_words, dateline, kind_line_needed, local_moment
from resolutions.documents.render import PdfFile, created_stamp, render_pdf
from resolutions.drafting import service as drafting
from resolutions.labels import BALLOT_KIND, MAJORITY_METHOD, label
from resolutions.models import (
    Conference,
    NumberingStyle,
    Participant,
    Poll,
    PollOutcome,
    Resolution,
    ResolutionState,
    Role,
    utcnow,
)
from resolutions.rules.languages import OWN_NAME, HasLanguage, first_language, second_language
from resolutions.voting import service as voting

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


def _frozen_figures(figures: dict[str, Any]) -> VotingFigures:
    return VotingFigures(
        yes=int(figures["yes"]),
        no=int(figures["no"]),
        abstain=int(figures["abstain"]),
        entitled=int(figures["entitled"]),
        participating=int(figures["participating"]),
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
    mode: TextMode,
    insist: bool,
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
        **_text_context(frozen.clauses, frozen, mode, resolution.numbering_style, insist),
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
    mode: TextMode = TextMode.FIRST,
    insist: bool = False,
) -> dict[str, object]:
    """Everything the resolution's template needs (also used by the benchmark).

    An adopted resolution comes from its frozen record (``drafting.adopted_text``); a draft
    (or a resolution adopted before records were kept) from the current text and settings.
    ``mode``: the clauses in the first language, the second, or both side by side; both with
    translations missing raise ``TranslationsMissing`` unless ``insist``.
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
                mode=mode,
                insist=insist,
            )
        figures = None
        if include_votes and adopted:
            poll = deciding_poll(resolution, me)
            if poll is not None:
                figures = voting_figures(poll)
        kind, title = _kind_and_title(adopted, resolution.title)
        clauses = drafting.numbered_text(resolution)
        text = _text_context(
            clauses, resolution.conference, mode, resolution.numbering_style, insist
        )
    conference = resolution.conference
    return {
        "conference": DocumentConference(
            conference.title, conference.short_name, conference.language
        ),
        "resolution": resolution,
        "title": title,
        "kind": kind,
        "adopted": adopted,
        "clauses": clauses,
        **text,
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


def _text_context(
    clauses: Sequence[DocumentClause],
    conference: HasLanguage,
    mode: TextMode,
    style: NumberingStyle,
    insist: bool,
) -> dict[str, object]:
    """The clauses as the template prints them in ``mode`` (see ``bilingual.parallel_text``)."""
    return {
        "rows": parallel_text(clauses, conference, mode, style, insist=insist),
        "mode": mode.value,
        "first_language": first_language(conference),
        "second_language": second_language(conference),
        "language_names": OWN_NAME,
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
    mode: TextMode = TextMode.FIRST,
    insist: bool = False,
) -> PdfFile:
    """The resolution as a signed-off document; marked DRAFT until it is adopted. With the
    adoption line (and the figures the reader may see) and the signature block unless the
    caller turns them off. ``mode``: which language's text, or both in two columns; both with
    gaps are refused (``TranslationsMissing``) unless ``insist``."""
    context = resolution_html_context(
        resolution,
        me,
        language=language,
        include_votes=include_votes,
        include_signatures=include_signatures,
        mode=mode,
        insist=insist,
    )
    kind = "resolution" if context["adopted"] else "draft-resolution"
    languages = (
        f"{context['first_language']}-{context['second_language']}"
        if mode == TextMode.BOTH
        else language
    )
    return PdfFile(
        render_pdf(
            "documents/resolution.html",
            language,
            attachments=machine_readable.pdf_attachments(
                machine_readable.resolution_data(resolution, me), language
            ),
            **context,
        ),
        f"{kind}-{resolution.id}-{languages}.pdf",
    )
