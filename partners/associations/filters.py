"""The list filters of the associations app (crm/lists.py): events and industry reports."""

from __future__ import annotations

import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from crm.filters import OrderingFilter

from .models import AssociationEvent, EventKind, EventPurpose, IndustryReport, Membership, Position

EVENT_SELECTS = ("kind", "purpose", "sort")
REPORT_SELECTS = ("sort",)
MEMBERSHIP_SELECTS = ("sort",)
POSITION_SELECTS = ("held", "sort")


class EventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q", max_length=100)
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=EventKind.choices)
    purpose = django_filters.ChoiceFilter(label=_("Purpose"), choices=EventPurpose.choices)
    sort = OrderingFilter(
        label=_("Sort by"),
        fields=(("starts_on", "date"), ("topic", "topic")),
        field_labels={"starts_on": _("Date"), "topic": _("Topic")},
    )

    class Meta:
        model = AssociationEvent
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(topic__icontains=value) | Q(association__name__icontains=value) | Q(takeaways__icontains=value)
        )

    @property
    def qs(self):
        qs = super().qs
        ordering = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        if not ordering:
            return qs.order_by("-starts_on", "-pk")
        return qs.order_by(*qs.query.order_by, "pk")


class ReportFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q", max_length=100)
    sort = OrderingFilter(
        label=_("Sort by"),
        fields=(("created_at", "shared"), ("title", "title")),
        field_labels={"created_at": _("Shared on"), "title": _("Title")},
    )

    class Meta:
        model = IndustryReport
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value)
            | Q(topics__icontains=value)
            | Q(source_institution__icontains=value)
            | Q(summary__icontains=value)
        )

    @property
    def qs(self):
        qs = super().qs
        ordering = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        if not ordering:
            return qs.order_by("-created_at", "-pk")
        return qs.order_by(*qs.query.order_by, "pk")


class MembershipFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q", max_length=100)
    sort = OrderingFilter(
        label=_("Sort by"),
        fields=(("ends_on", "ends"), ("association__name", "association")),
        field_labels={"ends_on": _("End date"), "association__name": _("Association")},
    )

    class Meta:
        model = Membership
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(level__icontains=value) | Q(association__name__icontains=value))

    @property
    def qs(self):
        qs = super().qs
        ordering = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        if not ordering:
            # Soonest to end first (the renewals to decide), then those without an end date.
            return qs.order_by(F("ends_on").asc(nulls_last=True), "pk")
        return qs.order_by(*qs.query.order_by, "pk")


class PositionFilter(django_filters.FilterSet):
    """The positions our people hold in associations (P4.4.1): current, ended, or all."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_q", max_length=100)
    held = django_filters.ChoiceFilter(
        label=_("Term"),
        choices=(("current", _("Current")), ("ended", _("Ended"))),
        method="filter_held",
        empty_label=_("All"),
    )
    sort = OrderingFilter(
        label=_("Sort by"),
        fields=(("ends_on", "ends"), ("association__name", "association")),
        field_labels={"ends_on": _("End date"), "association__name": _("Association")},
    )

    class Meta:
        model = Position
        fields: list[str] = []

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(role__icontains=value)
            | Q(association__name__icontains=value)
            | Q(person__first_name__icontains=value)
            | Q(person__last_name__icontains=value)
            | Q(person__username__icontains=value)
        )

    def filter_held(self, queryset, name, value):
        if value == "current":
            return queryset.filter(ends_on__gte=self.today)
        return queryset.filter(ends_on__lt=self.today)

    @property
    def qs(self):
        qs = super().qs
        ordering = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        if not ordering:
            return qs.order_by("ends_on", "pk")  # the terms ending soonest first
        return qs.order_by(*qs.query.order_by, "pk")
