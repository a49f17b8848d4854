"""Drafting objects inside a test conference: a resolution with clauses and an amendment.

``populate`` gives the URL variables of the drafting routes; ``make_draft`` and
``clauses_by_number`` are shared by the drafting tests.
"""

from __future__ import annotations

from typing import Any

from resolutions.drafting import service
from resolutions.drafting.text import parse_draft
from resolutions.extensions import db
from resolutions.models import AmendmentKind, Clause, NumberingStyle, Resolution

DEFAULT_DRAFT = """Recalling the founding declaration of the network,

Noting with concern the reports of the delegations,

1. Calls upon all governments to respect the freedom of association;

2. Urges the member organisations:

(a) to document every case of pressure;

(b) to support the defenders concerned;

3. Requests the secretariat to report to the next conference;

4. Decides to remain seized of the matter."""


def make_draft(
    world: Any,
    text: str = DEFAULT_DRAFT,
    *,
    title: str = "On the freedom of association",
    style: NumberingStyle = NumberingStyle.NUMBERED,
) -> Resolution:
    """A resolution of ``world.conference`` imported from ``text`` by its secretariat (flushed)."""
    actor = world.secretariat.user
    resolution = service.create_resolution(world.conference, actor, title, style)
    service.import_draft(
        resolution, actor, parse_draft(text, paragraphs=style == NumberingStyle.PARAGRAPHS)
    )
    return resolution


def clauses_by_number(resolution: Resolution) -> dict[str, Clause]:
    """The live clauses of ``resolution`` by reference: "P1", "1", "2(a)"…"""
    numbered = service.numbered_text(resolution)
    return {n.number_path: db.session.get(Clause, n.clause_id) for n in numbered}


def populate(world: Any, values: dict[str, Any]) -> None:
    """A resolution (2 preambular, 4 operative clauses, two sub-clauses under clause 2) and a
    submitted replace amendment to operative clause 2 by ``world.delegate``.

    Sets ``resolution_id``, ``clause_id`` (operative clause 2, live), ``amendment_id`` and
    ``version`` (the clause's current version number).
    """
    resolution = make_draft(world)
    clause = clauses_by_number(resolution)["2"]
    amendment = service.propose_amendment(
        resolution,
        world.delegate,
        kind=AmendmentKind.REPLACE,
        target=clause,
        text="Urges the member organisations and their partners:",
        justification="Partners matter too.",
    )
    service.submit_amendment(amendment, world.delegate)
    db.session.commit()
    values["resolution_id"] = resolution.id
    values["clause_id"] = clause.id
    values["amendment_id"] = amendment.id
    values["version"] = clause.version
