"""The drafting blueprint and what its pages share: finding a resolution, clause or amendment
of the conference, the URLs pages lead back to. A refused change is answered by
``resolutions.refusals.refuse`` (the one mapper of every area).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, request, url_for
from werkzeug.wrappers import Response

from resolutions.auth.access import get_in_conference
from resolutions.drafting import service
from resolutions.drafting.text import NumberedClause
from resolutions.models import Amendment, Clause, Conference, Participant, Resolution

bp = Blueprint("drafting", __name__, url_prefix="/c/<int:conference_id>")

Page = str | tuple[str, int] | Response


# --- helpers ----------------------------------------------------------------------------------


def _resolution(conference: Conference, resolution_id: int) -> Resolution:
    return get_in_conference(Resolution, resolution_id, conference)


def _clause(conference: Conference, clause_id: int) -> Clause:
    return get_in_conference(Clause, clause_id, conference)


def _amendment(conference: Conference, amendment_id: int, me: Participant) -> Amendment:
    amendment = get_in_conference(Amendment, amendment_id, conference)
    if not service.can_view_amendment(amendment, me):
        abort(404)  # another delegate's draft: as if it did not exist
    return amendment


def _set_hidden(field: Any, value: object) -> None:
    """Change a field the user posted (a submitted value would otherwise be drawn again)."""
    field.data = value
    field.raw_data = [str(value)]


def _draft_url(resolution: Resolution, anchor: str | None = None) -> str:
    return url_for(
        "drafting.resolution",
        conference_id=resolution.conference_id,
        resolution_id=resolution.id,
        _anchor=anchor,
    )


def _amendment_url(amendment: Amendment) -> str:
    return url_for(
        "drafting.amendment",
        conference_id=amendment.resolution.conference_id,
        amendment_id=amendment.id,
    )


def _back_to(amendment: Amendment) -> str:
    """Where a button on an amendment leads back to: the page it was pressed on."""
    if request.form.get("back") == "draft":
        return _draft_url(amendment.resolution, f"amendment-{amendment.id}")
    return _amendment_url(amendment)


def _diff_attributes(
    conference: Conference, resolution: Resolution, clause: Clause
) -> dict[str, str]:
    """What drafting.js needs to show the live diff of a textarea against ``clause``."""
    return {
        "data-diff-url": url_for(
            "drafting.diff_preview", conference_id=conference.id, resolution_id=resolution.id
        ),
        "data-diff-clause": str(clause.id),
        "data-diff-target": "live-diff",
    }


def _reference(clause: NumberedClause | None, resolution: Resolution) -> str | None:
    if clause is None:
        return None
    return service.clause_reference(clause, resolution.numbering_style)
