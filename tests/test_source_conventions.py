"""Conventions of issue #9 §6 that a reviewer would otherwise have to remember."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

APPS = ("crm", "partners", "evaluations", "supervision", "tests")


def _sources() -> list[Path]:
    base = Path(settings.BASE_DIR)
    return sorted(p for app in APPS for p in (base / app).rglob("*.py") if p.resolve() != Path(__file__).resolve())


def test_timedelta_comes_from_datetime_not_django_utils_timezone():
    sources = _sources()
    assert len(sources) > 100
    found = [str(p) for p in sources if "timezone.timedelta" in p.read_text()]
    assert found == []


def test_no_module_names_the_old_homes_of_moved_code():
    stale = ("supervision.sla", "supervision/services.py", "care.py", "care_selectors", "care_views")
    found = [f"{p}: {s}" for p in _sources() for s in stale if s in p.read_text() and "migrations" not in p.parts]
    assert found == []
