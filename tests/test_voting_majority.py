"""Majority methods and quorum (resolutions.voting.majority): exact, weighted, no floats.

Three layers: hand-written cases straight from DESIGN.md's table, an exhaustive comparison
with an independent integer-only oracle over every small tally, and Hypothesis properties.
"""

from __future__ import annotations

import ast
import itertools
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolutions.enums import MajorityMethod, PollOutcome
from resolutions.voting import majority
from resolutions.voting.majority import (
    Quorum,
    Tally,
    decide,
    format_quorum,
    majority_reached,
    parse_quorum,
)
from resolutions.voting.quorum_words import quorum_label

ADOPTED, REJECTED, NO_QUORUM = PollOutcome.ADOPTED, PollOutcome.REJECTED, PollOutcome.NO_QUORUM
SIMPLE = MajorityMethod.SIMPLE
ABSOLUTE = MajorityMethod.ABSOLUTE
TWO_THIRDS = MajorityMethod.TWO_THIRDS
THREE_QUARTERS = MajorityMethod.THREE_QUARTERS
OF_ENTITLED = MajorityMethod.ABSOLUTE_OF_ENTITLED
NONE = parse_quorum("0")


def t(yes: int, no: int, abstain: int = 0, entitled: int | None = None) -> Tally:
    return Tally(yes, no, abstain, entitled if entitled is not None else yes + no + abstain)


# --- the table, case by case ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tally", "outcome"),
    [
        (t(3, 2), ADOPTED),
        (t(2, 2), REJECTED),  # a tie is not a majority
        (t(2, 3), REJECTED),
        (t(1, 0, 50), ADOPTED),  # abstentions do not count
        (t(0, 0, 5), REJECTED),  # nobody for it
        (t(0, 0, 0), REJECTED),  # nobody voted at all
        (t(0, 1), REJECTED),
    ],
)
def test_simple_majority(tally, outcome):
    assert decide(SIMPLE, NONE, tally).outcome == outcome


@pytest.mark.parametrize(
    ("tally", "outcome"),
    [
        (t(3, 2, 0), ADOPTED),
        (t(3, 1, 2), REJECTED),  # 3 is exactly half of 6: a tie with the rest
        (t(4, 1, 2), ADOPTED),  # 4 > 7/2
        (t(3, 2, 1), REJECTED),  # yes > no, but not more than half of all who voted
        (t(1, 0, 0), ADOPTED),
        (t(0, 0, 0), REJECTED),
    ],
)
def test_absolute_majority_counts_abstentions(tally, outcome):
    assert decide(ABSOLUTE, NONE, tally).outcome == outcome


@pytest.mark.parametrize(
    ("tally", "outcome"),
    [
        (t(2, 1), ADOPTED),  # exactly 2/3: reaching it is enough
        (t(20, 10, 99), ADOPTED),  # abstentions do not count
        (t(199, 100), REJECTED),  # 199/299 is just under 2/3
        (t(200, 100), ADOPTED),
        (t(201, 100), ADOPTED),
        (t(1, 1), REJECTED),
        (t(1, 0), ADOPTED),
        (t(0, 0, 3), REJECTED),  # 0 >= 2/3 of 0 must not adopt
    ],
)
def test_two_thirds(tally, outcome):
    assert decide(TWO_THIRDS, NONE, tally).outcome == outcome


@pytest.mark.parametrize(
    ("tally", "outcome"),
    [
        (t(3, 1), ADOPTED),  # exactly 3/4
        (t(2, 1), REJECTED),  # 2/3 is not enough
        (t(299, 100), REJECTED),  # just under 3/4
        (t(300, 100, 7), ADOPTED),
        (t(0, 0, 0), REJECTED),
    ],
)
def test_three_quarters(tally, outcome):
    assert decide(THREE_QUARTERS, NONE, tally).outcome == outcome


