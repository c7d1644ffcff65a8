"""Filters and sorting of the customer-care lists and the needs summary (each backed by an index)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.forms import DateInput
from partners.filters import OrderingFilter
from partners.models import Family, Tier

from .forms import NeedsSummaryForm
from .models import Gift, Need

GIFT_DEFAULT_SORT = "-date"


class GiftFilter(django_filters.FilterSet):
    """The gift register (P3.1): by partner name, approval and direction; newest first."""

    q = django_filters.CharFilter(
        label=_("Partner"), field_name="partner__name", lookup_expr="icontains", max_length=100
    )
    status = django_filters.ChoiceFilter(label=_("Approval"), choices=Gift.Status.choices)
    direction = django_filters.ChoiceFilter(label=_("Direction"), choices=Gift.Direction.choices)
    sort = OrderingFilter(
        label=_("Sort by"),
        fields=(("date", "date"), ("value", "value")),
        choices=[
            ("-date", _("Newest first")),
            ("date", _("Oldest first")),
            ("-value", _("Highest value")),
            ("value", _("Lowest value")),
        ],
    )

    class Meta:
        model = Gift
        fields: list[str] = []

    @property
    def qs(self):
        sort = self.current_sort()
        # Stable pagination: ties broken by pk in the same direction.
        return super().qs.order_by(sort, "-pk" if sort.startswith("-") else "pk")

    def current_sort(self) -> str:
        self.form.errors  # noqa: B018 - validates: cleaned_data keeps the valid values only
        ordering = self.form.cleaned_data.get("sort")
        return ordering[0] if ordering else GIFT_DEFAULT_SORT


class NeedsSummaryFilter(django_filters.FilterSet):
    """The needs summary's period and segment (P4.2.1). The form (NeedsSummaryForm) checks the
    period; a refused value falls back to its default and the other filters still apply."""

    start = django_filters.DateFilter(method="_period", label=_("From"), widget=DateInput())
    end = django_filters.DateFilter(method="_period", label=_("To"), widget=DateInput())
    family = django_filters.ChoiceFilter(
        field_name="partner__family", label=_("Family"), choices=Family.choices, empty_label=_("All families")
    )
    tier = django_filters.ChoiceFilter(
        field_name="partner__tier", label=_("Tier"), choices=Tier.choices, empty_label=_("All tiers")
    )
    industry = django_filters.CharFilter(
        field_name="partner__industry", lookup_expr="iexact", label=_("Industry"), max_length=100
    )

    class Meta:
        model = Need
        form = NeedsSummaryForm
        fields: list[str] = []

    def _period(self, queryset, name, value):
        return queryset  # the period is applied once, from both dates, in filter_queryset

    def period(self) -> tuple[dt.date, dt.date]:
        return self.form.period()

    def segment(self) -> dict:
        """The valid segment filters, for the page's links and the industry list."""
        if not self.form.is_bound:
            return {}
        self.form.errors  # noqa: B018 - validates: cleaned_data keeps the valid values only
        return {k: v for k, v in self.form.cleaned_data.items() if k in ("family", "tier", "industry") and v}

    def filter_queryset(self, queryset):
        start, end = self.period()
        tz = timezone.get_current_timezone()
        queryset = queryset.filter(
            recorded_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            recorded_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
        )
        return super().filter_queryset(queryset)
