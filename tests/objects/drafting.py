"""Drafting objects inside a test conference: a resolution with clauses and an amendment.

``populate`` gives the URL variables of the drafting routes; ``make_draft`` and
``clauses_by_number`` are shared by the drafting tests.
"""

from __future__ import annotations

import re
from typing import Any

from resolutions.drafting import service
from resolutions.drafting.text import parse_draft
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
    Resolution,
    SponsorStatus,
    User,
    utcnow,
)

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
    actor = world.secretariat
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


_WORDS = [
    "призывает",
    "правительства",
    "государств",
    "региона",
    "уважать",
    "свободу",
    "объединения",
    "и",
    "право",
    "на",
    "коллективные",
    "переговоры",
    "обеспечивать",
    "защиту",
    "правозащитников",
    "профсоюзных",
    "активистов",
    "от",
    "преследований",
    "и",
    "давления",
    "со",
    "стороны",
    "работодателей",
    "и",
    "властей",
]


def _words(seed: int, count: int) -> str:
    return " ".join(_WORDS[(seed * 7 + i * 3) % len(_WORDS)] for i in range(count))


def build_large_draft(
    conference: Conference,
    author: User,
    proposers: list[Participant],
    *,
    clauses: int,
    amendments: int,
) -> Resolution:
    """A big draft written straight into the tables (fast; for query counts and the bench).

    ``clauses`` clauses: a tenth preambular, the rest operative, every fifth operative clause
    with two sub-clauses; every tenth clause edited once (so some amendments are stale).
    ``amendments`` amendments cycling through replace/delete/insert, states submitted,
    admitted, draft and out of order, proposers in turn; every third has a confirmed and an
    invited co-sponsor. Flushes; the caller commits.
    """
    now = utcnow()
    resolution = Resolution(conference_id=conference.id, title="Большая резолюция")
    db.session.add(resolution)
    db.session.flush()
    preambular = max(1, clauses // 10)
    tops: list[Clause] = []
    for i in range(preambular):
        tops.append(
            Clause(
                resolution_id=resolution.id,
                kind=ClauseKind.PREAMBULAR,
                position=(i + 1) * service.GAP,
                text="Принимая во внимание " + _words(i, 25) + ",",
            )
        )
    remaining, subs_wanted = clauses - preambular, []
    index = 0
    while remaining > 0:
        index += 1
        top = Clause(
            resolution_id=resolution.id,
            kind=ClauseKind.OPERATIVE,
            position=index * service.GAP,
            text=_words(index, 30) + ";",
        )
        tops.append(top)
        remaining -= 1
        if index % 5 == 0 and remaining > 0:
            subs_wanted.append((top, min(2, remaining)))
            remaining -= min(2, remaining)
    db.session.add_all(tops)
    db.session.flush()
    subs = [
        Clause(
            resolution_id=resolution.id,
            parent_id=top.id,
            kind=ClauseKind.OPERATIVE,
            position=(n + 1) * service.GAP,
            text=_words(top.id + n, 12) + ";",
        )
        for top, count in subs_wanted
        for n in range(count)
    ]
    db.session.add_all(subs)
    db.session.flush()
    everything = tops + subs
    for number, clause in enumerate(everything):
        db.session.add(
            ClauseVersion(
                clause_id=clause.id,
                version=1,
                text=clause.text,
                kind=clause.kind,
                parent_id=clause.parent_id,
                position=clause.position,
                reason="create",
                author_id=author.id,
                created_at=now,
            )
        )
        if number % 10 == 0:
            clause.text = clause.text[:-1] + " незамедлительно" + clause.text[-1]
            clause.version = 2
            db.session.add(
                ClauseVersion(
                    clause_id=clause.id,
                    version=2,
                    text=clause.text,
                    kind=clause.kind,
                    parent_id=clause.parent_id,
                    position=clause.position,
                    reason="edit",
                    author_id=author.id,
                    created_at=now,
                )
            )
    kinds = [AmendmentKind.REPLACE, AmendmentKind.DELETE, AmendmentKind.INSERT]
    states = [
        AmendmentState.SUBMITTED,
        AmendmentState.ADMITTED,
        AmendmentState.ADMITTED,
        AmendmentState.DRAFT,
        AmendmentState.OUT_OF_ORDER,
    ]
    created: list[Amendment] = []
    for k in range(amendments):
        kind, state = kinds[k % 3], states[k % 5]
        target = everything[(k * 7) % len(everything)]
        amendment = Amendment(
            resolution_id=resolution.id,
            number=k + 1 if state != AmendmentState.DRAFT else None,
            proposer_id=proposers[k % len(proposers)].id,
            kind=kind,
            state=state,
            justification=_words(k, 15),
            state_reason="Не относится к делу." if state == AmendmentState.OUT_OF_ORDER else "",
        )
        if kind == AmendmentKind.INSERT:
            amendment.new_clause_kind = target.kind
            amendment.parent_clause_id = target.parent_id
            amendment.after_clause_id = target.id
            amendment.text = _words(k + 3, 20) + ";"
        else:
            amendment.target_clause_id = target.id
            amendment.target_version = 1  # written before the edit of every tenth clause
            if kind == AmendmentKind.REPLACE:
                amendment.text = target.text.replace("права", "свободы").replace(";", ", а также")
        created.append(amendment)
    db.session.add_all(created)
    db.session.flush()
    for k, amendment in enumerate(created):
        if k % 3 == 0 and len(proposers) > 2:
            others = [p for p in proposers if p.id != amendment.proposer_id][:2]
            db.session.add_all(
                [
                    AmendmentSponsor(
                        amendment_id=amendment.id,
                        participant_id=others[0].id,
                        status=SponsorStatus.CONFIRMED,
                        responded_at=now,
                    ),
                    AmendmentSponsor(
                        amendment_id=amendment.id,
                        participant_id=others[1].id,
                        status=SponsorStatus.INVITED,
                    ),
                ]
            )
    db.session.flush()
    return resolution


def operative_labels(response: Any) -> list[str]:
    """The clause labels of a drafting page, in reading order."""
    return re.findall(
        r'<span class="clause__label">([^<]+)</span>', response.get_data(as_text=True)
    )
