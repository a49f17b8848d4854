"""Properties of the rules that have a grammar or an inverse (Hypothesis).

- Numbering labels: "a".."z", "aa".. and roman "i", "ii".. read back to the position they
  were made from; every clause's label is its rank among its siblings by position.
- The draft import: a clause tree written out as a secretariat would type it ("1.", "(a)",
  "(i)") is parsed back into the same tree.
- The participants CSV: rows written with either delimiter, in any column order, with the
  header in either language, in UTF-8 with or without a byte-order mark or in Windows-1251,
  with blank lines between them, are read back as the same rows on the same line numbers.

Example counts stay modest: each property runs in about a second.
"""

from __future__ import annotations

import csv
import io
import re

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from resolutions.conferences import csv_import
from resolutions.drafting.text import (
    ClauseSnapshot,
    letter_label,
    number_clauses,
    parse_draft,
    roman_label,
)
from resolutions.models import ClauseKind, NumberingStyle, Role

PRE, OP = ClauseKind.PREAMBULAR, ClauseKind.OPERATIVE

# --- labels -------------------------------------------------------------------------------------

_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def letter_index(label: str) -> int:
    """The inverse of ``letter_label``, written independently: "a" → 0, "bb" → 27."""
    assert label and set(label) == {label[0]} and "a" <= label[0] <= "z", label
    return (len(label) - 1) * 26 + ord(label[0]) - ord("a")


def roman_value(numeral: str) -> int:
    """The value of a (lower-case) roman numeral, subtractive pairs included."""
    values = [_ROMAN_VALUES[c] for c in numeral]
    return sum(-v if v < w else v for v, w in zip(values, [*values[1:], 0], strict=True))


@settings(max_examples=200, deadline=None)
@given(index=st.integers(min_value=0, max_value=2000))
def test_a_letter_label_reads_back_as_its_position(index):
    label = letter_label(index)
    assert letter_index(label) == index
    if index:  # the labels run in order: each one comes after the one before it
        before = letter_label(index - 1)
        assert (len(before), before) < (len(label), label)


@settings(max_examples=200, deadline=None)
@given(number=st.integers(min_value=1, max_value=3999))
def test_a_roman_label_reads_back_as_its_number(number):
    numeral = roman_label(number)
    assert roman_value(numeral) == number
    # The canonical form: no numeral four times in a row, only the six subtractive pairs.
    assert re.fullmatch(r"m*(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})", numeral)


# --- clause trees ---------------------------------------------------------------------------------

# Words of a clause (Latin and Cyrillic), never a marker or a number: the first starts upper case.
_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzабвгдеёжзийклмнопрстуфхцчшщыэюя", min_size=1)
_FIRST = st.sampled_from(["Calls", "Notes", "Recalling", "Призывает", "Отмечает", "Обсудив"])
_TEXT = st.builds(
    lambda first, rest, end: " ".join([first, *rest]) + end,
    _FIRST,
    st.lists(_WORD, max_size=5),
    st.sampled_from([",", ";", ".", ":", ""]),
)

# A sub-clause lettered (h), (u) or (w) has no sub-sub-clauses of its own in these trees: its
# first one, "(i)", "(v)" or "(x)", would read as the next letter (parse_draft's documented rule).
_AMBIGUOUS_PARENTS = {"h", "u", "w"}


@st.composite
def clause_trees(draw):
    """(preambular texts, [(operative text, [(sub text, [sub-sub texts])])])."""
    preambular = draw(st.lists(_TEXT, max_size=3))
    operative = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        subs = []
        for index in range(draw(st.integers(min_value=0, max_value=10))):
            allowed = 0 if letter_label(index) in _AMBIGUOUS_PARENTS else 4
            subs.append((draw(_TEXT), draw(st.lists(_TEXT, max_size=allowed))))
        operative.append((draw(_TEXT), subs))
    return preambular, operative


def snapshots(tree, positions) -> list[ClauseSnapshot]:
    """The tree as clauses whose positions (drawn at random) keep each list's order."""
    preambular, operative = tree
    clauses: list[ClauseSnapshot] = []

    def add(kind, text, parent_id, rank):
        clause = ClauseSnapshot(
            id=len(clauses) + 1,
            kind=kind,
            parent_id=parent_id,
            position=positions[rank],
            text=text,
        )
        clauses.append(clause)
        return clause.id

    for rank, text in enumerate(preambular):
        add(PRE, text, None, rank)
    for rank, (text, subs) in enumerate(operative):
        top = add(OP, text, None, rank)
        for sub_rank, (sub_text, subsubs) in enumerate(subs):
            sub = add(OP, sub_text, top, sub_rank)
            for subsub_rank, subsub_text in enumerate(subsubs):
                add(OP, subsub_text, sub, subsub_rank)
    return clauses


_POSITIONS = st.lists(
    st.integers(min_value=-(10**6), max_value=10**6), min_size=12, max_size=12, unique=True
).map(sorted)


@settings(max_examples=60, deadline=None)
@given(tree=clause_trees(), positions=_POSITIONS, shuffle=st.randoms(use_true_random=False))
def test_every_label_is_the_rank_among_its_siblings(tree, positions, shuffle):
    clauses = snapshots(tree, positions)
    shuffle.shuffle(clauses)  # the order rows come from the database does not matter
    numbered = number_clauses(clauses, NumberingStyle.NUMBERED)
    preambular, operative = tree

    expected = [("", f"P{n}", text) for n, text in enumerate(preambular, start=1)]
    for n, (text, subs) in enumerate(operative, start=1):
        expected.append((f"{n}.", str(n), text))
        for index, (sub_text, subsubs) in enumerate(subs):
            letter = letter_label(index)
            expected.append((f"({letter})", f"{n}({letter})", sub_text))
            for number, subsub_text in enumerate(subsubs, start=1):
                roman = roman_label(number)
                expected.append((f"({roman})", f"{n}({letter})({roman})", subsub_text))
    assert [(c.label, c.number_path, c.text) for c in numbered] == expected


