"""The drafting read model (reads only, no writes): what the pages show of amendments.

An amendment's label, its diff against the current text (or the text it was written against),
whether it is stale, ``AmendmentView`` for one amendment, the secretariat's triage rows, and
short lists (adopted amendments, opened polls). The draft page's data is in ``draft_page``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, selectinload

from resolutions.drafting.service._common import (
    LIVE_STATES,
    _conference,
    amendment_name,
)
from resolutions.drafting.service.adoption import anchor_clause_id
from resolutions.drafting.service.amendments import _actions, _started_polls
from resolutions.drafting.service.clauses import _all_clauses, clause_reference, numbered_text
from resolutions.drafting.text import DiffSegment, NumberedClause, number_clauses, word_diff
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AmendmentKind,
    AmendmentSponsor,
    AmendmentState,
    Clause,
    ClauseKind,
    ClauseVersion,
    Conference,
    NumberingStyle,
    Participant,
    Poll,
    Resolution,
    SponsorStatus,
    utcnow,
)

# --- lists ----------------------------------------------------------------------------------


def adopted_amendments(resolution: Resolution) -> list[Amendment]:
    """The resolution's adopted amendments in number order (the clean text names them)."""
    return list(
        db.session.scalars(
            sa.select(Amendment)
            .where(
                Amendment.resolution_id == resolution.id,
                Amendment.state == AmendmentState.ADOPTED,
            )
            .order_by(Amendment.number)
        )
    )


def opened_polls(resolution: Resolution) -> list[Poll]:
    """The polls on the resolution that were opened, in the order they opened."""
    return list(
        db.session.scalars(
            sa.select(Poll)
            .where(Poll.resolution_id == resolution.id, Poll.opened_at.is_not(None))
            .order_by(Poll.opened_at)
        )
    )


# --- amendments as the pages show them --------------------------------------------------------


def _version_text(clause_id: int, version: int) -> str | None:
    return db.session.scalar(
        sa.select(ClauseVersion.text).where(
            ClauseVersion.clause_id == clause_id, ClauseVersion.version == version
        )
    )


def _written_against(amendment: Amendment) -> str | None:
    """The text of the target clause the amendment was written against (None: no target)."""
    if amendment.target_clause_id is None or amendment.target_version is None:
        return None
    target = amendment.target_clause
    if target is not None and target.version == amendment.target_version:
        return target.text
    return _version_text(amendment.target_clause_id, amendment.target_version)


def _is_stale(amendment: Amendment, written: str | None, target: Clause | None) -> bool:
    if amendment.kind == AmendmentKind.INSERT or amendment.state not in LIVE_STATES:
        return False
    if target is None or written is None:
        return False
    return target.is_deleted or target.text != written


def is_stale(amendment: Amendment) -> bool:
    """Whether a pending replace/delete amendment's target has changed since it was written
    (its text differs from the version recorded, or it was deleted). Decided amendments are
    never stale: what they were decided on is history."""
    if amendment.kind == AmendmentKind.INSERT or amendment.state not in LIVE_STATES:
        return False
    return _is_stale(amendment, _written_against(amendment), amendment.target_clause)


def amendment_diff(amendment: Amendment) -> list[DiffSegment]:
    """The change as a word diff against the current text: a replace against its target's
    text, a delete as the target's text deleted, an insert as its text inserted. For an
    adopted amendment, against the text it replaced (the current text is already its own)."""
    if amendment.kind == AmendmentKind.INSERT:
        return word_diff("", amendment.text)
    target = amendment.target_clause
    current = target.text if target is not None else ""
    if amendment.state == AmendmentState.ADOPTED:
        before = _texts_before_adoption([amendment.id]).get(amendment.id)
        if before is not None:
            current = before
    if amendment.kind == AmendmentKind.DELETE:
        return word_diff(current, "")
    return word_diff(current, amendment.text)


def amendment_original_diff(amendment: Amendment) -> list[DiffSegment]:
    """The change as a word diff against the version of the target it was written against
    (what the proposer saw). The same as ``amendment_diff`` for an insert."""
    if amendment.kind == AmendmentKind.INSERT:
        return word_diff("", amendment.text)
    written = _written_against(amendment) or ""
    return word_diff(written, "" if amendment.kind == AmendmentKind.DELETE else amendment.text)


def target_change_diff(amendment: Amendment) -> list[DiffSegment]:
    """How the target clause changed since the amendment was written (version written against
    → current text); [] for an insert."""
    if amendment.kind == AmendmentKind.INSERT or amendment.target_clause is None:
        return []
    return word_diff(_written_against(amendment) or "", amendment.target_clause.text)


