"""List filters shared by every app (django-filter), and the corrective-action list's own.

``OrderingFilter`` and ``select_options`` moved here from ``partners.filters`` when the kernel's
corrective-action list needed them too (STYLE 24); ``partners.filters`` re-exports them."""

from __future__ import annotations

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.forms import ModelChoiceField
from django.forms.utils import pretty_name
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import option_lists
from .models import OPEN_ACTION_STATES, CorrectiveAction, Department, corrective_action_overdue_q


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


def search_term(flt) -> str:
    """The search term a list's filter (already validated: ``flt.qs`` read) applies, or "".
    A searched list counts up to ``RAPPORT_SEARCH_COUNT_CAP`` and reads its count and its page's
    ids at once (``crm.lists.list_page``'s ``deferred``)."""
    return (getattr(flt.form, "cleaned_data", {}).get("q") or "").strip()


def select_options(flt: django_filters.FilterSet, names: tuple[str, ...]) -> list[dict]:
    """The filter bar's selects as plain data: (value, label, selected) per option, so the
    template loops over tuples instead of resolving bound-field attributes per option."""
    form = flt.form
    data = form.data if flt.is_bound else {}
    selects = []
    for name in names:
        bound = form[name]
        current = str(data.get(name, "") or "")
        if isinstance(bound.field, ModelChoiceField):  # the same for every viewer: kept
            choices = option_lists.model_choices(f"{type(flt).__qualname__}.{name}", bound.field)
        else:
            choices = ((str(value), str(label)) for value, label in bound.field.choices)
        options = [(value, label, value == current) for value, label in choices]
        selects.append(
            {"name": name, "id": bound.id_for_label, "label": bound.label, "options": options, "errors": bound.errors}
        )
    return selects


# --- Corrective actions ----------------------------------------------------------------------

# "all" is a value of its own, not the empty choice: the live filter leaves empty fields out of
# the URL, and a missing state means the working view (active actions).
ACTION_STATE_CHOICES = [
    ("all", _("All actions")),
    ("active", _("Open or awaiting verification")),
    ("overdue", _("Overdue")),
    *CorrectiveAction.State.choices,
]
ACTION_SELECTS = ("state", "department", "source", "sort")


def source_kinds() -> list[tuple[int, str]]:
    """The kinds of record that raised actions (a scorecard plan, a finding …), by name: read
    once per change of the actions (``option_lists.computed``; the select's choices are asked
    for by the form and by the list's rows)."""
    return option_lists.computed("crm.source_kinds", (ContentType, CorrectiveAction), _source_kinds)


def _source_kinds() -> list[tuple[int, str]]:
    # EXISTS per kind of record (a few dozen probes of the source_type index), not the distinct
    # values of every action's (15 ms of the list at 118,000 actions).
    types = ContentType.objects.filter(Exists(CorrectiveAction.objects.filter(source_type=OuterRef("pk"))))
    kinds = []
    for ct in types:
        model = ct.model_class()
        kinds.append((ct.pk, str(model._meta.verbose_name).capitalize() if model else ct.model))
    return sorted(kinds, key=lambda kind: kind[1])


class CorrectiveActionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q", max_length=100)
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=ACTION_STATE_CHOICES, method="filter_state", empty_label=None
    )
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=Department.objects.all())
    source = django_filters.TypedChoiceFilter(
        label=_("Raised by"), field_name="source_type_id", choices=source_kinds, coerce=int
    )
    sort = OrderingFilter(
        label=_("Sort by"),
        fields=(("due_on", "due"), ("created_at", "raised"), ("state", "state")),
        field_labels={"due_on": _("Due date"), "created_at": _("Raised"), "state": _("State")},
    )

    class Meta:
        model = CorrectiveAction
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        term = value.strip()
        if not term:
            return queryset
        return queryset.filter(
            Q(description__icontains=term)
            | Q(response__icontains=term)
            | Q(owner__username__iexact=term)
            | Q(owner__last_name__icontains=term)
            | Q(owner__first_name__icontains=term)
        )

    def filter_state(self, queryset, name, value):
        if value == "all":
            return queryset
        if value == "active":
            return queryset.filter(state__in=OPEN_ACTION_STATES)
        if value == "overdue":
            return queryset.filter(corrective_action_overdue_q(timezone.localdate()))
        return queryset.filter(state=value)

    @property
    def qs(self):
        qs = super().qs
        ordering = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        if not ordering:
            return qs.order_by("due_on", "pk")
        return qs.order_by(*qs.query.order_by, "pk")
