"""Drafting: resolutions, clauses and their versions, amendments and their states.

Service functions take plain arguments, check the rules (role, state, deadline, what the text
allows), change rows, write the audit entries and ``flush()``; they never commit. The view
commits once, or rolls back when a ``resolutions.errors.DomainError`` is raised (the one error
hierarchy of every service; ``resolutions.refusals`` answers it). The actor is always the
``Participant`` seat the view's ``conference_role`` hands over (``me``; a site administrator's
stand-in secretariat seat included), or None for what the product does by itself.

The package, in the order its modules build on each other:

- ``_common``: limits, live and pending states, input cleaning, the checks every change makes.
- ``obsolescence``: what removing clauses does to the amendments pending on them.
- ``clauses``: resolutions, clauses, positions, versions, the text at a moment.
- ``clause_tree``: moving and deleting clauses; ``importing``: a pasted draft's clauses.
- ``amendments``: who sees an amendment and what each viewer may do, proposing and editing.
- ``life_cycle``: submitting, withdrawing, the secretariat's rulings and triage.
- ``sponsors``: inviting co-sponsors and answering.
- ``adoption``: voting order, adopting and rejecting amendments and resolutions, preview.
- ``record``: the adopted resolution frozen as a record (``AdoptedText``).
- ``read``: the read model (labels, diffs and staleness of amendments, triage rows, short
  lists), dataclasses for the views; no writes. ``draft_page``: the draft page's data.
- ``languages``: a poll's subject in the reader's language (second-language translations).

Callers import from here (``from resolutions.drafting import service``).
"""

from resolutions.drafting.service._common import amendment_name
from resolutions.drafting.service.adoption import (
    adopt_amendment,
    adopt_by_consent,
    adopt_resolution,
    amendment_preview,
    anchor_clause_id,
    reject_amendment,
    reject_resolution,
    set_vote_order,
    vote_order_groups,
    voting_queue,
)
from resolutions.drafting.service.amendments import (
    ACTIONS,
    allowed_actions,
    amendment_history,
    can_view_amendment,
    check_target_version,
    discard_amendment,
    propose_amendment,
    update_amendment,
)
from resolutions.drafting.service.clause_tree import (
    delete_clause,
    move_clause,
    remove_clause_by_vote,
)
from resolutions.drafting.service.clauses import (
    GAP,
    MAX_DEPTH,
    add_clause,
    clause_history,
    clause_of,
    clause_reference,
    clause_rows,
    create_resolution,
    edit_clause,
    list_resolutions,
    numbered_text,
    set_translation,
    text_at,
    text_at_poll,
    translation_gaps,
    update_resolution,
)
from resolutions.drafting.service.draft_page import DraftPage, draft_page_data
from resolutions.drafting.service.importing import import_draft
from resolutions.drafting.service.languages import ReaderText, poll_subject_for_reader
from resolutions.drafting.service.life_cycle import (
    admit_amendment,
    resolutions_awaiting_ruling,
    rule_on_amendments,
    rule_out_of_order,
    submit_amendment,
    withdraw_amendment,
)
from resolutions.drafting.service.read import (
    AmendmentView,
    TriageRow,
    adopted_amendments,
    amendment_diff,
    amendment_label,
    amendment_original_diff,
    amendment_view,
    is_stale,
    opened_polls,
    target_change_diff,
    triage_rows,
)
from resolutions.drafting.service.record import (
    FrozenResolution,
    adopted_text,
    read_adopted_text,
    verify_adopted_text,
)
from resolutions.drafting.service.sponsors import (
    invite_sponsor,
    respond_to_sponsorship,
    sponsor_candidates,
)

__all__ = [
    "ACTIONS",
    "GAP",
    "MAX_DEPTH",
    "AmendmentView",
    "DraftPage",
    "FrozenResolution",
    "ReaderText",
    "TriageRow",
    "add_clause",
    "admit_amendment",
    "adopt_amendment",
    "adopt_by_consent",
    "adopt_resolution",
    "adopted_amendments",
    "adopted_text",
    "allowed_actions",
    "amendment_diff",
    "amendment_history",
    "amendment_label",
    "amendment_name",
    "amendment_original_diff",
    "amendment_preview",
    "amendment_view",
    "anchor_clause_id",
    "can_view_amendment",
    "check_target_version",
    "clause_history",
    "clause_of",
    "clause_reference",
    "clause_rows",
    "create_resolution",
    "delete_clause",
    "discard_amendment",
    "draft_page_data",
    "edit_clause",
    "import_draft",
    "invite_sponsor",
    "is_stale",
    "list_resolutions",
    "move_clause",
    "numbered_text",
    "opened_polls",
    "remove_clause_by_vote",
    "poll_subject_for_reader",
    "propose_amendment",
    "read_adopted_text",
    "reject_amendment",
    "reject_resolution",
    "respond_to_sponsorship",
    "rule_on_amendments",
    "resolutions_awaiting_ruling",
    "rule_out_of_order",
    "set_translation",
    "set_vote_order",
    "sponsor_candidates",
    "submit_amendment",
    "target_change_diff",
    "text_at",
    "text_at_poll",
    "translation_gaps",
    "triage_rows",
    "update_amendment",
    "update_resolution",
    "verify_adopted_text",
    "vote_order_groups",
    "voting_queue",
    "withdraw_amendment",
]
