"""The projects list's filter: search, status, type, partner, sorting (crm/lists.py)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from crm.filters import OrderingFilter
from partners.models import Partner

from .models import PROJECT_FAMILIES, Project, ProjectKind, ProjectStatus

PROJECT_SELECTS = ("status", "kind", "partner", "sort")


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q", max_length=100)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ProjectStatus.choices, empty_label=_("All statuses")
    )
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=ProjectKind.choices, empty_label=_("All types"))
    # Only partners with a project: the select stays short.
    partner = django_filters.ModelChoiceFilter(
        label=_("Partner"),
        field_name="partners",
        queryset=(
            Partner.objects.filter(family__in=PROJECT_FAMILIES, projects__isnull=False).distinct().order_by("name")
        ),
        empty_label=_("All partners"),
    )
    sort = OrderingFilter(
        label=_("Sort by"),
        fields=(("starts_on", "starts"), ("ends_on", "ends"), ("progress", "progress"), ("title", "title")),
        field_labels={
            "starts_on": _("Start date"),
            "ends_on": _("End date"),
            "progress": _("Progress"),
            "title": _("Title"),
        },
    )

    class Meta:
        model = Project
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        """The title, the goal, or the name of one of its partners."""
        named = Partner.objects.filter(projects=OuterRef("pk"), name__icontains=value)
        return queryset.filter(Q(title__icontains=value) | Q(goal__icontains=value) | Exists(named))

    @property
    def qs(self):
        qs = super().qs
        ordering = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        if not ordering:
            return qs.order_by("-starts_on", "-pk")
        return qs.order_by(*qs.query.order_by, "pk")