def _texts_before_adoption(amendment_ids: Sequence[int]) -> dict[int, str]:
    """For adopted amendments: the text of their target just before they were applied."""
    previous = aliased(ClauseVersion)  # queried even when empty, like _started_polls
    rows = db.session.execute(
        sa.select(ClauseVersion.amendment_id, previous.text)
        .join(Amendment, Amendment.id == ClauseVersion.amendment_id)
        .join(
            previous,
            sa.and_(
                previous.clause_id == ClauseVersion.clause_id,
                previous.version == ClauseVersion.version - 1,
            ),
        )
        .where(
            ClauseVersion.amendment_id.in_(amendment_ids),
            # a delete also versions the sub-clauses it removes: the target's text counts
            ClauseVersion.clause_id == Amendment.target_clause_id,
        )
    )
    return {amendment_id: text for amendment_id, text in rows if amendment_id is not None}


def amendment_label(amendment: Amendment, numbered: dict[int | None, NumberedClause]) -> str:
    """How an amendment is named in lists and polls: "A-3: replace operative clause 2".

    ``numbered`` maps clause ids to the current numbered text (``numbered_text``).
    """
    return _label(amendment, numbered, amendment.resolution.numbering_style, {})


def _label(
    amendment: Amendment,
    numbered: dict[int | None, NumberedClause],
    style: NumberingStyle,
    references: dict[int, str | None],
) -> str:
    """``amendment_label`` with the clause references remembered in ``references`` (a page
    names the same clauses many times)."""
    name = amendment_name(amendment)

    def ref(clause_id: int | None) -> str | None:
        if clause_id is None:
            return None
        if clause_id not in references:
            clause = numbered.get(clause_id)
            references[clause_id] = clause_reference(clause, style) if clause else None
        return references[clause_id]

    if amendment.kind in (AmendmentKind.REPLACE, AmendmentKind.DELETE):
        target = ref(amendment.target_clause_id)
        if target is None:
            if amendment.kind == AmendmentKind.REPLACE:
                return _("%(amendment)s: replace a clause since deleted", amendment=name)
            return _("%(amendment)s: delete a clause since deleted", amendment=name)
        if amendment.kind == AmendmentKind.REPLACE:
            return _("%(amendment)s: replace %(clause)s", amendment=name, clause=target)
        return _("%(amendment)s: delete %(clause)s", amendment=name, clause=target)
    if amendment.state == AmendmentState.ADOPTED and ref(amendment.applied_clause_id):
        return _(
            "%(amendment)s: insert %(clause)s",
            amendment=name,
            clause=ref(amendment.applied_clause_id),
        )
    if amendment.after_clause_id is not None:
        after = ref(amendment.after_clause_id)
        if after is None:
            return _("%(amendment)s: insert after a clause since deleted", amendment=name)
        return _("%(amendment)s: insert after %(clause)s", amendment=name, clause=after)
    if amendment.parent_clause_id is not None:
        parent = ref(amendment.parent_clause_id)
        if parent is None:
            return _("%(amendment)s: insert into a clause since deleted", amendment=name)
        return _(
            "%(amendment)s: insert a first sub-clause into %(clause)s",
            amendment=name,
            clause=parent,
        )
    if amendment.new_clause_kind == ClauseKind.PREAMBULAR:
        return _("%(amendment)s: insert at the start of the preamble", amendment=name)
    return _("%(amendment)s: insert at the start of the operative part", amendment=name)


@dataclass(frozen=True)
class AmendmentView:
    """An amendment with what a page shows about it, computed once."""

    amendment: Amendment
    label: str
    target: NumberedClause | None  # replace/delete: the target in the current text
    diff: list[DiffSegment]
    is_stale: bool
    original_diff: list[DiffSegment]  # against the version written against; [] unless stale
    confirmed_sponsors: list[Participant]
    actions: frozenset[str]


@dataclass
class _PageContext:
    """What every amendment of one page shares, looked up once."""

    resolution: Resolution
    conference: Conference
    numbered: dict[int | None, NumberedClause]
    clause_rows: dict[int, Clause]
    now: datetime
    references: dict[int, str | None] = field(default_factory=dict)


