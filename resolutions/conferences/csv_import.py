"""Reading a participants CSV file: pure parsing and row checks, no Flask and no database.

The secretariat's spreadsheet may come from Excel or LibreOffice, in Russian or English: the
header names and role names are accepted in both languages, the file is UTF-8 (with or without
a byte-order mark) or Windows-1251 (what Excel writes on a Russian Windows), and the delimiter
is a comma or a semicolon (whichever the header row uses). ``write`` produces the same format
(semicolons and a BOM, so that Russian Excel opens it in columns): the sample files come from
it. Comparing the rows with the conference's participants and applying them is in
``service`` (``plan_import``, ``apply_import``). The messages are ``resolutions.messages``'s
``Message``: translated when shown, so this module needs no Flask.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

from resolutions.enums import Role
from resolutions.errors import InvalidInput
from resolutions.messages import Message
from resolutions.rules.accounts import normalise_email

# Babel's keywords, so that ``make extract-messages`` finds the texts below.
_ = _l = Message

MAX_ROWS = 5000
MAX_WEIGHT = 1_000_000
COLUMNS = (
    "name",
    "email",
    "organisation",
    "country",
    "delegation",
    "role",
    "weight",
    "voting_right",
)
REQUIRED_COLUMNS = ("name", "email")
# Longest value each column may hold (the database's column sizes).
MAX_LENGTH = {"name": 200, "email": 254, "organisation": 200, "country": 100, "delegation": 200}
COLUMN_LABELS = {
    "name": _l("name"),
    "email": _l("e-mail"),
    "organisation": _l("organisation"),
    "country": _l("country"),
    "delegation": _l("delegation"),
    "role": _l("role"),
    "weight": _l("weight"),
    "voting_right": _l("voting right"),
}

# Header names as people write them, after ``_normalise_header``.
HEADER_ALIASES = {
    "name": {
        "name",
        "full name",
        "participant",
        "имя",
        "фио",
        "ф.и.о.",
        "ф. и. о.",
        "имя и фамилия",
        "фамилия и имя",
        "фамилия, имя",
        "участник",
    },
    "email": {
        "email",
        "e-mail",
        "e mail",
        "mail",
        "email address",
        "e-mail address",
        "электронная почта",
        "эл. почта",
        "эл.почта",
        "почта",
        "адрес электронной почты",
        "емейл",
        "имейл",
    },
    "organisation": {"organisation", "organization", "org", "организация"},
    "country": {"country", "страна"},
    "delegation": {"delegation", "делегация"},
    "role": {"role", "роль"},
    "weight": {"weight", "vote weight", "вес", "вес голоса"},
    "voting_right": {"voting right", "vote", "votes", "право голоса", "голос", "голосует"},
}
# The header each column gets in the files ``write`` makes, per language.
WRITTEN_HEADERS = {
    "en": {
        "name": "name",
        "email": "e-mail",
        "organisation": "organisation",
        "country": "country",
        "delegation": "delegation",
        "role": "role",
        "weight": "weight",
        "voting_right": "voting right",
    },
    "ru": {
        "name": "имя",
        "email": "почта",
        "organisation": "организация",
        "country": "страна",
        "delegation": "делегация",
        "role": "роль",
        "weight": "вес",
        "voting_right": "право голоса",
    },
}
WRITTEN_ROLES = {
    "en": {role: role.value for role in Role},
    "ru": {
        Role.SECRETARIAT: "секретариат",
        Role.CHAIR: "председатель",
        Role.DELEGATE: "делегат",
        Role.OBSERVER: "наблюдатель",
    },
}
WRITTEN_YES_NO = {"en": ("yes", "no"), "ru": ("да", "нет")}
YES = {"yes", "y", "true", "1", "+", "да", "д"}
NO = {"no", "n", "false", "0", "-", "нет", "н"}
_HEADER_TO_COLUMN = {
    alias: column for column, aliases in HEADER_ALIASES.items() for alias in aliases
}

# Role names in both languages (lower case).
ROLE_NAMES = {
    "secretariat": Role.SECRETARIAT,
    "секретариат": Role.SECRETARIAT,
    "chair": Role.CHAIR,
    "chairperson": Role.CHAIR,
    "председатель": Role.CHAIR,
    "председательствующий": Role.CHAIR,
    "delegate": Role.DELEGATE,
    "делегат": Role.DELEGATE,
    "observer": Role.OBSERVER,
    "наблюдатель": Role.OBSERVER,
}


class ImportFileError(InvalidInput):
    """The file as a whole cannot be read (not UTF-8, no header, missing columns): 400, said
    next to the upload form's ``file`` field."""

    def __init__(self, message: Message, field: str | None = "file") -> None:
        super().__init__(message, field)


@dataclass(frozen=True)
class ImportRow:
    line: int
    name: str
    email: str
    organisation: str
    country: str
    delegation: str
    role: Role
    weight: int
    voting_right: bool | None = None  # None: the file does not say


