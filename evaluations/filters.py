"""The manager overview's ranking filters (P4.1.3)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from crm.forms import ID_MAX

from .models import PartnerScore, StandingCode


class IdFilter(django_filters.NumberFilter):
    """A whole number (an id or a tier), not a decimal."""

    field_class = forms.IntegerField


class RankingFilter(django_filters.FilterSet):
    """The ranking's scorecard (one of the templates the caller lists), department, tier,
    standing and "as of" period. ``selectors.ranking`` applies them: each filter here only
    parses its parameter (a refused value leaves that filter out)."""

    template = django_filters.TypedChoiceFilter(label=_("Scorecard"), coerce=int, method="applied_by_selector")
    department = IdFilter(label=_("Department"), min_value=1, max_value=ID_MAX, method="applied_by_selector")
    tier = IdFilter(label=_("Tier"), min_value=1, max_value=ID_MAX, method="applied_by_selector")
    standing = django_filters.ChoiceFilter(
        label=_("Standing"), choices=StandingCode.choices, method="applied_by_selector"
    )
    period = django_filters.DateFilter(label=_("As of period"), method="applied_by_selector")

    class Meta:
        model = PartnerScore
        fields: list[str] = []

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["template"].extra["choices"] = [(t.pk, t.display_name) for t in templates]

    def applied_by_selector(self, queryset, name, value):
        return queryset

    def chosen(self, name: str):
        """The valid value of a filter, or None (missing or refused)."""
        self.form.errors  # noqa: B018 - validates: cleaned_data keeps the valid values only
        value = self.form.cleaned_data.get(name)
        return None if value in (None, "") else value