def typed_out(tree, marks) -> str:
    """The tree as a secretariat types it: one paragraph per clause, blank lines between."""
    preambular, operative = tree
    number_mark, letter_mark, roman_mark = marks
    paragraphs = list(preambular)
    for n, (text, subs) in enumerate(operative, start=1):
        paragraphs.append(f"{number_mark.format(n)} {text}")
        for index, (sub_text, subsubs) in enumerate(subs):
            paragraphs.append(f"{letter_mark.format(letter_label(index))} {sub_text}")
            for number, subsub_text in enumerate(subsubs, start=1):
                paragraphs.append(f"{roman_mark.format(roman_label(number))} {subsub_text}")
    return "\n\n".join(paragraphs)


_MARKS = st.tuples(
    st.sampled_from(["{}.", "{})", "({})", "{} -"]),
    st.sampled_from(["({})", "{})"]),
    st.sampled_from(["({})", "{})"]),
)
_LINE_ENDS = st.sampled_from(["\n", "\r\n", "\r"])


@settings(max_examples=100, deadline=None)
@given(tree=clause_trees(), marks=_MARKS, line_end=_LINE_ENDS)
def test_a_typed_out_tree_parses_back_into_the_same_tree(tree, marks, line_end):
    typed = typed_out(tree, marks).replace("\n", line_end)
    preambular, operative = tree
    expected = [(PRE, 0, text) for text in preambular]
    for text, subs in operative:
        expected.append((OP, 0, text))
        for sub_text, subsubs in subs:
            expected.append((OP, 1, sub_text))
            expected.extend((OP, 2, subsub_text) for subsub_text in subsubs)
    parsed = parse_draft(typed)
    assert [(p.kind, p.depth, p.text) for p in parsed] == expected
    assert all(p.had_number for p in parsed if p.kind == OP)


# --- the participants CSV -----------------------------------------------------------------------

# Names and organisations in Latin and Cyrillic, with what needs quoting in CSV (both
# delimiters, quotes); all of it exists in Windows-1251.
_CELL_ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;-'()\"«»№"
    + "".join(chr(c) for c in range(ord("А"), ord("я") + 1))
    + "Ёё"
)
_CELL = st.text(alphabet=_CELL_ALPHABET, max_size=25).map(str.strip)
# Header names as people write them (a name with a delimiter in it is not sniffable).
_HEADERS = {
    column: sorted(a for a in aliases if "," not in a and ";" not in a)
    for column, aliases in csv_import.HEADER_ALIASES.items()
}
_ROLE_WORDS = {
    role: sorted(word for word, named in csv_import.ROLE_NAMES.items() if named == role)
    for role in Role
}


@st.composite
def participant_files(draw):
    """(file bytes, the rows each as the ImportRow fields expected, with its line number)."""
    optional = [c for c in csv_import.COLUMNS if c not in csv_import.REQUIRED_COLUMNS]
    columns = ["name", "email", *draw(st.lists(st.sampled_from(optional), unique=True))]
    columns = draw(st.permutations(columns))
    delimiter = draw(st.sampled_from([",", ";"]))
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    header = [draw(st.sampled_from(_HEADERS[c])) for c in columns]
    writer.writerow([h.upper() if draw(st.booleans()) else h for h in header])
    line, expected = 1, []
    for number in range(draw(st.integers(min_value=1, max_value=6))):
        if draw(st.booleans()):
            out.write("\r\n")  # an empty line: skipped, but it counts for line numbers
            line += 1
        role = draw(st.sampled_from(list(Role))) if "role" in columns else Role.DELEGATE
        votes = role in (Role.CHAIR, Role.DELEGATE)
        row = {
            "name": draw(_CELL.filter(bool)),
            "email": f"Person.{number}@Example.org",
            "organisation": draw(_CELL) if "organisation" in columns else "",
            "country": draw(_CELL) if "country" in columns else "",
            "delegation": draw(_CELL) if "delegation" in columns else "",
            "role": role,
            "weight": draw(st.integers(1, csv_import.MAX_WEIGHT)) if "weight" in columns else 1,
            "voting_right": (draw(st.booleans()) if votes else draw(st.sampled_from([False, None])))
            if "voting_right" in columns
            else None,
        }
        cells = {
            "role": draw(st.sampled_from(_ROLE_WORDS[role])),
            "weight": str(row["weight"]),
            "voting_right": {True: "да", False: "no", None: ""}[row["voting_right"]],
        }
        writer.writerow([cells.get(c, row[c]) for c in columns])
        line += 1
        expected.append({**row, "email": row["email"].lower(), "line": line})
    data = out.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1251"])))
    return data, delimiter, frozenset(columns), expected


@settings(max_examples=150, deadline=None)
@given(file=participant_files())
def test_participant_rows_read_back_whatever_the_encoding_and_delimiter(file):
    data, delimiter, columns, expected = file
    text, encoding = csv_import.decode(data)
    # Windows-1251 bytes that also happen to be valid UTF-8 ("Р«" is "Ы" in UTF-8) read as
    # UTF-8, which is tried first: such a file is ambiguous, whoever reads it.
    assume(encoding != csv_import.UTF8 or data.decode("utf-8") == text)
    parsed = csv_import.parse(text)
    assert parsed.ok, parsed.errors
    assert parsed.delimiter == delimiter
    assert parsed.columns == columns
    assert parsed.ignored_columns == []
    assert [vars(row) for row in parsed.rows] == expected
