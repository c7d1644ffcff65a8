"""The surveys app's demo data (evaluations/surveys/demo.py): two years of responses."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from evaluations.surveys.models import Survey, SurveyInvitation, SurveyResponse
from evaluations.surveys.periods import quarter_of


def test_seeds_two_years_of_quarterly_survey_responses_once(seed_demo):
    seed_demo(partners=40, interactions=40)
    periods = SurveyResponse.objects.values("family").annotate(n=Count("period_start", distinct=True))
    assert {row["family"]: row["n"] for row in periods} == {
        "supplier": 8,
        "customer": 8,
        "partner": 8,
        "association": 8,
    }
    # Every survey is about a real quarter, the last one this quarter; invitations and
    # responses are about their survey's quarter.
    surveys = list(Survey.objects.filter(after_case=False))
    assert {s.period_kind for s in surveys} == {"quarter"}
    assert max(s.period for s in surveys) == quarter_of(timezone.localdate())
    for model in (SurveyInvitation, SurveyResponse):
        rows = model.objects.values_list("period_kind", "period_start", "period_end", "survey__period_start")
        assert all(kind == "quarter" and start == survey_start for kind, start, _end, survey_start in rows)
    # A title in each language: "Association satisfaction 2025-Q1", "行业协会满意度 2025年第一季度".
    association = Survey.objects.filter(family="association").order_by("period_start").last()
    period = association.period
    zh_quarter = "一二三四"[period.quarter - 1]
    assert association.title == f"Association satisfaction {period.label}"
    assert association.title_zh == f"行业协会满意度 {period.year}年第{zh_quarter}季度"
    before = (Survey.objects.count(), SurveyResponse.objects.count())
    seed_demo(partners=40, interactions=40)
    assert (Survey.objects.count(), SurveyResponse.objects.count()) == before
