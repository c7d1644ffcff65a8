"""Export of the whole registry (one sheet each: partners, contacts, tags, interactions) in
the columns the import reads, and the empty templates per kind."""

from __future__ import annotations

from ..models import ImportKind
from .columns import COLUMNS, SHEETS, headers_for
from .resources import RESOURCES


def kind_rows(kind: str) -> list[list[str]]:
    """Every record of ``kind`` as rows in the order of ``COLUMNS[kind]``."""
    dataset = RESOURCES[kind]().export()
    names = [column.name for column in COLUMNS[kind]]
    return [[record.get(name, "") for name in names] for record in dataset.dict]


def registry_sheets(language: str) -> list[tuple[str, list[str], list[list[str]]]]:
    order = (ImportKind.PARTNERS, ImportKind.CONTACTS, ImportKind.TAGS, ImportKind.INTERACTIONS)
    return [(SHEETS[kind], headers_for(kind, language), kind_rows(kind)) for kind in order]