@pytest.mark.parametrize(
    ("tally", "outcome"),
    [
        (t(6, 0, 0, entitled=10), ADOPTED),
        (t(5, 0, 0, entitled=10), REJECTED),  # exactly half is a tie
        (t(5, 0, 0, entitled=9), ADOPTED),  # 5 > 9/2
        (t(4, 0, 0, entitled=9), REJECTED),  # unanimous, but too few of the entitled
        (t(6, 4, 0, entitled=11), ADOPTED),
        (t(0, 0, 0, entitled=0), REJECTED),
    ],
)
def test_absolute_majority_of_entitled(tally, outcome):
    assert decide(OF_ENTITLED, NONE, tally).outcome == outcome


def test_weights_are_counted_not_heads():
    # Two heavy delegates against five light ones: weight wins.
    heavy_yes = 2 * 3
    light_no = 5 * 1
    assert decide(SIMPLE, NONE, t(heavy_yes, light_no)).outcome == ADOPTED
    assert decide(TWO_THIRDS, NONE, t(heavy_yes, light_no)).outcome == REJECTED


# --- quorum ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("0", "none", Fraction(0)),
        (" 0 ", "none", Fraction(0)),
        ("", None, None),
        ("25", "weight", Fraction(25)),
        ("1/2", "fraction", Fraction(1, 2)),
        ("2 / 4", "fraction", Fraction(1, 2)),
        ("2/3", "fraction", Fraction(2, 3)),
        ("1/1", "fraction", Fraction(1)),
        ("0/5", "none", Fraction(0)),
        ("50%", "fraction", Fraction(1, 2)),
        ("100%", "fraction", Fraction(1)),
    ],
)
def test_parse_quorum(text, kind, value):
    if kind is None:
        with pytest.raises(ValueError, match="Write the quorum"):
            parse_quorum(text)
        return
    quorum = parse_quorum(text)
    assert (quorum.kind, quorum.value) == (kind, value)


@pytest.mark.parametrize("text", ["0.5", "-1", "abc", "1/2/3", "½", "1e3", "50 percent", "1,5"])
def test_parse_quorum_refuses_other_forms_with_a_clear_message(text):
    with pytest.raises(ValueError, match="Write the quorum as 0"):
        parse_quorum(text)


@pytest.mark.parametrize(("text", "message"), [("1/0", "divide by zero"), ("3/2", "more than")])
def test_parse_quorum_refuses_impossible_quorums(text, message):
    with pytest.raises(ValueError, match=message):
        parse_quorum(text)


def test_quorum_text_round_trips():
    for text in ["0", "25", "1/2", "2/3", "1/1"]:
        assert format_quorum(parse_quorum(text)) == text
    assert format_quorum(parse_quorum("50%")) == "1/2"
    assert format_quorum(parse_quorum("4/6")) == "2/3"
    assert format_quorum(parse_quorum("0/5")) == "0"


def test_parse_quorum_refuses_numbers_longer_than_what_is_stored():
    assert format_quorum(parse_quorum("999999999/999999999")) == "1/1"
    for text in ["1234567890", "1/1234567890", "1234567890%"]:
        with pytest.raises(ValueError, match="Write the quorum as 0"):
            parse_quorum(text)


def quorums():
    """Every quorum parse_quorum can give: none, a whole weight, a share in (0, 1]."""
    digits = st.integers(min_value=1, max_value=999_999_999)
    return st.one_of(
        st.just(Quorum("none")),
        digits.map(lambda n: Quorum("weight", Fraction(n))),
        st.tuples(digits, digits).map(
            lambda pair: Quorum("fraction", Fraction(min(pair), max(pair)))
        ),
    )


@given(quorums())
def test_parse_reads_back_what_format_wrote(quorum):
    text = format_quorum(quorum)
    assert len(text) <= 20  # the column's size
    assert parse_quorum(text) == quorum


