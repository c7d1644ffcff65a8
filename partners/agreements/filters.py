"""The agreements list's filter: search, type, status, department, sorting (crm/lists.py)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from crm.filters import OrderingFilter
from crm.models import Department
from partners.models import Partner

from .models import Agreement, AgreementStatus, AgreementType

AGREEMENT_SELECTS = ("kind", "status", "department", "sort")


class AgreementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q", max_length=100)
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=AgreementType.choices, empty_label=_("All types"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=AgreementStatus.choices, empty_label=_("All statuses")
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.all(), empty_label=_("All departments")
    )
    sort = OrderingFilter(
        label=_("Sort by"),
        fields=(("ends_on", "ends"), ("starts_on", "starts"), ("title", "title")),
        field_labels={"ends_on": _("Term end"), "starts_on": _("Term start"), "title": _("Title")},
    )

    class Meta:
        model = Agreement
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        """The title, or the name of one of its partners."""
        named = Partner.objects.filter(agreements=OuterRef("pk"), name__icontains=value)
        return queryset.filter(Q(title__icontains=value) | Exists(named))

    @property
    def qs(self):
        qs = super().qs
        ordering = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        if not ordering:
            return qs.order_by("ends_on", "pk")
        return qs.order_by(*qs.query.order_by, "pk")
