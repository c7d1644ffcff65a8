"""The surveys app's demo data (evaluations/surveys/demo.py): two years of responses."""

from __future__ import annotations

from django.db.models import Count

from evaluations.surveys.models import SurveyResponse


def test_seeds_two_years_of_survey_responses_once(seed_demo):
    seed_demo(partners=40, interactions=40)
    periods = SurveyResponse.objects.values("family").annotate(n=Count("period_start", distinct=True))
    assert {row["family"]: row["n"] for row in periods} == {"supplier": 8, "customer": 8, "partner": 8, "association": 8}
    before = SurveyResponse.objects.count()
    seed_demo(partners=40, interactions=40)
    assert SurveyResponse.objects.count() == before
