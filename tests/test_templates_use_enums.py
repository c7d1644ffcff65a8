"""Templates compare status, kind, family and outcome values through their enums (or read a
flag such as ``case.is_open``), never as string literals (issue #9 §6, STYLE.md 25)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

QUOTED = r"""["'][a-z_]+["']"""
FIELD = r"\b[\w.]*\.(?:status|kind|family|outcome)\b"
LITERAL_COMPARISON = re.compile(
    rf"{FIELD}\s*(?:==|!=)\s*{QUOTED}|{QUOTED}\s*(?:==|!=)\s*{FIELD}|\bmove\s*(?:==|!=)\s*{QUOTED}"
)


def _templates() -> list[Path]:
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    roots += [p for p in Path(settings.BASE_DIR).glob("*/**/templates") if ".venv" not in p.parts]
    return sorted(
        {t for root in roots for t in root.rglob("*.html")} | {t for root in roots for t in root.rglob("*.txt")}
    )


def test_the_pattern_catches_a_status_literal():
    assert LITERAL_COMPARISON.search('{% if case.status == "closed" %}')
    assert LITERAL_COMPARISON.search("{% if 'supplier' == partner.family %}")
    assert LITERAL_COMPARISON.search('{% if move == "resolved" %}')
    assert not LITERAL_COMPARISON.search("{% if case.status == CaseStatus.CLOSED %}")


def test_no_template_compares_a_status_with_a_string_literal():
    templates = _templates()
    assert len(templates) > 50
    found = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}: {match.group(0)}"
        for path in templates
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        for match in LITERAL_COMPARISON.finditer(line)
    ]
    assert found == []
