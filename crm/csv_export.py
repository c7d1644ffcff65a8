"""Spreadsheet downloads (CSV and XLSX): formula-safe cells, one response builder each.

Every export (partners, needs summary, scorecard ranking, cases) goes through
``csv_response`` or ``xlsx_response``, and every cell of both through one function,
``safe_cell`` (formula injection). CSV gets a UTF-8 BOM so spreadsheet programs read
Chinese names correctly, and its rows are streamed so a large export does not fill memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

# A cell starting with one of these may be run as a formula by a spreadsheet program.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: object) -> object:
    """A value safe to put in a spreadsheet cell (CSV or XLSX): text that starts with a
    formula character gets a leading quote, so it stays text. Numbers and dates pass
    unchanged (they are never formulas, and ``-5`` stays a number); None becomes ""."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal | dt.date | dt.datetime):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(*, filename: str, header: Iterable[object], rows: Iterable[Iterable[object]]) -> StreamingHttpResponse:
    """Stream ``header`` and ``rows`` (any iterable, consumed lazily) as a CSV download."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        yield writer.writerow([safe_cell(v) for v in header])
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_value(value: object) -> object:
    value = safe_cell(value)
    return float(value) if isinstance(value, Decimal) else value


def xlsx_response(
    *, filename: str, header: Iterable[object], rows: Iterable[Iterable[object]], title: str = "Sheet"
) -> HttpResponse:
    """``header`` and ``rows`` as a one-sheet XLSX download (built in memory)."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append([_xlsx_value(v) for v in header])
    for row in rows:
        ws.append([_xlsx_value(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_workbook_response(
    *, filename: str, sheets: Iterable[tuple[str, Iterable[object], Iterable[Iterable[object]]]]
) -> HttpResponse:
    """Several sheets ``(title, header, rows)`` as one XLSX download, every cell formula-safe."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title)
        ws.append([_xlsx_value(v) for v in header])
        for row in rows:
            ws.append([_xlsx_value(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