@given(
    st.one_of(
        st.integers(min_value=0, max_value=10**9).map(str),
        st.tuples(st.integers(0, 10**9), st.integers(0, 10**9)).map(lambda p: f"{p[0]} / {p[1]}"),
        st.integers(0, 200).map(lambda n: f"{n}%"),
        st.text(alphabet="0123456789/% .-", max_size=12),
    )
)
def test_formatting_what_was_read_is_a_fixed_point(text):
    try:
        canonical = format_quorum(parse_quorum(text))
    except ValueError:
        return
    assert format_quorum(parse_quorum(canonical)) == canonical


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("0", "none"),
        ("", "none"),
        (None, "none"),
        ("25", "weight 25"),
        ("1/2", "1/2 of the entitled weight"),
        ("2/4", "1/2 of the entitled weight"),
        ("junk", "junk"),
    ],
)
def test_quorum_label_words_a_stored_quorum(stored, shown):
    assert quorum_label(stored) == shown


def test_quorum_weight():
    assert parse_quorum("0").weight(40) == 0
    assert parse_quorum("25").weight(40) == 25
    assert parse_quorum("25").weight(10) == 25  # a fixed weight does not shrink
    assert parse_quorum("1/2").weight(37) == Fraction(37, 2)
    assert parse_quorum("2/3").weight(10) == Fraction(20, 3)


def test_quorum_is_reached_exactly_at_the_boundary():
    half = parse_quorum("1/2")
    # Entitled 10: 5 must take part. Abstentions count towards the quorum.
    assert decide(SIMPLE, half, t(1, 0, 4, entitled=10)).outcome == ADOPTED
    assert decide(SIMPLE, half, t(1, 0, 3, entitled=10)).outcome == NO_QUORUM
    # Entitled 37: 18.5 needed, so 18 is not enough and 19 is.
    assert decide(SIMPLE, half, t(18, 0, 0, entitled=37)).outcome == NO_QUORUM
    assert decide(SIMPLE, half, t(19, 0, 0, entitled=37)).outcome == ADOPTED
    fixed = parse_quorum("25")
    assert decide(SIMPLE, fixed, t(24, 0, 0, entitled=100)).outcome == NO_QUORUM
    assert decide(SIMPLE, fixed, t(24, 0, 1, entitled=100)).outcome == ADOPTED


def test_no_quorum_adopts_nothing_even_when_unanimous():
    decision = decide(TWO_THIRDS, parse_quorum("3/4"), t(5, 0, 0, entitled=10))
    assert decision.outcome == NO_QUORUM
    assert not decision.quorum_reached
    assert decision.quorum_weight == Fraction(15, 2)
    assert decision.participating == 5


def test_zero_votes_without_quorum_is_rejected_with_one_is_no_quorum():
    assert decide(SIMPLE, NONE, t(0, 0, 0, entitled=10)).outcome == REJECTED
    assert decide(SIMPLE, parse_quorum("1"), t(0, 0, 0, entitled=10)).outcome == NO_QUORUM


# --- the numbers a Decision explains itself with --------------------------------------------


@pytest.mark.parametrize(
    ("method", "tally", "required", "basis", "strict"),
    [
        (SIMPLE, t(3, 2, 4), Fraction(5, 2), "yes+no", True),
        (ABSOLUTE, t(3, 2, 4), Fraction(9, 2), "all", True),
        (TWO_THIRDS, t(3, 2, 4), Fraction(10, 3), "yes+no", False),
        (THREE_QUARTERS, t(3, 2, 4), Fraction(15, 4), "yes+no", False),
        (OF_ENTITLED, t(3, 2, 4, entitled=15), Fraction(15, 2), "entitled", True),
    ],
)
def test_decision_explains_the_threshold(method, tally, required, basis, strict):
    decision = decide(method, NONE, tally)
    assert (decision.required, decision.basis, decision.strict) == (required, basis, strict)
    assert type(decision.required) is Fraction
    assert type(decision.quorum_weight) is Fraction
    assert decision.participating == tally.yes + tally.no + tally.abstain


# --- refusing what is not a tally -------------------------------------------------------------


@pytest.mark.parametrize("bad", [1.0, 0.5, True, "3", None, Fraction(1, 2)])
def test_tally_refuses_anything_but_whole_numbers(bad):
    with pytest.raises(TypeError):
        Tally(bad, 0, 0, 10)


