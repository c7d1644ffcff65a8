"""Filters and sorting of the customer-care lists (each backed by an index)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from partners.filters import OrderingFilter

from .models import Gift

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
