"""The pure text rules: numbering, the import parser, the word diff and the safe rendering."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolutions.drafting.text import (
    ClauseSnapshot,
    DiffSegment,
    NumberedClause,
    ParsedParagraph,
    diff_side,
    excerpt,
    letter_label,
    number_clauses,
    paragraph_parents,
    parse_draft,
    render_text,
    roman_label,
    tokenize,
    word_diff,
)
from resolutions.enums import ClauseKind, NumberingStyle

PRE, OP = ClauseKind.PREAMBULAR, ClauseKind.OPERATIVE
NUMBERED, PARAGRAPHS = NumberingStyle.NUMBERED, NumberingStyle.PARAGRAPHS


def clause(id, kind=OP, position=None, parent_id=None, text=None, deleted=False):
    return ClauseSnapshot(
        id=id,
        kind=kind,
        parent_id=parent_id,
        position=position if position is not None else id * 100,
        text=text if text is not None else f"text {id}",
        is_deleted=deleted,
    )


def paths(numbered: list[NumberedClause]) -> list[tuple[int | None, str, str]]:
    return [(n.clause_id, n.label, n.number_path) for n in numbered]


# --- labels ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "label"),
    [(0, "a"), (1, "b"), (25, "z"), (26, "aa"), (27, "bb"), (51, "zz"), (52, "aaa")],
)
def test_letters_run_a_to_z_then_double(index, label):
    assert letter_label(index) == label


@pytest.mark.parametrize(
    ("number", "label"),
    [(1, "i"), (2, "ii"), (3, "iii"), (4, "iv"), (5, "v"), (9, "ix"), (10, "x"), (14, "xiv")],
)
def test_roman_numerals(number, label):
    assert roman_label(number) == label


def test_labels_refuse_impossible_numbers():
    with pytest.raises(ValueError):
        roman_label(0)
    with pytest.raises(ValueError):
        letter_label(-1)


# --- numbering ------------------------------------------------------------------------------


def test_preambular_first_unnumbered_then_operative_numbered():
    clauses = [
        clause(1, OP, 100),
        clause(2, PRE, 300),
        clause(3, OP, 50),
        clause(4, PRE, 200),
    ]
    assert paths(number_clauses(clauses, NUMBERED)) == [
        (4, "", "P1"),
        (2, "", "P2"),
        (3, "1.", "1"),
        (1, "2.", "2"),
    ]


def test_sub_clauses_are_lettered_and_sub_sub_clauses_roman_depth_first():
    clauses = [
        clause(1, OP, 100),
        clause(2, OP, 200),
        clause(10, OP, 20, parent_id=2),
        clause(11, OP, 10, parent_id=2),
        clause(20, OP, 5, parent_id=10),
        clause(21, OP, 6, parent_id=10),
        clause(22, OP, 7, parent_id=10),
        clause(23, OP, 8, parent_id=10),
        clause(3, OP, 300),
    ]
    numbered = number_clauses(clauses, NUMBERED)
    assert paths(numbered) == [
        (1, "1.", "1"),
        (2, "2.", "2"),
        (11, "(a)", "2(a)"),
        (10, "(b)", "2(b)"),
        (20, "(i)", "2(b)(i)"),
        (21, "(ii)", "2(b)(ii)"),
        (22, "(iii)", "2(b)(iii)"),
        (23, "(iv)", "2(b)(iv)"),
        (3, "3.", "3"),
    ]
    assert [n.depth for n in numbered] == [0, 0, 1, 1, 2, 2, 2, 2, 0]
    assert numbered[4].parent_id == 10
    assert numbered[4].text == "text 20"


def test_twenty_seven_sub_clauses_go_on_to_aa():
    clauses = [clause(1, OP, 1)] + [clause(100 + i, OP, i, parent_id=1) for i in range(28)]
    labels = [n.label for n in number_clauses(clauses, NUMBERED)[1:]]
    assert labels[0] == "(a)"
    assert labels[25] == "(z)"
    assert labels[26:] == ["(aa)", "(bb)"]


def test_ten_sub_sub_clauses_reach_x():
    clauses = [clause(1, OP, 1), clause(2, OP, 1, parent_id=1)]
    clauses += [clause(100 + i, OP, i, parent_id=2) for i in range(10)]
    labels = [n.label for n in number_clauses(clauses, NUMBERED)[2:]]
    assert labels == [
        "(i)",
        "(ii)",
        "(iii)",
        "(iv)",
        "(v)",
        "(vi)",
        "(vii)",
        "(viii)",
        "(ix)",
        "(x)",
    ]


def test_inserting_a_clause_renumbers_those_after_it():
    before = [clause(1, OP, 100), clause(2, OP, 200), clause(3, OP, 300)]
    assert [n.number_path for n in number_clauses(before, NUMBERED)] == ["1", "2", "3"]
    after = [*before, clause(4, OP, 150)]
    assert paths(number_clauses(after, NUMBERED)) == [
        (1, "1.", "1"),
        (4, "2.", "2"),
        (2, "3.", "3"),
        (3, "4.", "4"),
    ]


def test_inserting_a_sub_clause_relabels_its_siblings_only():
    clauses = [
        clause(1, OP, 100),
        clause(2, OP, 10, parent_id=1),
        clause(3, OP, 20, parent_id=1),
        clause(4, OP, 200),
        clause(5, OP, 10, parent_id=4),
    ]
    clauses.append(clause(6, OP, 5, parent_id=1))
    assert paths(number_clauses(clauses, NUMBERED)) == [
        (1, "1.", "1"),
        (6, "(a)", "1(a)"),
        (2, "(b)", "1(b)"),
        (3, "(c)", "1(c)"),
        (4, "2.", "2"),
        (5, "(a)", "2(a)"),
    ]


def test_deleting_a_clause_renumbers_and_drops_its_sub_clauses():
    clauses = [
        clause(1, OP, 100),
        clause(2, OP, 200, deleted=True),
        clause(20, OP, 1, parent_id=2),  # under a deleted clause: gone with it
        clause(3, OP, 300),
        clause(4, PRE, 100, deleted=True),
        clause(5, PRE, 200),
    ]
    assert paths(number_clauses(clauses, NUMBERED)) == [
        (5, "", "P1"),
        (1, "1.", "1"),
        (3, "2.", "2"),
    ]


def test_a_clause_whose_parent_is_missing_is_not_part_of_the_text():
    clauses = [clause(1, OP, 100), clause(2, OP, 1, parent_id=99)]
    assert paths(number_clauses(clauses, NUMBERED)) == [(1, "1.", "1")]


def test_equal_positions_are_ordered_by_id():
    clauses = [clause(3, OP, 100), clause(2, OP, 100), clause(1, OP, 100)]
    assert [n.clause_id for n in number_clauses(clauses, NUMBERED)] == [1, 2, 3]


def test_a_clause_without_an_id_is_numbered_where_its_position_puts_it():
    clauses = [clause(1, OP, 100), clause(None, OP, 150), clause(2, OP, 200)]
    assert paths(number_clauses(clauses, NUMBERED)) == [
        (1, "1.", "1"),
        (None, "2.", "2"),
        (2, "3.", "3"),
    ]


def test_paragraphs_style_has_no_labels_and_counts_all_paragraphs():
    clauses = [
        clause(1, PRE, 100),
        clause(2, OP, 100),
        clause(3, OP, 10, parent_id=2),
        clause(4, PRE, 200),
        clause(5, OP, 200),
    ]
    assert paths(number_clauses(clauses, PARAGRAPHS)) == [
        (1, "", "1"),
        (4, "", "2"),
        (2, "", "3"),
        (3, "", "3(a)"),
        (5, "", "4"),
    ]


def test_numbering_empty_text():
    assert number_clauses([], NUMBERED) == []


def test_numbering_accepts_any_object_with_the_fields():
    class Row:
        def __init__(self, id, position):
            self.id, self.kind, self.parent_id = id, OP, None
            self.position, self.text, self.is_deleted = position, "x", False
            self.translation, self.translation_needed = "", False

    assert [n.number_path for n in number_clauses([Row(1, 2), Row(2, 1)], NUMBERED)] == ["1", "2"]


# --- the import parser ----------------------------------------------------------------------


def kinds(parsed: list[ParsedParagraph]) -> list[tuple[str, int, str, bool]]:
    return [(p.kind.value, p.depth, p.text, p.had_number) for p in parsed]


def test_parse_preambular_until_the_first_numbered_paragraph():
    text = (
        "Recalling the founding declaration of the network,\n\n"
        "Noting with concern the reports\nreceived from the delegations,\n\n"
        "1. Calls upon the governments to respect trade-union rights;\n\n"
        "2) Requests the secretariat to report;\n\n"
        "3 - Decides to remain seized of the matter."
    )
    assert kinds(parse_draft(text)) == [
        ("preambular", 0, "Recalling the founding declaration of the network,", False),
        ("preambular", 0, "Noting with concern the reports received from the delegations,", False),
        ("operative", 0, "Calls upon the governments to respect trade-union rights;", True),
        ("operative", 0, "Requests the secretariat to report;", True),
        ("operative", 0, "Decides to remain seized of the matter.", True),
    ]


def test_parse_sub_clauses_letters_and_roman():
    text = "\n\n".join(
        [
            "Подтверждая приверженность,",
            "1. Призывает:",
            "(a) первое;",
            "b) второе:",
            "(i) первое из второго;",
            "ii) второе из второго;",
            "(c) третье;",
            "2. Поручает секретариату.",
        ]
    )
    assert [(p.kind.value, p.depth, p.text) for p in parse_draft(text)] == [
        ("preambular", 0, "Подтверждая приверженность,"),
        ("operative", 0, "Призывает:"),
        ("operative", 1, "первое;"),
        ("operative", 1, "второе:"),
        ("operative", 2, "первое из второго;"),
        ("operative", 2, "второе из второго;"),
        ("operative", 1, "третье;"),
        ("operative", 0, "Поручает секретариату."),
    ]


def test_parse_cyrillic_letters_are_sub_clauses():
    text = "1. Призывает:\n\nа) первое;\n\n(б) второе."
    assert [(p.depth, p.text) for p in parse_draft(text)] == [
        (0, "Призывает:"),
        (1, "первое;"),
        (1, "второе."),
    ]


def test_parse_i_after_h_is_a_letter_and_roman_without_a_letter_is_depth_one():
    letters = "\n\n".join(["1. Lists:"] + [f"({c}) item {c}" for c in "abcdefghij"])
    parsed = parse_draft(letters)
    assert [p.depth for p in parsed] == [0] + [1] * 10
    assert parsed[9].text == "item i"

    roman_only = "1. Lists:\n\n(i) one\n\n(ii) two\n\n2. Next."
    assert [(p.depth, p.text) for p in parse_draft(roman_only)] == [
        (0, "Lists:"),
        (1, "one"),
        (1, "two"),
        (0, "Next."),
    ]


def test_parse_a_marker_before_any_operative_clause_stays_in_the_text():
    parsed = parse_draft("(a) Recalling something,\n\n1. Decides.")
    assert kinds(parsed) == [
        ("preambular", 0, "(a) Recalling something,", False),
        ("operative", 0, "Decides.", True),
    ]


def test_parse_unnumbered_paragraph_after_operative_ones_is_operative():
    parsed = parse_draft("1. Notes.\n\nFurther decides.")
    assert kinds(parsed) == [
        ("operative", 0, "Notes.", True),
        ("operative", 0, "Further decides.", False),
    ]


@pytest.mark.parametrize(
    "start",
    ["1.5 million workers", "2-3 days ago", "2024 was a year", "12.3 percent", "1.", "3 -"],
)
def test_parse_numbers_that_are_not_clause_numbers_are_kept(start):
    [paragraph] = parse_draft(start)
    assert paragraph.kind == PRE
    assert paragraph.text == start
    assert not paragraph.had_number


@pytest.mark.parametrize("mark", ["1.", "1)", "(1)", "1 -", "1 –", "1 —", "12."])
def test_parse_number_forms(mark):
    [paragraph] = parse_draft(f"{mark} Decides.")
    assert (paragraph.kind, paragraph.text, paragraph.had_number) == (OP, "Decides.", True)


def test_parse_windows_and_mac_newlines_and_blank_lines_with_spaces():
    text = "\ufeffFirst line\r\ncontinues\r\n  \r\nSecond\r\rThird\n\t\n\n\n"
    assert [p.text for p in parse_draft(text)] == ["First line continues", "Second", "Third"]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", "\r\n \r\n"])
def test_parse_empty_input(text):
    assert parse_draft(text) == []
    assert parse_draft(text, paragraphs=True) == []


def test_parse_a_50000_character_paragraph_quickly():
    long = "слово " * 8333 + "конец"
    assert len(long) > 50_000
    started = time.perf_counter()
    parsed = parse_draft(f"Preamble,\n\n1. {long}\n\n2. Short.")
    assert time.perf_counter() - started < 1
    assert [len(p.text) for p in parsed] == [9, len(long), 6]
    assert parsed[1].text == long


def test_parse_paragraphs_style_keeps_everything_whole():
    text = (
        "Обсудив положение профсоюзов, конференция отмечает рост давления;\n\n"
        "1. Having discussed the reports, the Conference calls upon members to act."
    )
    assert kinds(parse_draft(text, paragraphs=True)) == [
        (
            "operative",
            0,
            "Обсудив положение профсоюзов, конференция отмечает рост давления;",
            False,
        ),
        (
            "operative",
            0,
            "1. Having discussed the reports, the Conference calls upon members to act.",
            False,
        ),
    ]


# --- word diff ------------------------------------------------------------------------------


def test_tokens_keep_cyrillic_words_whole():
    assert tokenize("Призывает правительства, «срочно»!") == [
        "Призывает",
        " ",
        "правительства",
        ",",
        " ",
        "«",
        "срочно",
        "»",
        "!",
    ]


def test_diff_of_identical_texts_is_one_equal_segment():
    assert word_diff("same text", "same text") == [DiffSegment("equal", "same text")]


def test_diff_of_empty_texts():
    assert word_diff("", "") == []
    assert word_diff("", "new") == [DiffSegment("insert", "new")]
    assert word_diff("old", "") == [DiffSegment("delete", "old")]


def test_diff_english_words_and_punctuation():
    assert word_diff(
        "Calls upon all governments to respect the rights.",
        "Calls upon all governments to fully respect the rights;",
    ) == [
        DiffSegment("equal", "Calls upon all governments to "),
        DiffSegment("insert", "fully "),
        DiffSegment("equal", "respect the rights"),
        DiffSegment("delete", "."),
        DiffSegment("insert", ";"),
    ]


def test_diff_russian_words_whole_not_letters():
    segments = word_diff(
        "Призывает правительства уважать права профсоюзов.",
        "Настоятельно призывает правительства соблюдать права профсоюзов.",
    )
    assert segments == [
        DiffSegment("delete", "Призывает"),
        DiffSegment("insert", "Настоятельно призывает"),
        DiffSegment("equal", " правительства "),
        DiffSegment("delete", "уважать"),
        DiffSegment("insert", "соблюдать"),
        DiffSegment("equal", " права профсоюзов."),
    ]


def test_diff_folds_a_space_between_changes():
    assert word_diff("the quick fox", "a slow fox") == [
        DiffSegment("delete", "the quick"),
        DiffSegment("insert", "a slow"),
        DiffSegment("equal", " fox"),
    ]


def test_diff_one_changed_letter_marks_the_whole_word():
    assert word_diff("права защитников", "права защитниц") == [
        DiffSegment("equal", "права "),
        DiffSegment("delete", "защитников"),
        DiffSegment("insert", "защитниц"),
    ]


def test_diff_combining_accent_stays_in_its_word():
    old = "Приве\u0301т мир"
    assert tokenize(old)[0] == "Приве\u0301т"
    assert word_diff(old, "Приве\u0301т миру") == [
        DiffSegment("equal", "Приве\u0301т "),
        DiffSegment("delete", "мир"),
        DiffSegment("insert", "миру"),
    ]


def test_diff_side_rebuilds_both_texts():
    segments = word_diff("a b c", "a x c d")
    assert diff_side(segments, "old") == "a b c"
    assert diff_side(segments, "new") == "a x c d"


_texts = st.text(
    alphabet=st.sampled_from(list("абвгдеёжзийАБВabcXYZ019 \n\t.,;:«»—-()!?") + ["\u0301"]),
    max_size=60,
)
_wordy = st.lists(
    st.sampled_from(["права", "профсоюзов", "rights", "the", "и", ",", ".", " ", "  ", "\n"]),
    max_size=25,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(old=st.one_of(_texts, _wordy), new=st.one_of(_texts, _wordy))
def test_diff_property_rebuilds_old_and_new(old, new):
    segments = word_diff(old, new)
    assert diff_side(segments, "new") == new
    assert diff_side(segments, "old") == old
    assert all(s.text for s in segments)  # no empty segments
    assert all(a.op != b.op for a, b in zip(segments, segments[1:], strict=False))  # merged
    if old == new:
        assert all(s.op == "equal" for s in segments)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=80))
def test_tokens_join_back_to_the_text(text):
    assert "".join(tokenize(text)) == text


# --- rendering ------------------------------------------------------------------------------


def test_render_escapes_html():
    html = render_text('<img src=x onerror="alert(1)"> <script>alert(1)</script> & co')
    assert "<img" not in html
    assert "<script" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html


def test_render_emphasis_and_line_breaks():
    assert str(render_text("notes *with concern*\nthe reports")) == (
        "notes <em>with concern</em><br>\nthe reports"
    )
    assert str(render_text("a\r\nb")) == "a<br>\nb"


@pytest.mark.parametrize("text", ["2 * 3 * 4", "* not emphasis *", "*", "**", "a*b"])
def test_render_stars_that_are_not_emphasis_stay(text):
    assert str(render_text(text)) == text


def test_render_emphasis_cannot_smuggle_html():
    assert str(render_text("*<b>bold</b>*")) == "<em>&lt;b&gt;bold&lt;/b&gt;</em>"


def test_render_returns_markup_that_jinja_will_not_escape_again():
    from markupsafe import Markup, escape

    rendered = render_text("x < y")
    assert isinstance(rendered, Markup)
    assert escape(rendered) == rendered


# --- depth → clause tree --------------------------------------------------------------------

PRE, OP = ClauseKind.PREAMBULAR, ClauseKind.OPERATIVE


def test_paragraph_parents_follow_the_depths():
    entries = [(PRE, 0), (OP, 0), (OP, 1), (OP, 2), (OP, 1), (OP, 0), (OP, 1)]
    assert paragraph_parents(entries) == [None, None, 1, 2, 1, None, 5]


def test_paragraph_parents_of_a_skipped_level_is_the_nearest_shallower_one():
    """The preview still reads when a depth jumps (the import itself refuses it)."""
    assert paragraph_parents([(OP, 0), (OP, 2)]) == [None, 0]
    assert paragraph_parents([(OP, 1)]) == [None]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2), max_size=12))
def test_paragraph_parents_match_the_draft_numbering(raw_depths):
    """Built into clauses with those parents, the numbering gives every paragraph the depth
    it was given (for any depths the import accepts)."""
    depths: list[int] = []
    for depth in raw_depths:  # what the import accepts: at most one level deeper
        depths.append(min(depth, depths[-1] + 1) if depths else 0)
    parents = paragraph_parents([(OP, d) for d in depths])
    snapshots = [
        ClauseSnapshot(i + 1, OP, None if p is None else p + 1, i + 1, f"t{i}")
        for i, p in enumerate(parents)
    ]
    numbered = number_clauses(snapshots, NumberingStyle.NUMBERED)
    assert [c.depth for c in sorted(numbered, key=lambda c: c.clause_id)] == depths


def test_an_excerpt_is_one_line_cut_with_an_ellipsis():
    assert excerpt("calls  upon\nall States", 60) == "calls upon all States"
    assert excerpt("calls upon all States", 12) == "calls upon…"
    # Whole words: the table of contents never ends on half a word or a comma.
    assert excerpt("calls upon, all States", 15, whole_words=True) == "calls upon…"


@settings(max_examples=50)
@given(st.text(), st.integers(min_value=2, max_value=80), st.booleans())
def test_an_excerpt_never_exceeds_its_length(text, length, whole_words):
    cut = excerpt(text, length, whole_words=whole_words)
    # Whole words keep up to ``length`` characters before the ellipsis.
    assert "\n" not in cut and len(cut) <= length + whole_words