def test_tally_refuses_negative_counts_and_more_votes_than_entitled():
    with pytest.raises(ValueError, match="negative"):
        Tally(-1, 0, 0, 10)
    with pytest.raises(ValueError, match="more weight voted"):
        Tally(5, 5, 1, 10)
    with pytest.raises(ValueError, match="negative"):
        parse_quorum("1/2").weight(-1)


def test_majority_reached_matches_decide_without_quorum():
    assert majority_reached(TWO_THIRDS, t(2, 1)) is True
    assert majority_reached(TWO_THIRDS, t(1, 1)) is False


def test_no_float_in_the_module():
    """No float literal, no float() call, no true division on counts: the source itself."""
    tree = ast.parse(Path(majority.__file__).read_text())
    for node in ast.walk(tree):
        assert not (isinstance(node, ast.Constant) and isinstance(node.value, float)), node.lineno
        assert not (isinstance(node, ast.Name) and node.id == "float"), node.lineno
        assert not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)), node.lineno


# --- exhaustive comparison with an independent integer oracle --------------------------------


def oracle(method: MajorityMethod, quorum: Quorum, tally: Tally) -> PollOutcome:
    """DESIGN.md's table restated with cross-multiplied integers only."""
    yes, no, abstain, entitled = tally.yes, tally.no, tally.abstain, tally.entitled
    took_part = yes + no + abstain
    if quorum.kind == "weight" and took_part < quorum.value.numerator:
        return NO_QUORUM
    if quorum.kind == "fraction":
        num, den = quorum.value.numerator, quorum.value.denominator
        if took_part * den < num * entitled:
            return NO_QUORUM
    passed = {
        SIMPLE: yes > no,
        ABSOLUTE: 2 * yes > took_part,
        TWO_THIRDS: 3 * yes >= 2 * (yes + no),
        THREE_QUARTERS: 4 * yes >= 3 * (yes + no),
        OF_ENTITLED: 2 * yes > entitled,
    }[method]
    return ADOPTED if passed and yes > 0 else REJECTED


QUORUMS = [parse_quorum(q) for q in ("0", "1", "4", "9", "1/3", "1/2", "2/3", "1/1")]


@pytest.mark.parametrize("method", list(MajorityMethod))
def test_every_small_tally_agrees_with_the_oracle(method):
    checked = 0
    for yes, no, abstain in itertools.product(range(7), repeat=3):
        for extra in (0, 1, 5):
            tally = Tally(yes, no, abstain, yes + no + abstain + extra)
            for quorum in QUORUMS:
                assert decide(method, quorum, tally).outcome == oracle(method, quorum, tally), (
                    method,
                    quorum,
                    tally,
                )
                checked += 1
    assert checked == 7**3 * 3 * len(QUORUMS)


# --- properties ------------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=10_000)
methods = st.sampled_from(list(MajorityMethod))
quorums = st.one_of(
    st.just(NONE),
    st.integers(min_value=1, max_value=20_000).map(lambda n: Quorum("weight", Fraction(n))),
    st.fractions(min_value=Fraction(1, 1000), max_value=1, max_denominator=1000).map(
        lambda f: Quorum("fraction", f)
    ),
)


@st.composite
def tallies(draw: st.DrawFn, room: int = 1) -> Tally:
    """A tally whose entitled weight leaves ``room`` for more votes."""
    yes, no, abstain = draw(counts), draw(counts), draw(counts)
    spare = draw(st.integers(min_value=room, max_value=10_000))
    return Tally(yes, no, abstain, yes + no + abstain + spare)


@given(methods, quorums, tallies(), st.integers(min_value=1, max_value=50))
def test_more_yes_never_turns_adopted_into_rejected(method, quorum, tally, weight):
    before = decide(method, quorum, tally).outcome
    more = Tally(tally.yes + weight, tally.no, tally.abstain, tally.entitled + weight)
    after = decide(method, quorum, more).outcome
    if before == ADOPTED:
        assert after == ADOPTED
    # More participation never loses a quorum, even one that is a share of a grown entitlement.
    if before != NO_QUORUM:
        assert after != NO_QUORUM


