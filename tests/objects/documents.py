"""Documents objects: a conference that has been through a sitting, for the documents tests.

The documents routes use only ``conference_id`` and drafting's ``resolution_id``, so
``populate`` adds nothing; ``hold_sitting`` builds what the documents show, through the
drafting, conference and voting services (no hand-made rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from resolutions.conferences.service import set_presence
from resolutions.drafting import service as drafting
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AmendmentKind,
    BallotKind,
    Choice,
    ClauseKind,
    Poll,
    PollSubject,
    Resolution,
)
from resolutions.voting import service as voting
from tests.objects.drafting import clauses_by_number, make_draft


def populate(world: Any, values: dict[str, Any]) -> None:
    """Create this area's objects in ``world.conference`` and add {url variable: value}."""


@dataclass
class Sitting:
    resolution: Resolution
    amendments: dict[str, Amendment]
    polls: dict[str, Poll]


def _vote(poll: Poll, choices: dict[Any, Choice]) -> None:
    for participant, choice in choices.items():
        voting.cast_ballot(poll.id, participant, choice)


def hold_sitting(world: Any, *, hostile: str = "", adopt: bool = True) -> Sitting:
    """A resolution with amendments in several states and polls in several states.

    A-1 replaces operative clause 2(a) (co-sponsored, adopted by a published named poll),
    A-2 inserts a clause after operative clause 3 (admitted; its secret poll closed, not
    published: rejected), A-3 deletes operative clause 4 (ruled out of order), A-4 replaces
    preambular paragraph 1 (submitted), then a cancelled procedural poll and, when ``adopt``,
    the published named poll that adopts the resolution as a whole. ``hostile`` is appended
    to a clause, a justification and a name.
    """
    chair, secretariat = world.chair, world.secretariat
    d1, d2, d3 = world.delegates[:3]
    if hostile:
        d2.user.name = f"{d2.user.name} {hostile}"
    resolution = make_draft(world)
    if hostile:
        clause = clauses_by_number(resolution)["3"]
        drafting.edit_clause(
            clause, secretariat.user, f"{clause.text} {hostile}", expected_version=clause.version
        )
    clauses = clauses_by_number(resolution)

    a1 = drafting.propose_amendment(
        resolution,
        d1,
        kind=AmendmentKind.REPLACE,
        target=clauses["2(a)"],
        text="to document and publish every case of pressure on trade unionists;",
        justification=f"Publication protects the people concerned. {hostile}".strip(),
    )
    drafting.invite_sponsor(a1, d1, d2)
    drafting.respond_to_sponsorship(a1, d2, True)
    a2 = drafting.propose_amendment(
        resolution,
        d2,
        kind=AmendmentKind.INSERT,
        new_clause_kind=ClauseKind.OPERATIVE,
        after=clauses["3"],
        text="Invites the member organisations to exchange their legal experience;",
        justification="Experience travels faster than law.",
    )
    a3 = drafting.propose_amendment(
        resolution, d3, kind=AmendmentKind.DELETE, target=clauses["4"], justification="Redundant."
    )
    a4 = drafting.propose_amendment(
        resolution,
        d1,
        kind=AmendmentKind.REPLACE,
        target=clauses["P1"],
        text="Recalling the founding declaration of the network and its charter,",
    )
    for amendment, proposer in ((a1, d1), (a2, d2), (a3, d3), (a4, d1)):
        drafting.submit_amendment(amendment, proposer)
    drafting.admit_amendment(a1, secretariat)
    drafting.admit_amendment(a2, secretariat)
    drafting.rule_out_of_order(a3, secretariat, "A clause cannot be deleted at this stage.")
    for participant in (chair, d1, d2, d3):
        set_presence(world.conference, participant, True, secretariat.user)
    db.session.commit()

    polls: dict[str, Poll] = {}
    poll = voting.create_poll(world.conference, chair, subject=PollSubject.AMENDMENT, amendment=a1)
    voting.open_poll(poll, chair)
    db.session.commit()
    _vote(poll, {d1: Choice.YES, d2: Choice.YES, d3: Choice.NO, chair: Choice.ABSTAIN})
    voting.close_poll(poll, chair)
    voting.publish_poll(poll, chair)
    db.session.commit()
    polls["a1"] = poll

    poll = voting.create_poll(
        world.conference,
        chair,
        subject=PollSubject.AMENDMENT,
        amendment=a2,
        ballot_kind=BallotKind.SECRET,
    )
    voting.open_poll(poll, chair)
    db.session.commit()
    _vote(poll, {d1: Choice.NO, d2: Choice.YES, d3: Choice.NO})
    voting.close_poll(poll, chair)
    db.session.commit()
    polls["a2"] = poll

    poll = voting.create_poll(
        world.conference,
        chair,
        subject=PollSubject.PROCEDURAL,
        title="Closure of the debate",
        question="Shall the debate be closed?",
    )
    voting.open_poll(poll, chair)
    voting.cancel_poll(poll, chair, "Put to the vote by mistake.")
    db.session.commit()
    polls["procedural"] = poll

    if adopt:
        poll = voting.create_poll(
            world.conference, chair, subject=PollSubject.RESOLUTION, resolution=resolution
        )
        voting.open_poll(poll, chair)
        db.session.commit()
        _vote(poll, {d1: Choice.YES, d2: Choice.YES, d3: Choice.ABSTAIN, chair: Choice.YES})
        voting.close_poll(poll, chair)
        voting.publish_poll(poll, chair)
        db.session.commit()
        polls["resolution"] = poll
    db.session.commit()
    return Sitting(resolution, {"A-1": a1, "A-2": a2, "A-3": a3, "A-4": a4}, polls)
