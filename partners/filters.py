"""List filters and sorting for the partner lists (every one backed by an index)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import F, Q
from django.forms.utils import pretty_name
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from crm.models import Department

from .forms import UserChoiceField, active_colleagues
from .models import FollowUp, Partner, Status, Tag, Tier
from .selectors import followups_in_state, partner_search

# django-filter ships no zh_Hans catalogue: these msgids let ours translate its labels.
DJANGO_FILTER_STRINGS = (gettext_noop("%s (descending)"), gettext_noop("Any date"), gettext_noop("Unknown"))


class UserFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


def _descending(label) -> str:
    return gettext("%s (descending)") % label


class OrderingFilter(django_filters.OrderingFilter):
    """django-filter builds "Name (descending)" once, when the filter class is defined, so in
    English whatever the user's language: this builds it lazily, in the request's language."""

    def build_choices(self, fields, labels):
        ascending = [(param, labels.get(field, pretty_name(param))) for field, param in fields.items()]
        descending = [
            (f"-{param}", labels.get(f"-{param}", lazy(_descending, str)(label))) for param, label in ascending
        ]
        return [choice for pair in zip(ascending, descending, strict=True) for choice in pair]


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

    def filter_q(self, queryset, name, value):
        return partner_search(queryset, value)

    def filter_not_contacted(self, queryset, name, value):
        before = timezone.now() - dt.timedelta(days=int(value))
        return queryset.filter(Q(last_contacted_at__lt=before) | Q(last_contacted_at__isnull=True))

    def filter_archived(self, queryset, name, value):
        # The base queryset already excludes archived partners; the view swaps it.
        return queryset

    @property
    def qs(self):
        qs = super().qs
        ordering = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        if not ordering:
            return qs.order_by("name", "pk")
        # Stable pagination: never-contacted partners last, ties broken by pk.
        keys = []
        for key in ordering:
            desc = key.startswith("-")
            if key.lstrip("-") == "last_contact":
                f = F("last_contacted_at")
                keys.append(f.desc(nulls_last=True) if desc else f.asc(nulls_last=True))
        if keys:
            return qs.order_by(*keys, "pk")
        return qs.order_by(*qs.query.order_by, "pk")


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
    """The filter bar's selects as plain data: (value, label, selected) per option, so the
    template loops over tuples instead of resolving bound-field attributes per option."""
    form = flt.form
    data = form.data if flt.is_bound else {}
    selects = []
    for name in names:
        bound = form[name]
        current = str(data.get(name, "") or "")
        options = [(str(value), str(label), str(value) == current) for value, label in bound.field.choices]
        selects.append(
            {"name": name, "id": bound.id_for_label, "label": bound.label, "options": options, "errors": bound.errors}
        )
    return selects


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
