"""List filters and sorting for the partner lists (every one backed by an index)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from crm.filters import OrderingFilter
from crm.filters import select_options as _select_options
from crm.models import Department

from .forms import UserChoiceField, active_colleagues
from .models import FollowUp, Partner, Status, Tag, Tier
from .selectors import followups_in_state, partner_search

# django-filter ships no zh_Hans catalogue: these msgids let ours translate its labels.
DJANGO_FILTER_STRINGS = (gettext_noop("%s (descending)"), gettext_noop("Any date"), gettext_noop("Unknown"))


# PartnerFilter's form class (and any subclass's), by filter set class.
_FORM_CLASSES: dict[type, type] = {}


class UserFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


class PartnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q", max_length=100)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    tier = django_filters.ChoiceFilter(label=_("Tier"), choices=Tier.choices)
    owner = UserFilter(label=_("Owner"), queryset=active_colleagues())
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=Department.objects.all())
    tag = django_filters.ModelChoiceFilter(label=_("Tag"), field_name="tags", queryset=Tag.objects.all())
    not_contacted_days = django_filters.NumberFilter(
        label=_("Not contacted for (days)"),
        method="filter_not_contacted",
        min_value=0,
        max_value=3650,
    )
    archived = django_filters.BooleanFilter(label=_("Archived"), method="filter_archived", widget=forms.CheckboxInput)
    sort = OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("name", "name"),
            ("status", "status"),
            ("tier", "tier"),
            ("last_contacted_at", "last_contact"),
            ("created_at", "created"),
        ),
        field_labels={
            "name": _("Name"),
            "status": _("Status"),
            "tier": _("Tier"),
            "last_contacted_at": _("Last contact"),
            "created_at": _("Created"),
        },
    )

    class Meta:
        model = Partner
        fields: list[str] = []

    def get_form_class(self):
        """The form class, built once: django-filter builds a new one, with a new form field per
        filter, on every request (a quarter of a millisecond of a list page). It may be shared:
        no field here depends on the request (no queryset is a callable of it), and each form
        deep-copies its fields, querysets included."""
        form_class = _FORM_CLASSES.get(type(self))
        if form_class is None:
            form_class = _FORM_CLASSES[type(self)] = super().get_form_class()
        return form_class

    def filter_q(self, queryset, name, value):
        return partner_search(queryset, value)

    def filter_not_contacted(self, queryset, name, value):
        before = timezone.now() - dt.timedelta(days=int(value))
        return queryset.filter(LessThan(last_contact_or_never(), before))  # before that day, or never

    def filter_archived(self, queryset, name, value):
        # The base queryset already excludes archived partners; the view swaps it.
        return queryset

    @property
    def qs(self):
        qs = super().qs
        ordering = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        return qs.order_by(*partner_list_order(ordering[0] if ordering else ""))


# The last contact of a partner never contacted, as the list's filter and descending sort read
# it: one range of one index for both (partners 0015).
NEVER = dt.datetime(1, 1, 1, tzinfo=dt.UTC)


def last_contact_or_never() -> Coalesce:
    """``last_contacted_at``, or ``NEVER``; the expression of ``partner_last_contact_desc_idx``."""
    return Coalesce(F("last_contacted_at"), Value(NEVER, output_field=DateTimeField()))


def partner_list_order(sort: str) -> tuple:
    """The ORDER BY of a partner list sorted by ``sort`` (a value of the "Sort by" select; "" is
    the default, by name). Each order ends with the id, so pages are stable, and is exactly the
    key of one of ``Partner``'s indexes (issue #15): the page is read from the index in order,
    with no sort of the table, and a deep page costs what reading that far into it costs. A
    descending sort is the exact reverse (the same index read backwards), except that partners
    never contacted stay last either way."""
    desc = sort.startswith("-")
    key = sort.lstrip("-")
    if key == "last_contact":
        if desc:  # never contacted, the earliest "contact" of all: last
            return (last_contact_or_never().desc(), "-pk")
        return (F("last_contacted_at").asc(nulls_last=True), "pk")
    fields = {
        "status": ("status", "name", "pk"),
        "tier": ("tier", "name", "pk"),
        "created": ("created_at", "pk"),
    }.get(key, ("name", "pk"))
    return tuple(f"-{f}" for f in fields) if desc else fields


class FollowUpFilter(django_filters.FilterSet):
    """My follow-ups by tab (P3.3); no tab, or an unknown one, shows what is due."""

    state = django_filters.ChoiceFilter(
        choices=[("open", _("Due")), ("overdue", _("Overdue")), ("done", _("Done"))], method="filter_state"
    )

    class Meta:
        model = FollowUp
        fields: list[str] = []

    def current_state(self) -> str:
        self.form.errors  # noqa: B018 - validates: cleaned_data keeps the valid values only
        return self.form.cleaned_data.get("state") or "open"

    def filter_state(self, queryset, name, value):
        # Applied in qs, with the default tab.
        return queryset

    @property
    def qs(self):
        return followups_in_state(super().qs, self.current_state())


PARTNER_SELECTS = ("status", "tier", "owner", "department", "tag", "sort")


def select_options(flt: django_filters.FilterSet, names: tuple[str, ...] = PARTNER_SELECTS) -> list[dict]:
    return _select_options(flt, names)


class PartnerPickFilter(django_filters.FilterSet):
    """A partner picker (opening a case for a partner): search by name, contact or tag."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_q", max_length=100)

    class Meta:
        model = Partner
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        return partner_search(queryset, value)

    def term(self) -> str:
        return (self.form.cleaned_data.get("q") or "") if self.form.is_valid() else ""
