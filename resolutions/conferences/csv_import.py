"""Reading a participants CSV file: pure parsing and row checks, no database.

The secretariat's spreadsheet may come from Excel or LibreOffice, in Russian or English: the
header names and role names are accepted in both languages, the file may start with a UTF-8
byte-order mark, and the delimiter is a comma or a semicolon (whichever the header row uses).
Checks that need the database (an e-mail that is already a participant) are in ``service``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from resolutions.auth.service import normalise_email
from resolutions.models import Role

MAX_ROWS = 5000
MAX_WEIGHT = 1_000_000
COLUMNS = ("name", "email", "organisation", "country", "delegation", "role", "weight")
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
}
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


class ImportFileError(Exception):
    """The file as a whole cannot be read (not UTF-8, no header, missing columns)."""


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


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class ParsedFile:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    delimiter: str = ","
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def decode(data: bytes) -> str:
    """The file's text: UTF-8, with or without a byte-order mark."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("The file is not UTF-8 text. Save it as \u201cCSV UTF-8\u201d and upload it again.")
        ) from error
    if "\x00" in text:
        raise ImportFileError(_("This does not look like a CSV file."))
    return text


def _normalise_header(cell: str) -> str:
    cell = cell.replace("\ufeff", "").strip().strip("*:").strip().lower()
    return re.sub(r"\s+", " ", cell)


def _sniff_delimiter(header_line: str) -> str:
    # The header row holds no quoted delimiters in practice: count them.
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _check_email(raw: str) -> tuple[str | None, str | None]:
    """(normalised e-mail, None) or (None, error message)."""
    if not raw:
        return None, _("The e-mail is missing.")
    try:
        validate_email(raw, check_deliverability=False)
    except EmailNotValidError:
        return None, _("\u201c%(email)s\u201d is not a valid e-mail address.", email=raw)
    return normalise_email(raw), None


def _check_weight(raw: str) -> tuple[int | None, str | None]:
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

    problems: list[str] = []
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
    )
