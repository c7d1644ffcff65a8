"""Reading an uploaded CSV or XLSX into rows, and refusing bad files with a clear message.

- CSV in UTF-8 (with or without BOM) or GB18030/GBK (what Chinese Excel saves): tried in
  that order; a file that is neither is refused.
- Size and row limits (``RAPPORT_IMPORT_MAX_BYTES``, ``RAPPORT_IMPORT_MAX_ROWS``): rows are
  counted while reading and the read stops at the first row past the limit, so a 100,000-row
  file is refused without building it.
- A cell that starts like a formula (= + - @) is refused (CSV injection), except a plain
  number or phone number; our own export's protective quote ("'=…") is taken off again.
- The header row must name the kind's columns, in English or Chinese (``columns.py``).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from .columns import COLUMNS, SHEETS, header_lookup, normalise_header

FORMULA_PREFIXES = ("=", "+", "-", "@")
# "+86 138 0000 0000", "-12.5", "(010) 1234-5678": numbers, not formulas.
NUMBER_LIKE = re.compile(r"^[+-]?[\d\s().,/-]+$")
EXTENSIONS = (".csv", ".xlsx")


@dataclass
class Table:
    columns: list[str]  # the column names, in the file's order
    headers: list[str]  # the headers as the file spelled them
    rows: list[list] = field(default_factory=list)  # [line number, value, value, ...]


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise ValidationError(
        _("The file's text encoding could not be read. Save it as CSV UTF-8 or as an Excel workbook (.xlsx).")
    )


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != dt.time(0) else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_cell(text: str, *, line: int, header: str) -> str:
    """The cell's text, or a ValidationError naming the row and column of a formula."""
    if text.startswith("'") and text[1:2] in FORMULA_PREFIXES:
        return text[1:]  # our export's protective quote: the value is text
    if text.startswith(FORMULA_PREFIXES) and not NUMBER_LIKE.match(text):
        raise ValidationError(
            _("Row %(line)s, column “%(column)s”: a cell may not start with = + - or @ (a formula).")
            % {"line": line, "column": header}
        )
    return text


def _csv_rows(data: bytes):
    text = decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text, newline=""), dialect)


def _xlsx_rows(data: bytes, kind: str):
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # a damaged or disguised file: openpyxl raises many kinds
        raise ValidationError(_("The file is not a readable Excel workbook (.xlsx).")) from exc
    sheet = workbook[SHEETS[kind]] if SHEETS[kind] in workbook.sheetnames else workbook.worksheets[0]
    try:
        yield from sheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def read_table(*, name: str, data: bytes, kind: str) -> Table:
    """The rows of an uploaded file, or a ValidationError that says what is wrong with it."""
    if len(data) > settings.RAPPORT_IMPORT_MAX_BYTES:
        raise ValidationError(
            _("The file is too large (at most %(mb)s MB).")
            % {"mb": round(settings.RAPPORT_IMPORT_MAX_BYTES / (1024 * 1024), 1)}
        )
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in EXTENSIONS:
        raise ValidationError(_("Upload a CSV file (.csv) or an Excel workbook (.xlsx)."))
    if not data.strip():
        raise ValidationError(_("The file is empty."))
    if suffix == ".xlsx" and not data.startswith(b"PK\x03\x04"):
        raise ValidationError(_("The file is not a readable Excel workbook (.xlsx)."))
    rows = _xlsx_rows(data, kind) if suffix == ".xlsx" else _csv_rows(data)
    return _table(rows, kind)


def _table(rows, kind: str) -> Table:
    limit = settings.RAPPORT_IMPORT_MAX_ROWS
    lookup = header_lookup(kind)
    headers: list[str] | None = None
    table = None
    for line, raw in enumerate(rows, 1):
        values = [cell_text(v) for v in raw]
        if not any(values):
            continue  # blank lines (and Excel's empty formatted rows)
        if headers is None:
            headers = _check_headers(values, lookup, kind)
            table = Table(columns=[lookup[h] for h in headers if h], headers=[h for h in values if h])
            positions = [i for i, h in enumerate(headers) if h]
            continue
        if len(table.rows) >= limit:
            raise ValidationError(
                _("The file has more than %(limit)s rows. Split it into smaller files.") % {"limit": limit}
            )
        cells = [values[i] if i < len(values) else "" for i in positions]
        table.rows.append([line, *(check_cell(v, line=line, header=table.headers[n]) for n, v in enumerate(cells))])
    if headers is None:
        raise ValidationError(_("The file is empty."))
    if not table.rows:
        raise ValidationError(_("The file has a header row but no rows under it."))
    return table


def _check_headers(values: list[str], lookup: dict[str, str], kind: str) -> list[str]:
    """The header row, normalised: unknown and missing columns are refused by name."""
    normalised = [normalise_header(v) for v in values]
    unknown = [v for v, n in zip(values, normalised, strict=True) if n and n not in lookup]
    found = {lookup[n] for n in normalised if n in lookup}
    missing = [f"{c.en} / {c.zh}" for c in COLUMNS[kind] if c.required and c.name not in found]
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(_("Unknown columns: %(names)s.") % {"names": ", ".join(unknown)})
        if missing:
            parts.append(_("Missing columns: %(names)s.") % {"names": ", ".join(missing)})
        parts.append(_("Download the template to see the expected columns."))
        raise ValidationError(" ".join(parts))
    duplicates = {lookup[n] for n in normalised if n and [lookup.get(m) for m in normalised].count(lookup[n]) > 1}
    if duplicates:
        raise ValidationError(_("A column appears twice: %(names)s.") % {"names": ", ".join(sorted(duplicates))})
    return normalised
