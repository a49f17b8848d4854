"""CSV exports: Excel-friendly UTF-8 and no formula injection."""

from __future__ import annotations

import csv
import io

import pytest

from resolutions.documents.csv_export import BOM, neutralise, write_csv


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Айгерим Нурланова", "Айгерим Нурланова"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (12, "12"),
        (True, "1"),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_write_csv_has_bom_crlf_and_neutralised_cells():
    data = write_csv(["Name", "=Header"], [["=cmd|' /C calc'!A0", "Бишкек, «Ала-Тоо»"], [3, None]])
    assert data.startswith(BOM.encode("utf-8"))
    text = data.decode("utf-8")[1:]
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["Name", "'=Header"],
        ["'=cmd|' /C calc'!A0", "Бишкек, «Ала-Тоо»"],
        ["3", ""],
    ]
