"""CSV for spreadsheets: UTF-8 with a byte-order mark (Excel), cells safe from formula injection.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula (and a tab
or carriage return can smuggle one in), so a participant named ``=HYPERLINK(...)`` could run code
on the secretariat's computer. Such cells get a leading apostrophe, which the spreadsheet shows
as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralise(value: object) -> str:
    """The cell's text, with a leading ``'`` when a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    text = ("1" if value else "0") if isinstance(value, bool) else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


# Excel splits a CSV file into columns by the list separator of the system's regional
# settings: a comma in English, a semicolon in Russian (where the comma is the decimal mark).
DELIMITERS = {"ru": ";", "en": ","}


def write_csv(
    header: Sequence[object], rows: Iterable[Sequence[object]], *, delimiter: str = ","
) -> bytes:
    """The table as CSV bytes: BOM, ``delimiter``-separated, CRLF line ends, every cell
    neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect="excel", delimiter=delimiter)
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return (BOM + buffer.getvalue()).encode("utf-8")