@given(methods, quorums, tallies(room=50), st.integers(min_value=1, max_value=50))
def test_more_yes_within_the_same_entitlement_never_hurts(method, quorum, tally, weight):
    # The voter was already entitled (and had not voted yet): entitled weight unchanged.
    before = decide(method, quorum, tally).outcome
    more = Tally(tally.yes + weight, tally.no, tally.abstain, tally.entitled)
    after = decide(method, quorum, more).outcome
    if before == ADOPTED:
        assert after == ADOPTED
    if before != NO_QUORUM:
        assert after != NO_QUORUM


@given(methods, quorums, tallies(room=50), st.integers(min_value=1, max_value=50))
def test_more_no_never_turns_rejected_into_adopted(method, quorum, tally, weight):
    before = decide(method, quorum, tally).outcome
    more = Tally(tally.yes, tally.no + weight, tally.abstain, tally.entitled)
    after = decide(method, quorum, more).outcome
    if before == REJECTED:
        assert after == REJECTED


@given(methods, quorums, tallies(room=50), st.integers(min_value=1, max_value=50))
def test_more_abstentions_never_turn_rejected_into_adopted(method, quorum, tally, weight):
    before = decide(method, quorum, tally).outcome
    more = Tally(tally.yes, tally.no, tally.abstain + weight, tally.entitled)
    if before == REJECTED:
        assert decide(method, quorum, more).outcome == REJECTED


@given(
    st.sampled_from([SIMPLE, ABSOLUTE, TWO_THIRDS, THREE_QUARTERS]),
    tallies(),
    st.integers(min_value=2, max_value=1000),
    st.integers(min_value=0, max_value=20_000),
)
def test_scaling_every_weight_keeps_the_outcome(method, tally, k, extra_entitled):
    # The methods that do not look at the entitled weight ignore it entirely, too.
    scaled = Tally(tally.yes * k, tally.no * k, tally.abstain * k, tally.entitled * k)
    elsewhere = Tally(tally.yes, tally.no, tally.abstain, tally.entitled + extra_entitled)
    outcome = decide(method, NONE, tally).outcome
    assert decide(method, NONE, scaled).outcome == outcome
    assert decide(method, NONE, elsewhere).outcome == outcome


shares = st.fractions(0, 1, max_denominator=100)


@given(methods, tallies(), st.integers(min_value=2, max_value=1000), shares)
def test_scaling_with_a_share_quorum_keeps_the_outcome(method, tally, k, share):
    quorum = parse_quorum(f"{share.numerator}/{share.denominator}")
    scaled = Tally(tally.yes * k, tally.no * k, tally.abstain * k, tally.entitled * k)
    assert decide(method, quorum, scaled).outcome == decide(method, quorum, tally).outcome


@given(
    methods,
    quorums,
    st.lists(st.tuples(st.sampled_from(["yes", "no", "abstain"]), st.integers(1, 20)), max_size=40),
    st.randoms(use_true_random=False),
    st.integers(0, 200),
)
def test_outcome_does_not_depend_on_the_order_of_ballots(method, quorum, ballots, rnd, spare):
    def count(order: list[tuple[str, int]]) -> Tally:
        sums = {"yes": 0, "no": 0, "abstain": 0}
        for choice, weight in order:
            sums[choice] += weight
        total = sum(sums.values())
        return Tally(sums["yes"], sums["no"], sums["abstain"], total + spare)

    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert decide(method, quorum, count(ballots)) == decide(method, quorum, count(shuffled))


@given(methods, quorums, tallies())
def test_decisions_are_exact_and_consistent(method, quorum, tally):
    decision = decide(method, quorum, tally)
    assert type(decision.required) is Fraction
    assert type(decision.quorum_weight) is Fraction
    assert isinstance(decision.participating, int)
    if decision.outcome == ADOPTED:
        assert tally.yes > 0
        assert tally.yes > decision.required if decision.strict else tally.yes >= decision.required
        assert decision.participating >= decision.quorum_weight
    assert decision.outcome == oracle(method, quorum, tally)
