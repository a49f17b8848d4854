"""Documents objects: a conference that has been through a sitting, for the documents tests.

The documents routes use only ``conference_id`` and drafting's ``resolution_id``, so
``populate`` adds nothing; ``hold_sitting`` builds what the documents show, through the
drafting, conference and voting services (no hand-made rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
from resolutions.voting.attendance import set_presence
from tests.objects.drafting import clauses_by_number, make_draft

# Our own invented text, in both languages (the Russian one for the demo-like documents).
TEXTS = {
    "en": {
        "title": "On the freedom of association",
        "draft": None,  # tests.objects.drafting.DEFAULT_DRAFT
        "a1": "to document and publish every case of pressure on trade unionists;",
        "a1_why": "Publication protects the people concerned.",
        "a2": "Invites the member organisations to exchange their legal experience;",
        "a2_why": "Experience travels faster than law.",
        "a3_why": "Redundant.",
        "a3_reason": "A clause cannot be deleted at this stage.",
        "a4": "Recalling the founding declaration of the network and its charter,",
        "procedural": "Closure of the debate",
        "question": "Shall the debate be closed?",
        "cancel": "Put to the vote by mistake.",
    },
    "ru": {
        "title": "О защите права на объединение и свободы мирных собраний",
        "draft": """Ссылаясь на учредительную декларацию сети и её устав,

Обсудив доклады делегаций о положении с правом на объединение в странах региона,

Будучи обеспокоена ростом числа задержаний участников мирных собраний и давлением
на профсоюзных активистов,

1. Призывает правительства государств региона уважать свободу объединения;

2. Настоятельно рекомендует организациям — членам сети:

(а) документировать каждый случай давления на профсоюзы;

(б) оказывать правовую и практическую поддержку пострадавшим правозащитникам;

3. Поручает секретариату подготовить к следующей конференции обзор положения с правом
на объединение и свободой собраний;

4. Постановляет продолжить рассмотрение этого вопроса.""",
        "a1": "документировать и публиковать каждый случай давления на членов профсоюзов;",
        "a1_why": "Огласка защищает тех, на кого оказывают давление.",
        "a2": "Предлагает организациям — членам сети обмениваться опытом правовой защиты;",
        "a2_why": "Опыт распространяется быстрее, чем законы.",
        "a3_why": "Пункт повторяет устав сети.",
        "a3_reason": "Исключение пункта на этом этапе не допускается регламентом.",
        "a4": "Ссылаясь на учредительную декларацию сети, её устав и принятые ранее решения,",
        "procedural": "О прекращении прений",
        "question": "Прекратить прения по проекту резолюции?",
        "cancel": "Поставлено на голосование по ошибке.",
    },
}


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


def hold_sitting(
    world: Any, *, hostile: str = "", adopt: bool = True, language: str = "en"
) -> Sitting:
    """A resolution with amendments in several states and polls in several states.

    A-1 replaces operative clause 2(a) (co-sponsored, adopted by a published named poll),
    A-2 inserts a clause after operative clause 3 (admitted; its secret poll closed, not
    published: rejected), A-3 deletes operative clause 4 (ruled out of order), A-4 replaces
    preambular paragraph 1 (submitted), then a cancelled procedural poll and, when ``adopt``,
    the published named poll that adopts the resolution as a whole. ``hostile`` is appended
    to a clause, a justification and a name. ``language`` picks the text (``TEXTS``).
    """
    words = TEXTS[language]
    chair, secretariat = world.chair, world.secretariat
    d1, d2, d3 = world.delegates[:3]
    if hostile:
        d2.user.name = hostile
    resolution = (
        make_draft(world, words["draft"], title=words["title"])
        if words["draft"]
        else make_draft(world, title=words["title"])
    )
    if hostile:
        clause = clauses_by_number(resolution)["3"]
        drafting.edit_clause(
            clause, secretariat, f"{clause.text} {hostile}", expected_version=clause.version
        )
    clauses = clauses_by_number(resolution)

    a1 = drafting.propose_amendment(
        resolution,
        d1,
        kind=AmendmentKind.REPLACE,
        target=clauses["2(a)"],
        text=words["a1"],
        justification=f"{words['a1_why']} {hostile}".strip(),
    )
    drafting.invite_sponsor(a1, d1, d2)
    drafting.respond_to_sponsorship(a1, d2, True)
    a2 = drafting.propose_amendment(
        resolution,
        d2,
        kind=AmendmentKind.INSERT,
        new_clause_kind=ClauseKind.OPERATIVE,
        after=clauses["3"],
        text=words["a2"],
        justification=words["a2_why"],
    )
    a3 = drafting.propose_amendment(
        resolution,
        d3,
        kind=AmendmentKind.DELETE,
        target=clauses["4"],
        justification=words["a3_why"],
    )
    a4 = drafting.propose_amendment(
        resolution,
        d1,
        kind=AmendmentKind.REPLACE,
        target=clauses["P1"],
        text=words["a4"],
    )
    for amendment, proposer in ((a1, d1), (a2, d2), (a3, d3), (a4, d1)):
        drafting.submit_amendment(amendment, proposer)
    drafting.admit_amendment(a1, secretariat)
    drafting.admit_amendment(a2, secretariat)
    drafting.rule_out_of_order(a3, secretariat, words["a3_reason"])
    for participant in (chair, d1, d2, d3):
        set_presence(world.conference, participant, True, secretariat)
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
        title=words["procedural"],
        question=words["question"],
    )
    voting.open_poll(poll, chair)
    voting.cancel_poll(poll, chair, words["cancel"])
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
