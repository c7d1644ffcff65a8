"""The results page's choice of year, survey and family (P5.2)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from .forms import SURVEY_FAMILIES
from .models import SurveyInvitation

ALL_YEARS = "all"


class ResultsFilter(django_filters.FilterSet):
    """A year (or all), one of the latest surveys (the caller lists both) and a family, or
    all. The scores are aggregated by ``selectors.survey_results``, which filters
    invitations and answers alike."""

    year = django_filters.ChoiceFilter(label=_("Year"), method="filter_year")
    survey = django_filters.TypedChoiceFilter(label=_("Survey"), coerce=int, method="filter_survey")
    family = django_filters.ChoiceFilter(label=_("Family"), choices=SURVEY_FAMILIES)

    class Meta:
        model = SurveyInvitation
        fields: list[str] = []

    def __init__(self, *args, surveys: list[tuple[int, str]], years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["survey"].extra["choices"] = surveys
        self.filters["year"].extra["choices"] = [(ALL_YEARS, _("All years"))] + [(str(y), str(y)) for y in years]

    def filter_survey(self, queryset, name, value):
        return queryset.filter(survey_id=value)

    def filter_year(self, queryset, name, value):
        return queryset if value == ALL_YEARS else queryset.filter(period_start__year=int(value))

    def chosen(self, name: str):
        """The valid value of a filter, or None (missing or refused: that filter is ignored)."""
        self.form.errors  # noqa: B018 - validates: cleaned_data keeps the valid values only
        return self.form.cleaned_data.get(name) or None
