"""Majority methods and quorum: pure, exact arithmetic, no database and no floats.

Every count is a weighted integer and every threshold a ``fractions.Fraction``, so a two-thirds
boundary such as yes=2, no=1 is decided exactly. The rules are DESIGN.md's table:

==================  ==========================================
method              adopted when
==================  ==========================================
simple              yes > no (abstentions do not count)
absolute            yes > 1/2 of (yes + no + abstain)
two-thirds          yes >= 2/3 of (yes + no)
three-quarters      yes >= 3/4 of (yes + no)
absolute of         yes > 1/2 of the weight entitled to vote
entitled
==================  ==========================================

A tie is not a majority, and nothing is adopted without at least one yes: with no votes on the
base, "yes >= 2/3 of 0" would otherwise adopt a text nobody supported. The quorum is checked
first, on the weight that took part (yes + no + abstain); below it the outcome is "no quorum".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from resolutions.enums import MajorityMethod, PollOutcome

QuorumKind = Literal["none", "weight", "fraction"]
Basis = Literal["yes+no", "all", "entitled"]

# At most nine digits a number: every canonical form fits the 20 characters stored.
_WHOLE = re.compile(r"\d{1,9}")
_FRACTION = re.compile(r"(\d{1,9})\s*/\s*(\d{1,9})")
_PERCENT = re.compile(r"(\d{1,9})\s*%")


@dataclass(frozen=True)
class Quorum:
    """How much weight must take part for a poll to be valid.

    ``kind`` "none" (any participation will do), "weight" (a fixed weight, ``value`` whole) or
    "fraction" (``value`` of the weight entitled to vote, 0 < value <= 1).
    """

    kind: QuorumKind
    value: Fraction = Fraction(0)

    def weight(self, entitled: int) -> Fraction:
        """The participating weight needed, given the weight entitled to vote."""
        _check_count("entitled", entitled)
        if self.kind == "fraction":
            return self.value * entitled
        return self.value


NO_QUORUM = Quorum("none")


def N_(message: str) -> str:  # noqa: N802 (Babel's keyword for "translate later")
    """Mark ``message`` for the catalogue; whoever shows it translates it (no Flask here)."""
    return message


class QuorumError(ValueError):
    """The text is no quorum. ``message`` is the English message id, in the catalogue; the
    caller shows ``gettext(error.message)`` (``resolutions.voting.quorum_words``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_quorum(text: str) -> Quorum:
    """Read a quorum: "0" (none), "25" (a weight), "1/2" or "50%" (of the entitled weight).

    The one grammar of a quorum: the conference's settings, the poll form and the voting
    service all read it here (a share of 0, such as "0/5" or "0%", is no quorum). Raises
    ``QuorumError`` (a ``ValueError``) whose message says what is accepted.
    """
    cleaned = (text or "").strip()
    if _WHOLE.fullmatch(cleaned):
        number = int(cleaned)
        return NO_QUORUM if number == 0 else Quorum("weight", Fraction(number))
    fraction: Fraction | None = None
    if match := _FRACTION.fullmatch(cleaned):
        numerator, denominator = int(match[1]), int(match[2])
        if denominator == 0:
            raise QuorumError(N_("A quorum cannot divide by zero."))
        fraction = Fraction(numerator, denominator)
    elif match := _PERCENT.fullmatch(cleaned):
        fraction = Fraction(int(match[1]), 100)
    if fraction is None:
        raise QuorumError(
            N_(
                "Write the quorum as 0 (none), a whole weight such as 25, or a share of the "
                "weight entitled to vote such as 1/2 or 50%."
            )
        )
    if fraction == 0:
        return NO_QUORUM
    if fraction > 1:
        raise QuorumError(N_("A quorum cannot be more than the whole weight entitled to vote."))
    return Quorum("fraction", fraction)


def format_quorum(quorum: Quorum) -> str:
    """The canonical text of a quorum, as stored ("0", "25", "1/2"); ``parse_quorum`` reads it
    back to the same quorum."""
    if quorum.kind == "fraction":
        return f"{quorum.value.numerator}/{quorum.value.denominator}"
    return str(quorum.value.numerator)


@dataclass(frozen=True)
class Tally:
    """Weighted counts of a poll and the weight entitled to vote in it (whole numbers)."""

    yes: int
    no: int
    abstain: int
    entitled: int

    def __post_init__(self) -> None:
        for name in ("yes", "no", "abstain", "entitled"):
            _check_count(name, getattr(self, name))
        if self.participating > self.entitled:
            raise ValueError(
                f"more weight voted ({self.participating}) than is entitled ({self.entitled})"
            )

    @property
    def participating(self) -> int:
        """The weight that took part: yes + no + abstain."""
        return self.yes + self.no + self.abstain


@dataclass(frozen=True)
class Decision:
    """The outcome of a poll and the numbers that explain it.

    ``required`` is the threshold that yes had to beat (``strict``) or reach on ``basis``
    ("yes+no", "all" = yes+no+abstain, or "entitled").
    """

    outcome: PollOutcome
    participating: int
    quorum_weight: Fraction
    required: Fraction
    basis: Basis
    strict: bool

    @property
    def quorum_reached(self) -> bool:
        return self.outcome != PollOutcome.NO_QUORUM


@dataclass(frozen=True)
class _Rule:
    share: Fraction
    basis: Basis
    strict: bool  # True: yes must exceed the threshold; False: reaching it is enough


_RULES: dict[MajorityMethod, _Rule] = {
    # yes > no  <=>  yes > 1/2 (yes + no)
    MajorityMethod.SIMPLE: _Rule(Fraction(1, 2), "yes+no", strict=True),
    MajorityMethod.ABSOLUTE: _Rule(Fraction(1, 2), "all", strict=True),
    MajorityMethod.TWO_THIRDS: _Rule(Fraction(2, 3), "yes+no", strict=False),
    MajorityMethod.THREE_QUARTERS: _Rule(Fraction(3, 4), "yes+no", strict=False),
    MajorityMethod.ABSOLUTE_OF_ENTITLED: _Rule(Fraction(1, 2), "entitled", strict=True),
}


def _base(basis: Basis, tally: Tally) -> int:
    if basis == "yes+no":
        return tally.yes + tally.no
    if basis == "all":
        return tally.participating
    return tally.entitled


def threshold(method: MajorityMethod, tally: Tally) -> tuple[Fraction, Basis, bool]:
    """The threshold for yes under ``method``: (value, basis, strict)."""
    rule = _RULES[MajorityMethod(method)]
    return rule.share * _base(rule.basis, tally), rule.basis, rule.strict


def majority_reached(method: MajorityMethod, tally: Tally) -> bool:
    """Whether yes carries the motion under ``method`` (the quorum aside)."""
    needed, _basis, strict = threshold(method, tally)
    if tally.yes == 0:
        return False
    return tally.yes > needed if strict else tally.yes >= needed


def decide(method: MajorityMethod, quorum: Quorum, tally: Tally) -> Decision:
    """The outcome of a poll: no quorum, else adopted or rejected by ``method``."""
    needed, basis, strict = threshold(method, tally)
    quorum_weight = quorum.weight(tally.entitled)
    if tally.participating < quorum_weight:
        outcome = PollOutcome.NO_QUORUM
    elif majority_reached(method, tally):
        outcome = PollOutcome.ADOPTED
    else:
        outcome = PollOutcome.REJECTED
    return Decision(
        outcome=outcome,
        participating=tally.participating,
        quorum_weight=quorum_weight,
        required=needed,
        basis=basis,
        strict=strict,
    )


def _check_count(name: str, value: object) -> None:
    # bool is an int subclass and float is not exact: both are refused.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} cannot be negative ({value})")
