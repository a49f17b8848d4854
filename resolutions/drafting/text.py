"""The pure rules of a resolution's text: numbering, the import parser, word diffs, rendering.

Nothing here touches the database or needs a Flask app; the service and the templates call
these functions with rows or plain objects.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from markupsafe import Markup, escape

from resolutions.enums import ClauseKind, NumberingStyle

# --- numbering ------------------------------------------------------------------------------


class ClauseLike(Protocol):
    """What numbering needs of a clause: a ``Clause``, a ``ClauseSnapshot`` or a plain object."""

    @property
    def id(self) -> int | None: ...
    @property
    def kind(self) -> ClauseKind: ...
    @property
    def parent_id(self) -> int | None: ...
    @property
    def position(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def is_deleted(self) -> bool: ...
    @property
    def translation(self) -> str: ...
    @property
    def translation_needed(self) -> bool: ...


@dataclass(frozen=True)
class ClauseSnapshot:
    """A clause as it stood at some moment (from a ``ClauseVersion``) or as it would stand
    (an amendment's preview). ``id`` is the clause's id; None for a clause not created yet."""

    id: int | None
    kind: ClauseKind
    parent_id: int | None
    position: int
    text: str
    is_deleted: bool = False
    translation: str = ""
    translation_needed: bool = False


@dataclass(frozen=True)
class NumberedClause:
    """A clause in document order with the number derived from its position.

    ``label`` is what the document prints before the text ("1.", "(a)", "(i)"; "" for
    preambular clauses and for every clause in the paragraphs style). ``number_path`` is how a
    reference reads: "2(a)(i)" for operative clauses, "P3" for the 3rd preambular clause; in the
    paragraphs style the ordinal of the paragraph among all top-level paragraphs ("3", "3(a)").
    ``translation`` is the text in the conference's second language ("" = none);
    ``translation_needed`` says it is outdated (kept for reference).
    """

    clause_id: int | None
    kind: ClauseKind
    depth: int
    label: str
    number_path: str
    text: str
    parent_id: int | None
    position: int
    translation: str = ""
    translation_needed: bool = False


def letter_label(index: int) -> str:
    """0 → "a", 25 → "z", 26 → "aa", 27 → "bb", 52 → "aaa" (how resolutions letter on)."""
    if index < 0:
        raise ValueError("index must not be negative")
    return chr(ord("a") + index % 26) * (index // 26 + 1)


_ROMAN = (
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
)


def roman_label(number: int) -> str:
    """1 → "i", 4 → "iv", 14 → "xiv" (lower case, as sub-sub-clauses are numbered)."""
    if number < 1:
        raise ValueError("roman numerals start at 1")
    out = []
    for value, numeral in _ROMAN:
        count, number = divmod(number, value)
        out.append(numeral * count)
    return "".join(out)


def _sub_label(depth: int, index: int) -> str:
    """The bare number of the ``index``-th (0-based) sibling at ``depth`` ≥ 1."""
    if depth == 1:
        return letter_label(index)
    if depth == 2:
        return roman_label(index + 1)
    # Deeper than the product offers (the service refuses it); upper-case letters, readable.
    return letter_label(index).upper()


def _sort_key(clause: ClauseLike) -> tuple[int, int]:
    return (clause.position, clause.id if clause.id is not None else 0)


def number_clauses(clauses: Iterable[ClauseLike], style: NumberingStyle) -> list[NumberedClause]:
    """Number ``clauses`` and put them in document order.

    All preambular clauses first (by position), then the operative clauses depth-first
    (children by position under their parent). A deleted clause is skipped with everything
    under it, and so is a clause whose parent is not among ``clauses`` (it is not part of the
    text). Ties of position are broken by id, so the order is always the same.
    """
    live = [c for c in clauses if not c.is_deleted]
    children: dict[int | None, list[ClauseLike]] = {}
    for clause in live:
        children.setdefault(clause.parent_id, []).append(clause)
    for siblings in children.values():
        siblings.sort(key=_sort_key)

    result: list[NumberedClause] = []
    top = children.get(None, [])
    paragraphs = style == NumberingStyle.PARAGRAPHS
    ordinal = 0  # paragraphs style: one count over all top-level paragraphs

    def walk(parent: ClauseLike, depth: int, path: str) -> None:
        if parent.id is None:
            return
        for index, child in enumerate(children.get(parent.id, [])):
            bare = _sub_label(depth, index)
            child_path = f"{path}({bare})"
            result.append(_numbered(child, depth, "" if paragraphs else f"({bare})", child_path))
            walk(child, depth + 1, child_path)

    for kind in (ClauseKind.PREAMBULAR, ClauseKind.OPERATIVE):
        count = 0
        for clause in top:
            if clause.kind != kind:
                continue
            count += 1
            ordinal += 1
            if paragraphs:
                label, path = "", str(ordinal)
            elif kind == ClauseKind.PREAMBULAR:
                label, path = "", f"P{count}"
            else:
                label, path = f"{count}.", str(count)
            result.append(_numbered(clause, 0, label, path))
            walk(clause, 1, path)
    return result


def _numbered(clause: ClauseLike, depth: int, label: str, path: str) -> NumberedClause:
    return NumberedClause(
        clause_id=clause.id,
        kind=clause.kind,
        depth=depth,
        label=label,
        number_path=path,
        text=clause.text,
        parent_id=clause.parent_id,
        position=clause.position,
        # "" until a new row is flushed (the column's default)
        translation=clause.translation or "",
        translation_needed=bool(clause.translation_needed),
    )


# --- word diff ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffSegment:
    op: Literal["equal", "insert", "delete"]
    text: str


# A word (letters, digits, underscore and combining marks, so Cyrillic and accents stay whole),
# a run of whitespace, or a single other character (punctuation, symbols).
_TOKEN = re.compile(r"[\w\u0300-\u036f]+|\s+|[^\w\s]", re.UNICODE)


def tokenize(text: str) -> list[str]:
    """Split ``text`` into word, whitespace and punctuation tokens; they join back to it."""
    return _TOKEN.findall(text)


def word_diff(old: str, new: str) -> list[DiffSegment]:
    """The word-level difference between ``old`` and ``new``.

    Joining the "equal" and "insert" segments gives ``new``; joining "equal" and "delete"
    gives ``old``. Within a changed run the deletion comes before the insertion, adjacent
    segments of one kind are merged, and a bare space between two changes is folded into
    them ("[-a b-][+c d+]" rather than "[-a-][+c+] [-b-][+d+]"), which reads better.
    """
    a, b = tokenize(old), tokenize(new)
    # An amendment usually changes a few words of a long clause: match the common start and
    # end directly and leave only the middle to SequenceMatcher (quadratic at worst).
    prefix = 0
    while prefix < len(a) and prefix < len(b) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < len(a) - prefix
        and suffix < len(b) - prefix
        and a[len(a) - 1 - suffix] == b[len(b) - 1 - suffix]
    ):
        suffix += 1
    middle = difflib.SequenceMatcher(
        None, a[prefix : len(a) - suffix], b[prefix : len(b) - suffix], autojunk=False
    ).get_opcodes()
    opcodes = [("equal", 0, prefix, 0, prefix)] if prefix else []
    opcodes += [
        (tag, i1 + prefix, i2 + prefix, j1 + prefix, j2 + prefix)
        for tag, i1, i2, j1, j2 in middle
        if i1 != i2 or j1 != j2
    ]
    if suffix:
        opcodes.append(("equal", len(a) - suffix, len(a), len(b) - suffix, len(b)))
    # Runs of ("equal", text) or ("change", deleted, inserted).
    runs: list[tuple[str, str, str]] = []
    for tag, i1, i2, j1, j2 in opcodes:
        deleted, inserted = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "equal" and runs and runs[-1][0] == "equal":
            runs[-1] = ("equal", runs[-1][1] + deleted, "")
        elif tag == "equal":
            runs.append(("equal", deleted, ""))
        elif runs and runs[-1][0] == "change":
            _, d, i = runs[-1]
            runs[-1] = ("change", d + deleted, i + inserted)
        else:
            runs.append(("change", deleted, inserted))

    # Fold whitespace-only equal runs that sit between two changes into both sides.
    folded: list[tuple[str, str, str]] = []
    index = 0
    while index < len(runs):
        run = runs[index]
        if (
            run[0] == "equal"
            and run[1].isspace()
            and folded
            and folded[-1][0] == "change"
            and index + 1 < len(runs)
            and runs[index + 1][0] == "change"
        ):
            _, d, i = folded[-1]
            _, nd, ni = runs[index + 1]
            folded[-1] = ("change", d + run[1] + nd, i + run[1] + ni)
            index += 2
            continue
        folded.append(run)
        index += 1

    segments: list[DiffSegment] = []
    for run in folded:
        if run[0] == "equal":
            _append(segments, "equal", run[1])
        else:
            _append(segments, "delete", run[1])
            _append(segments, "insert", run[2])
    return segments


def _append(
    segments: list[DiffSegment], op: Literal["equal", "insert", "delete"], text: str
) -> None:
    if not text:
        return
    if segments and segments[-1].op == op:
        segments[-1] = DiffSegment(op, segments[-1].text + text)
    else:
        segments.append(DiffSegment(op, text))


def diff_side(segments: Iterable[DiffSegment], side: Literal["old", "new"]) -> str:
    """Rebuild the old (equal + delete) or the new (equal + insert) text from a diff."""
    keep = "delete" if side == "old" else "insert"
    return "".join(s.text for s in segments if s.op in ("equal", keep))


# --- the import parser ----------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedParagraph:
    kind: ClauseKind
    text: str
    depth: int
    had_number: bool


def paragraph_parents(paragraphs: Iterable[tuple[ClauseKind, int]]) -> list[int | None]:
    """The tree of paragraphs given in order as (kind, depth): for each, the index of the
    paragraph it is a sub-clause of, or None.

    The one home of "depth → clause tree" (the import preview numbers with it, the import
    saves with it): an operative paragraph of depth d > 0 belongs to the operative paragraph
    of depth d - 1 open before it (the nearest shallower one when levels were skipped, so a
    preview of a bad depth still reads); preambular paragraphs and depth 0 have no parent.
    """
    parents: list[int | None] = []
    open_at: list[int] = []  # index of the operative paragraph open at each level
    for index, (kind, depth) in enumerate(paragraphs):
        if kind != ClauseKind.OPERATIVE:
            parents.append(None)
            continue
        del open_at[depth:]
        parents.append(open_at[-1] if depth and open_at else None)
        open_at.append(index)
    return parents


# "1." "12)" "(3)" "3 -" "4 –" followed by the text. A dot or dash needs a space after it, so
# "1.5 million" or "2-3 days" at the start of a paragraph are not taken for numbers.
_NUMBER = re.compile(
    r"^(?:\(\d{1,3}\)\s*|\d{1,3}\)\s*|\d{1,3}\.(?:\s+|$)|\d{1,3}\s*[-–—](?:\s+|$))"
)
# "(a)" "a)" "(aa)"; Cyrillic "(а)" "б)" as Russian documents letter them.
_LETTER = re.compile(r"^\(?([a-z]{1,2}|[а-яё])\)(?:\s+|$)", re.IGNORECASE)
_ROMAN_MARK = re.compile(r"^\(?([ivxl]{1,6})\)(?:\s+|$)", re.IGNORECASE)
_VALID_ROMAN = {roman_label(n) for n in range(1, 60)}
_BLANK_LINE = re.compile(r"\n[ \t\f\v\u00a0]*\n")


def _blocks(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    blocks = []
    for block in _BLANK_LINE.split(text):
        lines = [line.strip() for line in block.split("\n")]
        joined = " ".join(line for line in lines if line)
        if joined:
            blocks.append(joined)
    return blocks


def leading_marker(block: str) -> int:
    """Where a paragraph's text starts after a leading "1.", "(a)" or "(iv)" of the kind
    ``parse_draft`` strips (0: none). The Word import keeps such a marker out of the emphasis
    it marks, so the parser still sees it."""
    for pattern in (_NUMBER, _ROMAN_MARK, _LETTER):
        match = pattern.match(block)
        if match and block[match.end() :].strip():
            return match.end()
    return 0


def _previous_letter(letter: str) -> str:
    """The label before ``letter`` in a lettered list ("h" before "i"; "" before "a")."""
    if len(letter) == 1:
        return "" if letter in ("a", "а") else chr(ord(letter) - 1)
    return "z" if letter == "aa" else chr(ord(letter[0]) - 1) * 2


def parse_draft(text: str, paragraphs: bool = False) -> list[ParsedParagraph]:
    """Split pasted plain text into the paragraphs of a draft, one per clause.

    A paragraph is a block separated by blank lines; single line breaks inside a block join
    with a space, Windows and old Mac line ends included. Paragraphs are preambular until the
    first one with a leading number ("1.", "2)", "(3)", "3 -"); from then on they are
    operative. Under an operative clause, "(a)"/"a)" (Latin or Cyrillic letters) start a
    sub-clause (depth 1) and "(i)"/"i)" a sub-sub-clause (depth 2) under the last sub-clause.
    "(i)", "(v)", "(x)" are read as letters when they follow "(h)", "(u)", "(w)", and as roman
    numerals of depth 1 when no sub-clause precedes them. Recognised numbers are stripped;
    a marker before the first operative clause is not one and stays in the text.

    ``paragraphs=True`` is for the plain-paragraphs style: every block is one operative
    paragraph, kept whole with nothing stripped.
    """
    blocks = _blocks(text)
    if paragraphs:
        return [ParsedParagraph(ClauseKind.OPERATIVE, b, 0, False) for b in blocks]

    result: list[ParsedParagraph] = []
    operative = False
    last_letter: str | None = None  # label of the last depth-1 item under the current clause
    for block in blocks:
        number = _NUMBER.match(block)
        if number and block[number.end() :].strip():
            operative = True
            last_letter = None
            result.append(
                ParsedParagraph(ClauseKind.OPERATIVE, block[number.end() :].strip(), 0, True)
            )
            continue
        if operative:
            roman = _ROMAN_MARK.match(block)
            letter = _LETTER.match(block)
            rest_roman = block[roman.end() :].strip() if roman else ""
            rest_letter = block[letter.end() :].strip() if letter else ""
            if roman and rest_roman and roman.group(1).lower() in _VALID_ROMAN:
                mark = roman.group(1).lower()
                is_letter = letter is not None and (
                    last_letter is not None and _previous_letter(mark) == last_letter
                )
                if not is_letter:
                    depth = 2 if last_letter is not None else 1
                    result.append(ParsedParagraph(ClauseKind.OPERATIVE, rest_roman, depth, True))
                    continue
            if letter and rest_letter:
                last_letter = letter.group(1).lower()
                result.append(ParsedParagraph(ClauseKind.OPERATIVE, rest_letter, 1, True))
                continue
            result.append(ParsedParagraph(ClauseKind.OPERATIVE, block, 0, False))
            last_letter = None
            continue
        result.append(ParsedParagraph(ClauseKind.PREAMBULAR, block, 0, False))
    return result


# --- rendering ------------------------------------------------------------------------------

# *emphasis* within one line: no space just inside the stars, so "2 * 3 * 4" stays as it is.
_EMPHASIS = re.compile(r"\*([^\s*](?:[^*\n]*[^\s*])?)\*")


def emphasis_mask(text: str) -> list[bool | None]:
    """For each character of ``text``: True inside ``*emphasis*``, False outside, None for the
    stars of the markup itself (which ``render_text`` drops). The Word export reads it."""
    mask: list[bool | None] = [False] * len(text)
    for match in _EMPHASIS.finditer(text):
        mask[match.start()] = mask[match.end() - 1] = None
        mask[match.start() + 1 : match.end() - 1] = [True] * (match.end() - match.start() - 2)
    return mask


def emphasis_runs(line: str) -> list[tuple[str, bool]]:
    """One line of a clause's text as runs of (text, emphasised), by the same ``*emphasis*``
    rule as ``render_text``: for exports that build their own markup (Akoma Ntoso)."""
    runs: list[tuple[str, bool]] = []
    last = 0
    for match in _EMPHASIS.finditer(line):
        if match.start() > last:
            runs.append((line[last : match.start()], False))
        runs.append((match.group(1), True))
        last = match.end()
    if last < len(line):
        runs.append((line[last:], False))
    return runs


def excerpt(text: str, length: int, *, whole_words: bool = False) -> str:
    """The start of a text on one line: at most ``length`` characters, then an ellipsis.
    ``whole_words`` cuts at the last space instead (and drops a dangling , ; or :)."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    if whole_words:
        return text[:length].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return text[: length - 1].rstrip() + "…"


def render_text(text: str) -> Markup:
    """A clause's text as safe HTML: everything escaped, ``*emphasis*`` → ``<em>``, line
    breaks kept as ``<br>``. The same for the screen and the PDF."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    escaped = str(escape(text))  # escaping never produces "*", so the markup stays ours
    html = _EMPHASIS.sub(r"<em>\1</em>", escaped)
    return Markup(html.replace("\n", "<br>\n"))  # noqa: S704 (escaped above)
