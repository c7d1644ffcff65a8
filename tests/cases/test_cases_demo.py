"""The cases app's demo data (partners/cases/demo.py): a year of cases in every state."""

from __future__ import annotations

from django.db.models import F

from partners.cases.models import Case


def test_seeds_a_year_of_cases_on_time_and_late_once(seed_demo):
    seed_demo(partners=40, interactions=40)
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"closed", "in_progress"} <= statuses
    assert Case.objects.filter(resolved_at__lte=F("resolution_due_at")).exists()
    assert Case.objects.filter(resolved_at__gt=F("resolution_due_at")).exists()
    before = Case.objects.count()
    seed_demo(partners=40, interactions=40)
    assert Case.objects.count() == before
