"""The pipeline list's filter: stage tab, search, department, sorting (crm/lists.py)."""

from __future__ import annotations

import django_filters
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from crm.filters import OrderingFilter
from crm.models import Department
from partners.models import Partner
from partners.selectors import partner_search

from .models import Stage
from .selectors import ALL, IN_PROGRESS, in_stage

# "all" and "in_progress" are values of their own, not the empty choice: the live filter leaves
# empty fields out of the URL, and a missing stage means the working view (the prospects).
STAGE_TABS = [(IN_PROGRESS, _("In progress")), *Stage.choices, (ALL, _("All"))]
PIPELINE_SELECTS = ("department", "sort")


class PipelineFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q", max_length=100)
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=STAGE_TABS, method="filter_stage")
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=Department.objects.all())
    sort = OrderingFilter(
        label=_("Sort by"),
        fields=(("stage_since", "since"), ("name", "name")),
        field_labels={"stage_since": _("In this stage since"), "name": _("Name")},
    )

    class Meta:
        model = Partner
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        return partner_search(queryset, value)

    def filter_stage(self, queryset, name, value):
        return queryset  # applied in qs, with the default tab

    def current_stage(self) -> str:
        self.form.errors  # noqa: B018 - validates: cleaned_data keeps the valid values only
        return self.form.cleaned_data.get("stage") or IN_PROGRESS

    def without_stage(self):
        """The search and department applied, every stage: what the stage tabs count."""
        return super().qs

    @property
    def qs(self):
        qs = in_stage(super().qs, self.current_stage())
        ordering = self.form.cleaned_data.get("sort")
        if not ordering:
            # Longest in its stage first: the prospects that wait for a next step.
            return qs.order_by(F("stage_since").asc(), "pk")
        return qs.order_by(*qs.query.order_by, "pk")
