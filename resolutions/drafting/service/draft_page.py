"""The drafting read model of the draft page (reads only): ``draft_page_data``, the numbered
text with the amendments beneath each clause, built from ``read``'s amendment views."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from resolutions.drafting.service._common import (
    PENDING_STATES,
    _conference,
)
from resolutions.drafting.service.adoption import _voting_key
from resolutions.drafting.service.amendments import _started_polls
from resolutions.drafting.service.clauses import _all_clauses
from resolutions.drafting.service.read import (
    AmendmentView,
    _PageContext,
    _texts_before_adoption,
    _view,
)
from resolutions.drafting.text import NumberedClause, number_clauses
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AmendmentKind,
    AmendmentSponsor,
    AmendmentState,
    Clause,
    ClauseKind,
    ClauseVersion,
    Participant,
    Resolution,
    utcnow,
)
from resolutions.rules import visibility

# --- the draft page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftPage:
    """What the draft page shows, loaded in a constant number of queries.

    ``amendments_to``: replace/delete amendments by target clause id; ``inserts_before``:
    inserts by the clause they would stand just before in document order (None: at the end;
    an adopted insert stands before the clause it created). Both also carry amendments whose
    clause was deleted, under that clause's id (absent from ``clauses``). Lists are in voting
    order. ``total`` counts the visible amendments before the filters; ``proposers`` are all
    their proposers (for the filter).
    """

    resolution: Resolution
    clauses: list[NumberedClause]
    amendments_to: dict[int, list[AmendmentView]]
    inserts_before: dict[int | None, list[AmendmentView]]
    proposers: list[Participant]
    total: int
    numbered: dict[int | None, NumberedClause] = field(default_factory=dict)
    # Every clause row, deleted ones too. Holding them keeps them in the session's (weak)
    # identity map, so ``amendment.target_clause`` and the like cost no query while the page
    # is drawn.
    clause_rows: dict[int, Clause] = field(default_factory=dict)


def _insert_place(
    amendment: Amendment,
    clauses: list[NumberedClause],
    index: dict[int | None, int],
) -> int | None:
    """The clause an insert amendment stands before in document order (see ``DraftPage``)."""
    if amendment.state == AmendmentState.ADOPTED and amendment.applied_clause_id is not None:
        return amendment.applied_clause_id
    if amendment.after_clause_id is not None:
        if amendment.after_clause_id not in index:
            return amendment.after_clause_id
        at = index[amendment.after_clause_id]
        depth = clauses[at].depth
        at += 1
        while at < len(clauses) and clauses[at].depth > depth:
            at += 1
        return clauses[at].clause_id if at < len(clauses) else None
    if amendment.parent_clause_id is not None:
        if amendment.parent_clause_id not in index:
            return amendment.parent_clause_id
        at = index[amendment.parent_clause_id] + 1
        return clauses[at].clause_id if at < len(clauses) else None
    if amendment.new_clause_kind == ClauseKind.PREAMBULAR:
        return clauses[0].clause_id if clauses else None
    return next((c.clause_id for c in clauses if c.kind == ClauseKind.OPERATIVE), None)


def draft_page_data(
    resolution: Resolution,
    viewer: Participant | None = None,
    *,
    state: AmendmentState | None = None,
    states: Iterable[AmendmentState] | None = None,
    proposer_id: int | None = None,
) -> DraftPage:
    """The numbered text and the amendments beneath each clause, in five queries whatever the
    size of the resolution: clauses, amendments with proposers and sponsors, the versions
    they were written against, the texts adopted ones replaced, and the polls on them.

    Drafts are visible only to their proposer and to the delegates invited to co-sponsor
    them. ``state``/``states`` and ``proposer_id`` filter the amendments shown (``total`` and
    ``proposers`` ignore the filters).
    """
    all_clauses = _all_clauses(resolution)
    clauses = number_clauses(all_clauses, resolution.numbering_style)
    numbered: dict[int | None, NumberedClause] = {c.clause_id: c for c in clauses}
    index: dict[int | None, int] = {c.clause_id: i for i, c in enumerate(clauses)}

    amendments = list(
        db.session.scalars(
            sa.select(Amendment)
            .where(Amendment.resolution_id == resolution.id)
            .options(
                # One query however many amendments, even none (a selectinload would add
                # one only when there are amendments).
                joinedload(Amendment.proposer).joinedload(Participant.user),
                joinedload(Amendment.sponsors)
                .joinedload(AmendmentSponsor.participant)
                .joinedload(Participant.user),
            )
        ).unique()
    )
    visible = [
        a for a in amendments if visibility.can_view_amendment(a, resolution.conference_id, viewer)
    ]
    proposers = sorted(
        {a.proposer_id: a.proposer for a in visible}.values(), key=lambda p: (p.user.name, p.id)
    )
    total = len(visible)
    wanted: set[AmendmentState] | None = None
    if states is not None or state is not None:
        wanted = set(states or ()) | ({state} if state is not None else set())
    shown = [
        a
        for a in visible
        if (wanted is None or a.state in wanted)
        and (proposer_id is None or a.proposer_id == proposer_id)
    ]
    shown.sort(key=_voting_key)

    # Written-against texts, in one query.
    written: dict[int, str] = {
        amendment_id: text
        for amendment_id, text in db.session.execute(
            sa.select(Amendment.id, ClauseVersion.text)
            .join(
                ClauseVersion,
                sa.and_(
                    ClauseVersion.clause_id == Amendment.target_clause_id,
                    ClauseVersion.version == Amendment.target_version,
                ),
            )
            .where(Amendment.resolution_id == resolution.id)
        )
    }
    before = _texts_before_adoption(
        [
            a.id
            for a in shown
            if a.state == AmendmentState.ADOPTED and a.kind != AmendmentKind.INSERT
        ]
    )
    started, open_now = _started_polls([a.id for a in shown if a.state in PENDING_STATES])
    page = _PageContext(
        resolution=resolution,
        conference=_conference(resolution),
        numbered=numbered,
        clause_rows={c.id: c for c in all_clauses},
        now=utcnow(),
    )
    amendments_to: dict[int, list[AmendmentView]] = {}
    inserts_before: dict[int | None, list[AmendmentView]] = {}
    for amendment in shown:
        view = _view(
            amendment,
            viewer,
            page,
            written=written.get(amendment.id),
            before_adoption=before.get(amendment.id),
            poll_started=amendment.id in started,
            poll_open=amendment.id in open_now,
        )
        if amendment.kind == AmendmentKind.INSERT:
            inserts_before.setdefault(_insert_place(amendment, clauses, index), []).append(view)
        else:
            target_id = amendment.target_clause_id
            assert target_id is not None  # the database's check: replace/delete have a target
            amendments_to.setdefault(target_id, []).append(view)
    return DraftPage(
        resolution=resolution,
        clauses=clauses,
        amendments_to=amendments_to,
        inserts_before=inserts_before,
        proposers=proposers,
        total=total,
        numbered=numbered,
        clause_rows=page.clause_rows,
    )
