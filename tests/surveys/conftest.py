"""Survey fixtures: a supplier survey sent by a manager, and helpers to answer it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from evaluations.surveys.models import Survey, SurveyTemplate
from evaluations.surveys.periods import Period

# The results page shows the current year unless told otherwise: the fixture survey is
# about this year, whatever day the tests run.
THIS_YEAR = timezone.localdate().year


@pytest.fixture
def supplier_template(db) -> SurveyTemplate:
    return SurveyTemplate.objects.get(name="Supplier satisfaction")


@pytest.fixture
def survey(manager, supplier_template) -> Survey:
    return Survey.objects.create(
        template=supplier_template,
        title=f"Supplier satisfaction {THIS_YEAR}",
        family="supplier",
        period=Period.of_year(THIS_YEAR),
        created_by=manager,
    )


def valid_answers(survey: Survey, *, nps: int = 9, csat: int = 5, ces: int = 6, text: str = "") -> dict[int, object]:
    values = {"nps": nps, "csat": csat, "ces": ces, "text": text}
    return {q.pk: values[q.kind] for q in survey.template.questions.all()}


def form_post(survey: Survey, **kwargs) -> dict[str, str]:
    return {f"q_{pk}": str(v) for pk, v in valid_answers(survey, **kwargs).items()}
