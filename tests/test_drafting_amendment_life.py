"""The amendment life cycle as a state machine (Hypothesis), against a model of DESIGN.md.

Delegates propose replace and delete amendments to operative clauses 1 and 3; anyone of the
conference then tries any step on any of them: submit, withdraw, invite a co-sponsor, answer
an invitation, admit, rule out of order, adopt by consent, and the outcome of a poll (adopted
or rejected). The model says which steps are allowed and what follows (the state, and which
other amendments an adoption makes obsolete). Each step checks that the service's own
``allowed_actions`` offers exactly what the model allows, that an allowed step succeeds with the
model's result, and that any other step is refused with a ``DomainError`` and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from resolutions.drafting import service
from resolutions.errors import DomainError
from resolutions.extensions import db
from resolutions.models import Amendment, AmendmentKind, Clause, Participant, SponsorStatus
from resolutions.models import AmendmentState as S
from tests.objects.drafting import clauses_by_number, make_draft

PENDING = {S.SUBMITTED, S.ADMITTED}
LIVE = {S.DRAFT, *PENDING}
# What the machine exercises of ``service.ACTIONS`` (editing and discarding a draft have their
# own tests).
STEPS = (
    "submit",
    "withdraw",
    "invite",
    "respond",
    "admit",
    "rule_out_of_order",
    "adopt_by_consent",
)
MEMBERS = ("secretariat", "chair", "delegate1", "delegate2", "delegate3", "observer")


@dataclass
class Model:
    """What DESIGN.md says an amendment is: no database."""

    kind: AmendmentKind
    target: str  # "1" or "3"
    proposer: str
    state: S = S.DRAFT
    sponsors: dict[str, SponsorStatus] = field(default_factory=dict)


def allowed(model: Model, who: str, deleted: set[str]) -> set[str]:
    """The steps ``who`` may take on the amendment now (no deadline, no polls here)."""
    mine = who == model.proposer
    steps = set()
    if mine and model.state == S.DRAFT and model.target not in deleted:
        steps.add("submit")
    if mine and model.state in PENDING:
        steps.add("withdraw")
    if mine and model.state in LIVE:
        steps.add("invite")
    if model.state in LIVE and model.sponsors.get(who) == SponsorStatus.INVITED:
        steps.add("respond")
    if model.state == S.SUBMITTED and who == "secretariat":
        steps |= {"admit", "rule_out_of_order"}
    if model.state == S.ADMITTED and who == "chair":
        steps.add("adopt_by_consent")
    return steps


class AmendmentLife(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        world = self.world
        self.members: dict[str, Participant] = {
            "secretariat": world.secretariat,
            "chair": world.chair,
            "observer": world.observer,
            **{f"delegate{n}": d for n, d in enumerate(world.delegates[:3], start=1)},
        }
        self.resolution = make_draft(world)  # a fresh draft for each run
        db.session.commit()
        self.clauses = {n: clauses_by_number(self.resolution)[n].id for n in ("1", "3")}
        self.deleted: set[str] = set()
        self.models: dict[int, Model] = {}
        self.proposed = 0

    world: object  # set by the test

    # --- steps ---

    @precondition(lambda self: len(self.models) < 4)
    @rule(
        proposer=st.sampled_from(["delegate1", "delegate2"]),
        kind=st.sampled_from([AmendmentKind.REPLACE, AmendmentKind.DELETE]),
        number=st.sampled_from(["1", "3"]),
    )
    def propose(self, proposer, kind, number):
        clause = db.session.get(Clause, self.clauses[number])
        if number in self.deleted:
            with pytest.raises(DomainError):
                self._propose(proposer, kind, clause)
            db.session.rollback()
            return
        amendment = self._propose(proposer, kind, clause)
        db.session.commit()
        self.models[amendment.id] = Model(kind, number, proposer)

    def _propose(self, proposer, kind, clause) -> Amendment:
        self.proposed += 1
        return service.propose_amendment(
            self.resolution,
            self.members[proposer],
            kind=kind,
            target=clause,
            # A new text each time: the same text as the clause's own is refused.
            text=f"Calls upon everyone to act {self.proposed} times;"
            if kind == AmendmentKind.REPLACE
            else None,
        )

    @precondition(lambda self: self.models)
    @rule(data=st.data())
    def act(self, data):
        """Mostly a step the model allows, by whoever may take it (so that long paths
        are reached); otherwise any step by anyone (to see the refusals)."""
        amendment_id = data.draw(st.sampled_from(sorted(self.models)), label="amendment")
        model, amendment = self.models[amendment_id], db.session.get(Amendment, amendment_id)
        sponsor = next(m for m in ("delegate2", "delegate3") if m != model.proposer)
        possible = sorted(
            (step, who)
            for who in MEMBERS
            for step in allowed(model, who, self.deleted)
            if not (step == "invite" and sponsor in model.sponsors)
        )
        if possible and data.draw(st.integers(0, 3), label="allowed") > 0:
            step, who = data.draw(st.sampled_from(possible), label="step")
        else:
            step = data.draw(st.sampled_from(STEPS), label="step")
            who = data.draw(st.sampled_from(MEMBERS), label="who")
        actor = self.members[who]
        expected = allowed(model, who, self.deleted)
        offered = service.allowed_actions(amendment, actor) - {"edit", "discard"}
        assert offered == expected, (model, who)
        calls = {
            "submit": lambda: service.submit_amendment(amendment, actor),
            "withdraw": lambda: service.withdraw_amendment(amendment, actor),
            "invite": lambda: service.invite_sponsor(amendment, actor, self.members[sponsor]),
            "respond": lambda: service.respond_to_sponsorship(amendment, actor, True),
            "admit": lambda: service.admit_amendment(amendment, actor),
            "rule_out_of_order": lambda: service.rule_out_of_order(amendment, actor, "Late."),
            "adopt_by_consent": lambda: service.adopt_by_consent(amendment, actor),
        }
        if step == "invite" and model.sponsors.get(sponsor) in (
            SponsorStatus.INVITED,
            SponsorStatus.CONFIRMED,
        ):
            expected = expected - {"invite"}  # invited once is enough
        self._try(amendment, model, step in expected, calls[step], step, who, sponsor)

    @precondition(lambda self: self.models)
    @rule(data=st.data(), adopted=st.booleans())
    def poll_outcome(self, data, adopted):
        """What closing a poll on the amendment does: adopt or reject it."""
        admitted = sorted(i for i, m in self.models.items() if m.state == S.ADMITTED)
        if admitted and data.draw(st.booleans(), label="an admitted one"):
            amendment_id = data.draw(st.sampled_from(admitted), label="amendment")
        else:
            amendment_id = data.draw(st.sampled_from(sorted(self.models)), label="amendment")
        model, amendment = self.models[amendment_id], db.session.get(Amendment, amendment_id)
        chair = self.world.chair
        call = (
            (lambda: service.adopt_amendment(amendment, chair))
            if adopted
            else (lambda: service.reject_amendment(amendment, chair))
        )
        step = "adopt_by_consent" if adopted else "reject"
        self._try(amendment, model, model.state == S.ADMITTED, call, step, "chair", None)

    def _try(self, amendment, model, ok, call, step, who, sponsor) -> None:
        before = {i: db.session.get(Amendment, i).state for i in self.models}
        if not ok:
            with pytest.raises(DomainError):
                call()
            db.session.rollback()
            after = {i: db.session.get(Amendment, i).state for i in self.models}
            assert after == before, step
            return
        call()
        db.session.commit()
        self._advance(model, step, who, sponsor)

    def _advance(self, model: Model, step: str, who: str, sponsor: str | None) -> None:
        if step == "submit":
            model.state = S.SUBMITTED
        elif step == "withdraw":
            model.state = S.WITHDRAWN
        elif step == "invite":
            model.sponsors[sponsor] = SponsorStatus.INVITED
        elif step == "respond":
            model.sponsors[who] = SponsorStatus.CONFIRMED
        elif step == "admit":
            model.state = S.ADMITTED
        elif step == "rule_out_of_order":
            model.state = S.OUT_OF_ORDER
        elif step == "reject":
            model.state = S.REJECTED
        elif step == "adopt_by_consent":
            model.state = S.ADOPTED
            # Adopting a change to clause X makes the pending deletions of X obsolete; adopting
            # the deletion of X makes every pending amendment to X obsolete (drafts stay).
            for other in self.models.values():
                if other is model or other.target != model.target or other.state not in PENDING:
                    continue
                if model.kind == AmendmentKind.DELETE or other.kind == AmendmentKind.DELETE:
                    other.state = S.OBSOLETE
            if model.kind == AmendmentKind.DELETE:
                self.deleted.add(model.target)

    # --- what always holds ---

    @invariant()
    def the_database_holds_the_models_states(self):
        for amendment_id, model in self.models.items():
            amendment = db.session.get(Amendment, amendment_id)
            assert amendment.state == model.state, (amendment_id, model)
            sponsors = {s.participant_id: s.status for s in amendment.sponsors}
            assert sponsors == {self.members[m].id: s for m, s in model.sponsors.items()}

    @invariant()
    def deleted_clauses_are_gone_from_the_text(self):
        numbered = {c.id for c in clauses_by_number(self.resolution).values()}
        for number, clause_id in self.clauses.items():
            assert (clause_id not in numbered) == (number in self.deleted)


def test_the_amendment_life_cycle_follows_the_model(db, world, draft):
    AmendmentLife.world = world
    run_state_machine_as_test(
        AmendmentLife,
        settings=settings(
            max_examples=10,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
