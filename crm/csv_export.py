"""CSV downloads: spreadsheet-safe cells and one streaming response.

Every export (partners, needs summary, scorecard ranking, cases) goes through
``csv_response``: a UTF-8 BOM so spreadsheet programs read Chinese names correctly, every
cell through ``csv_safe`` (formula injection), rows streamed so a large export does not
fill memory.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse

CSV_DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """Neutralise spreadsheet formulas (CSV injection): prefix risky cells with a quote."""
    text = "" if value is None else str(value)
    if text.startswith(CSV_DANGEROUS_PREFIXES):
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
        yield writer.writerow([csv_safe(v) for v in header])
        for row in rows:
            yield writer.writerow([csv_safe(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