@dataclass(frozen=True)
class RowError:
    line: int
    message: str | Message


@dataclass
class ParsedFile:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    delimiter: str = ","
    ignored_columns: list[str] = field(default_factory=list)
    columns: frozenset[str] = frozenset()  # the known columns the header row names

    @property
    def ok(self) -> bool:
        return not self.errors


UTF8 = "UTF-8"
UTF8_BOM = "UTF-8 (BOM)"
CP1251 = "Windows-1251"


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the name of its encoding.

    Strict UTF-8 first (a byte-order mark is dropped); a file that is not UTF-8 is read as
    Windows-1251 when that gives text of Cyrillic and Latin letters, digits and punctuation, as
    a Russian Excel export does. Anything else is refused rather than guessed.
    """
    if b"\x00" in data:
        raise ImportFileError(_("This does not look like a CSV file."))
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8"), UTF8_BOM
        return data.decode("utf-8"), UTF8
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        text = ""
    if text and _reads_as_text(text):
        return text, CP1251
    raise ImportFileError(
        _(
            "The file's encoding is not recognised: save it as \u201cCSV UTF-8\u201d or as "
            "\u201cCSV (semicolon separated)\u201d in Windows-1251 and upload it again."
        )
    )


def _reads_as_text(text: str) -> bool:
    """Whether nearly every character is a letter of the Cyrillic or Latin alphabets, a digit,
    white space or common punctuation (as a real list of names is)."""

    def plausible(char: str) -> bool:
        return (
            char.isascii()
            and (char.isprintable() or char in "\t\r\n")
            or "\u0400" <= char <= "\u04ff"
            or char in "«»„“”‘’–—№…\u00a0"
        )

    good = sum(1 for char in text if plausible(char))
    return good >= 0.98 * len(text)


def _yes_no(raw: str) -> tuple[bool | None, Message | None]:
    value = raw.strip().lower()
    if not value:
        return None, None
    if value in YES:
        return True, None
    if value in NO:
        return False, None
    return None, _(
        "\u201c%(value)s\u201d is not yes or no (or да / нет) for the voting right.", value=raw
    )


def write(rows: list[dict[str, object]], language: str) -> bytes:
    """A participants file in the import's own format: every column, a header in ``language``,
    semicolons, CRLF and a UTF-8 byte-order mark (so that Russian Excel splits the columns).

    Each row maps column names to values: ``role`` a ``Role``, ``voting_right`` a bool or None,
    ``weight`` an int, the rest text.
    """
    headers, roles = WRITTEN_HEADERS[language], WRITTEN_ROLES[language]
    yes, no = WRITTEN_YES_NO[language]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([headers[column] for column in COLUMNS])
    for row in rows:
        cells: list[str] = []
        for column in COLUMNS:
            value = row.get(column)
            if column == "role":
                cells.append(roles[Role(str(value))] if value else "")
            elif column == "voting_right":
                cells.append("" if value is None else (yes if value else no))
            else:
                cells.append("" if value is None else str(value))
        writer.writerow(cells)
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


SAMPLE_ROWS: dict[str, list[dict[str, object]]] = {
    "ru": [
        {
            "name": "Айгерим Нурланова",
            "email": "aigerim@example.org",
            "organisation": "Профсоюз горняков",
            "country": "Казахстан",
            "delegation": "Казахстан",
            "role": Role.DELEGATE,
            "weight": 2,
        },
        {
            "name": "Бакыт Осмонов",
            "email": "bakyt@example.org",
            "organisation": "Правозащитный центр",
            "country": "Кыргызстан",
            "delegation": "Кыргызстан",
            "role": Role.CHAIR,
            "weight": 1,
            "voting_right": False,
        },
        {
            "name": "Ольга Смирнова",
            "email": "olga@example.org",
            "organisation": "Открытый диалог",
            "country": "",
            "delegation": "",
            "role": Role.OBSERVER,
        },
    ],
    "en": [
        {
            "name": "Aigerim Nurlanova",
            "email": "aigerim@example.org",
            "organisation": "Miners' Union",
            "country": "Kazakhstan",
            "delegation": "Kazakhstan",
            "role": Role.DELEGATE,
            "weight": 2,
        },
        {
            "name": "Bakyt Osmonov",
            "email": "bakyt@example.org",
            "organisation": "Human Rights Centre",
            "country": "Kyrgyzstan",
            "delegation": "Kyrgyzstan",
            "role": Role.CHAIR,
            "weight": 1,
            "voting_right": False,
        },
        {
            "name": "Olga Smirnova",
            "email": "olga@example.org",
            "organisation": "Open Dialogue",
            "country": "",
            "delegation": "",
            "role": Role.OBSERVER,
        },
    ],
}


def _normalise_header(cell: str) -> str:
    cell = cell.replace("\ufeff", "").strip().strip("*:").strip().lower()
    return re.sub(r"\s+", " ", cell)


def _sniff_delimiter(header_line: str) -> str:
    # The header row holds no quoted delimiters in practice: count them.
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _check_email(raw: str) -> tuple[str | None, Message | None]:
    """(normalised e-mail, None) or (None, error message)."""
    if not raw:
        return None, _("The e-mail is missing.")
    try:
        validate_email(raw, check_deliverability=False)
    except EmailNotValidError:
        return None, _("\u201c%(email)s\u201d is not a valid e-mail address.", email=raw)
    return normalise_email(raw), None


def _check_weight(raw: str) -> tuple[int | None, Message | None]:
    if not raw:
        return 1, None
    if not re.fullmatch(r"\d+", raw) or int(raw) < 1 or int(raw) > MAX_WEIGHT:
        return None, _(
            "The weight \u201c%(weight)s\u201d is not a positive whole number (1 to %(max)s).",
            weight=raw,
            max=MAX_WEIGHT,
        )
    return int(raw), None


def parse(text: str) -> ParsedFile:
    """Read the rows and check each one on its own and against the others in the file.

    Line numbers are the file's own (the header is line 1), so that the secretariat finds the
    row in their spreadsheet. Empty lines are skipped.
    """
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    if not first_line:
        raise ImportFileError(_("The file is empty."))
    result = ParsedFile(delimiter=_sniff_delimiter(first_line))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=result.delimiter)
    try:
        header = next(reader)
        while not any(cell.strip() for cell in header):
            header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise ImportFileError(_("The file is empty.")) from error

    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = _HEADER_TO_COLUMN.get(_normalise_header(cell))
        if column is None:
            if cell.strip():
                result.ignored_columns.append(cell.strip())
            continue
        if column in positions:
            raise ImportFileError(
                _(
                    "The header row names the column \u201c%(column)s\u201d twice.",
                    column=COLUMN_LABELS[column],
                )
            )
        positions[column] = index
    result.columns = frozenset(positions)
    missing = [str(COLUMN_LABELS[c]) for c in REQUIRED_COLUMNS if c not in positions]
    if missing:
        raise ImportFileError(
            _(
                "The first row must name the columns. Missing: %(columns)s. Expected (in any "
                "order): name, e-mail, organisation, country, delegation, role, weight.",
                columns=", ".join(missing),
            )
        )

    seen_emails: dict[str, int] = {}
    line = reader.line_num
    count = 0
    try:
        for record in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            count += 1
            if count > MAX_ROWS:
                raise ImportFileError(
                    _("The file has more than %(n)s participants; split it.", n=MAX_ROWS)
                )
            row = _read_row(record, positions, start, seen_emails, result.errors)
            if row is not None:
                result.rows.append(row)
    except csv.Error as error:
        raise ImportFileError(
            _("Line %(line)s cannot be read as CSV (an unclosed quote?).", line=line + 1)
        ) from error
    if not result.rows and not result.errors:
        raise ImportFileError(_("The file has a header row but no participants."))
    return result


def _read_row(
    record: list[str],
    positions: dict[str, int],
    line: int,
    seen_emails: dict[str, int],
    errors: list[RowError],
) -> ImportRow | None:
    def cell(column: str) -> str:
        index = positions.get(column)
        if index is None or index >= len(record):
            return ""
        return record[index].strip()

    problems: list[Message] = []
    values = {column: cell(column) for column in COLUMNS}
    if not values["name"]:
        problems.append(_("The name is missing."))
    email, problem = _check_email(values["email"])
    if problem:
        problems.append(problem)
    elif email in seen_emails:
        problems.append(
            _(
                "The e-mail %(email)s is already on line %(line)s of this file.",
                email=email,
                line=seen_emails[email],
            )
        )
    elif email is not None:
        seen_emails[email] = line
    role_name = values["role"].lower()
    role = ROLE_NAMES.get(role_name) if role_name else Role.DELEGATE
    if role is None:
        problems.append(
            _(
                "Unknown role \u201c%(role)s\u201d: use delegate, observer, chair or secretariat "
                "(or делегат, наблюдатель, председатель, секретариат).",
                role=values["role"],
            )
        )
    weight, problem = _check_weight(values["weight"])
    if problem:
        problems.append(problem)
    voting_right, problem = _yes_no(values["voting_right"])
    if problem:
        problems.append(problem)
    elif voting_right and role is not None and role not in (Role.CHAIR, Role.DELEGATE):
        problems.append(_("Only delegates and the chair can have a voting right."))
    for column, limit in MAX_LENGTH.items():
        if len(values[column]) > limit:
            problems.append(
                _(
                    "The %(column)s is longer than %(n)s characters.",
                    column=COLUMN_LABELS[column],
                    n=limit,
                )
            )
    if problems:
        errors.extend(RowError(line, message) for message in problems)
        return None
    assert email is not None and role is not None and weight is not None
    return ImportRow(
        line=line,
        name=values["name"],
        email=email,
        organisation=values["organisation"],
        country=values["country"],
        delegation=values["delegation"],
        role=role,
        weight=weight,
        voting_right=voting_right,
    )
