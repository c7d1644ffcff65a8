"""Filters and sorting of the findings list (each backed by an index on ``Finding``)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.filters import OrderingFilter
from crm.models import Department

from .clauses import CLAUSES
from .models import Finding


class FindingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q", max_length=100)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Finding.Status.choices)
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=Finding.Severity.choices)
    clause = django_filters.ChoiceFilter(label=_("Clause"), choices=[(c.code, c.code) for c in CLAUSES])
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=Department.objects.all())
    sort = OrderingFilter(
        label=_("Sort by"),
        fields=(("response_due", "due"), ("created_at", "recorded")),
        field_labels={"response_due": _("Response due"), "created_at": _("Recorded")},
    )

    class Meta:
        model = Finding
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        term = value.strip()
        if not term:
            return queryset
        return queryset.filter(Q(title__icontains=term) | Q(description__icontains=term) | Q(clause__iexact=term))

    @property
    def qs(self):
        qs = super().qs
        ordering = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        if not ordering:
            return qs.order_by("-created_at", "-pk")
        return qs.order_by(*qs.query.order_by, "-pk")
