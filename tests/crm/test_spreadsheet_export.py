"""One formula-escaping rule for every CSV and XLSX export (crm.csv_export.safe_cell)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from crm.csv_export import FORMULA_PREFIXES, csv_response, safe_cell, xlsx_response

# Text a spreadsheet may store: no control characters (XLSX cannot hold most of them); the
# formula-like strings below also start with a tab or a carriage return.
_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30)
FORMULA_LIKE = st.builds(lambda prefix, rest: prefix + rest, st.sampled_from(FORMULA_PREFIXES), _TEXT)


def _csv_cells(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(body, newline="")))


def _xlsx_cells(response) -> list[list[object]]:
    ws = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in ws.iter_rows()]


def _xml_newlines(text: str) -> str:
    """XML reading turns a carriage return into a line feed: a property of the file format."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@settings(max_examples=60, deadline=None)
@given(FORMULA_LIKE)
def test_formula_like_text_is_quoted_the_same_in_csv_and_xlsx(text):
    expected = "'" + text
    assert safe_cell(text) == expected
    assert _csv_cells(csv_response(filename="x.csv", header=["h"], rows=[[text]]))[1] == [expected]
    ws = load_workbook(io.BytesIO(xlsx_response(filename="x.xlsx", header=["h"], rows=[[text]]).content)).active
    assert ws["A2"].data_type == "s" and ws["A2"].value == _xml_newlines(expected)


@settings(max_examples=30, deadline=None)
@given(_TEXT.filter(lambda t: not t.startswith(FORMULA_PREFIXES)))
def test_other_text_is_unchanged(text):
    assert safe_cell(text) == text
    assert _xlsx_cells(xlsx_response(filename="x.xlsx", header=["h"], rows=[[text]]))[1] == [text or None]


def test_numbers_stay_numbers_and_none_is_empty():
    assert [safe_cell(v) for v in (-5, Decimal("-1.5"), None)] == [-5, Decimal("-1.5"), ""]
    rows = [[-5, Decimal("-1.5"), None, "-5"]]
    assert _csv_cells(csv_response(filename="x.csv", header=["a", "b", "c", "d"], rows=rows))[1] == [
        "-5",
        "-1.5",
        "",
        "'-5",
    ]
    assert _xlsx_cells(xlsx_response(filename="x.xlsx", header=["a", "b", "c", "d"], rows=rows))[1] == [
        -5,
        -1.5,
        None,
        "'-5",
    ]