def _view(
    amendment: Amendment,
    viewer: Participant | None,
    page: _PageContext,
    *,
    written: str | None,
    before_adoption: str | None,
    poll_started: bool,
    poll_open: bool,
) -> AmendmentView:
    target = (
        page.clause_rows.get(amendment.target_clause_id)
        if amendment.target_clause_id is not None
        else None
    )
    # The same segments word_diff gives when one side is empty, without the work.
    if amendment.kind == AmendmentKind.INSERT:
        diff = [DiffSegment("insert", amendment.text)] if amendment.text else []
    else:
        current = target.text if target is not None else ""
        if before_adoption is not None:
            current = before_adoption
        if amendment.kind == AmendmentKind.DELETE:
            diff = [DiffSegment("delete", current)] if current else []
        else:
            diff = word_diff(current, amendment.text)
    stale = _is_stale(amendment, written, target)
    original: list[DiffSegment] = []
    if stale:
        original = word_diff(
            written or "", "" if amendment.kind == AmendmentKind.DELETE else amendment.text
        )
    return AmendmentView(
        amendment=amendment,
        label=_label(amendment, page.numbered, page.resolution.numbering_style, page.references),
        target=page.numbered.get(amendment.target_clause_id)
        if amendment.target_clause_id
        else None,
        diff=diff,
        is_stale=stale,
        original_diff=original,
        confirmed_sponsors=[
            s.participant
            for s in sorted(amendment.sponsors, key=lambda s: s.responded_at or s.invited_at)
            if s.status == SponsorStatus.CONFIRMED
        ],
        actions=(
            _actions(
                amendment,
                viewer,
                page.resolution,
                page.conference,
                now=page.now,
                poll_started=poll_started,
                poll_open=poll_open,
            )
            if viewer is not None
            else frozenset()
        ),
    )


def amendment_view(amendment: Amendment, viewer: Participant | None) -> AmendmentView:
    """One amendment as the pages show it (a few queries)."""
    resolution = amendment.resolution
    clauses = _all_clauses(resolution)
    page = _PageContext(
        resolution=resolution,
        conference=_conference(resolution),
        numbered={c.clause_id: c for c in number_clauses(clauses, resolution.numbering_style)},
        clause_rows={c.id: c for c in clauses},
        now=utcnow(),
    )
    started, open_now = _started_polls([amendment.id])
    before = (
        _texts_before_adoption([amendment.id]).get(amendment.id)
        if amendment.state == AmendmentState.ADOPTED
        else None
    )
    return _view(
        amendment,
        viewer,
        page,
        written=_written_against(amendment),
        before_adoption=before,
        poll_started=amendment.id in started,
        poll_open=amendment.id in open_now,
    )


# --- triage: the secretariat's table of amendments ---------------------------------------------


@dataclass(frozen=True)
class TriageRow:
    """One amendment in the secretariat's table: its name and what it does (as the draft page
    names them), its author and confirmed co-sponsors, its state and whether it came late."""

    amendment: Amendment
    name: str  # "A-3"
    target: str  # "replace operative clause 2(a)"
    order: int  # the touched clause's place in the text, for sorting by target
    proposer: Participant
    sponsors: list[Participant]
    late: bool

    @property
    def awaiting_ruling(self) -> bool:
        return self.amendment.state == AmendmentState.SUBMITTED


def triage_rows(resolution: Resolution) -> list[TriageRow]:
    """Every amendment of ``resolution`` but private drafts, by number: one query for the
    amendments with their proposers and co-sponsors (``selectinload``), one for the text."""
    amendments = db.session.scalars(
        sa.select(Amendment)
        .where(Amendment.resolution_id == resolution.id, Amendment.state != AmendmentState.DRAFT)
        .options(
            selectinload(Amendment.proposer).selectinload(Participant.user),
            selectinload(Amendment.sponsors)
            .selectinload(AmendmentSponsor.participant)
            .selectinload(Participant.user),
        )
        .order_by(Amendment.number, Amendment.id)
    ).all()
    numbered = {c.clause_id: c for c in numbered_text(resolution)}
    place = {clause_id: index for index, clause_id in enumerate(numbered)}
    deadline = _conference(resolution).amendment_deadline
    rows = []
    for amendment in amendments:
        name = amendment_name(amendment)
        label = amendment_label(amendment, numbered)
        rows.append(
            TriageRow(
                amendment=amendment,
                name=name,
                target=label.removeprefix(f"{name}: "),
                order=place.get(anchor_clause_id(amendment), -1),
                proposer=amendment.proposer,
                sponsors=[
                    s.participant
                    for s in sorted(amendment.sponsors, key=lambda s: s.participant_id)
                    if s.status == SponsorStatus.CONFIRMED
                ],
                late=deadline is not None
                and amendment.submitted_at is not None
                and amendment.submitted_at > deadline,
            )
        )
    return rows
