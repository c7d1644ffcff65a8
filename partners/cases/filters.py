"""Filters and sorting of the case list (each backed by an index on ``Case``)."""

from __future__ import annotations

import datetime as dt
import re

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import Department
from crm.search import contains
from partners.filters import OrderingFilter, UserFilter
from partners.forms import active_colleagues
from partners.models import Contact, Family, Partner

from .models import OPEN_CASE_STATUSES, Case, CaseKind, CaseNote, CaseStatus, Priority
from .selectors import case_breached_q

# "all" is a value of its own, not the empty choice: the live filter leaves empty fields out of
# the URL, and a missing state means the working view (open cases).
STATE_CHOICES = [
    ("all", _("All cases")),
    ("open", _("Open (new, in progress, waiting)")),
    *CaseStatus.choices,
    ("breached", _("Past a deadline")),
    ("unassigned", _("Unassigned")),
]


_REFERENCE_PREFIX = re.compile(r"^[A-Za-z]+-(?=\d)")


def reference_q(term: str) -> Q:
    """Cases whose reference contains ``term``: "00042" or "2026-0004" find CS-2026-00042, and so
    does a reference typed with another prefix ("C-2026-0004"): the digits after it are searched.

    A reference is searched anywhere in it (a LIKE '%…%', which no B-tree index helps): on
    PostgreSQL the trigram index of cases 0010 serves it, as it does the subject (the gram index
    of cases 0011 a term, or digits, of one or two characters: ``crm.search``)."""
    q = contains("reference", term)
    if (digits := _REFERENCE_PREFIX.sub("", term)) != term:
        q |= contains("reference", digits)
    return q


def case_search(qs, term: str):
    """Cases whose reference, subject, submitter (name, company; the e-mail address whole),
    partner's name, contact's name or a note contains ``term``, in any case.

    One UNION of the case ids each part matches, joined once (as ``partner_search``): on
    PostgreSQL each part is read from its trigram index (the case table's through a BitmapOr of
    cases 0010, the partner's and the contact's names through partners 0012, the notes through
    cases 0010; for a term of one or two characters from the gram indexes of cases 0011 and
    partners 0014, see ``crm.search``), never a scan of the cases joined to partners, contacts
    and notes, which an OR across the tables would need. The same query on SQLite, without the
    indexes."""
    term = term.strip()
    if not term:
        return qs
    own = Case.objects.filter(
        reference_q(term)
        | contains("subject", term)
        | contains("submitter_company", term)
        | Q(submitter_email__iexact=term)
        | contains("submitter_name", term)
    )
    by_partner = Case.objects.filter(partner_id__in=Partner.objects.filter(contains("name", term)).values("pk"))
    by_contact = Case.objects.filter(contact_id__in=Contact.objects.filter(contains("name", term)).values("pk"))
    in_notes = CaseNote.objects.filter(contains("body", term)).order_by().values("case_id")
    ids = (
        own.order_by()
        .values("pk")
        .union(by_partner.order_by().values("pk"), by_contact.order_by().values("pk"), in_notes)
    )
    return qs.filter(pk__in=ids)


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q", max_length=100)
    state = django_filters.ChoiceFilter(
        label=_("Status"), choices=STATE_CHOICES, method="filter_state", empty_label=None
    )
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=CaseKind.choices)
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=Priority.choices)
    family = django_filters.ChoiceFilter(label=_("Family"), choices=Family.choices)
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=Department.objects.all())
    assignee = UserFilter(label=_("Assignee"), queryset=active_colleagues())
    partner = django_filters.NumberFilter(label=_("Partner"), field_name="partner_id", min_value=1, max_value=2**31 - 1)
    sort = OrderingFilter(
        label=_("Sort by"),
        fields=(("opened_at", "opened"), ("resolution_due_at", "due"), ("priority", "priority")),
        field_labels={"opened_at": _("Opened"), "resolution_due_at": _("Resolution due"), "priority": _("Priority")},
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        return case_search(queryset, value)

    def filter_state(self, queryset, name, value):
        if value == "all":
            return queryset
        if value == "open":
            return queryset.filter(status__in=OPEN_CASE_STATUSES)
        if value == "unassigned":
            return queryset.filter(status__in=OPEN_CASE_STATUSES, assignee__isnull=True)
        if value == "breached":
            return queryset.filter(case_breached_q(timezone.now()))
        return queryset.filter(status=value)

    @property
    def qs(self):
        qs = super().qs
        ordering = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        return qs.order_by(*case_list_order(ordering[0] if ordering else ""))


def case_list_order(sort: str) -> tuple[str, ...]:
    """The ORDER BY of the case list sorted by ``sort`` (a value of "Sort by"; "" is the
    default, newest first). Each is the key of one of ``Case``'s indexes, ending with the id so
    pages are stable; descending is the exact reverse (the same index read backwards)."""
    fields = {
        "opened": ("opened_at", "pk"),
        "due": ("resolution_due_at", "pk"),
        "priority": ("priority", "opened_at", "pk"),
    }.get(sort.lstrip("-"))
    if fields is None:
        return ("-opened_at", "-pk")
    return tuple(f"-{f}" for f in fields) if sort.startswith("-") else fields


SLA_PERIODS = (3, 6, 12, 24)
SLA_DEFAULT_MONTHS = 12


class SlaReportFilter(django_filters.FilterSet):
    """The SLA report's cases: opened in the last 3, 6, 12 (default) or 24 calendar months,
    of one family or all."""

    months = django_filters.TypedChoiceFilter(
        label=_("Period"), choices=[(m, m) for m in SLA_PERIODS], coerce=int, method="filter_months"
    )
    family = django_filters.ChoiceFilter(label=_("Family"), choices=Family.choices)

    class Meta:
        model = Case
        fields: list[str] = []

    def current_months(self) -> int:
        self.form.errors  # noqa: B018 - validates: cleaned_data keeps the valid values only
        return self.form.cleaned_data.get("months") or SLA_DEFAULT_MONTHS

    def since(self) -> dt.date:
        """The first day of the period: the first of the month, ``months - 1`` months back."""
        today = timezone.localdate()
        year, month = divmod(today.year * 12 + today.month - 1 - (self.current_months() - 1), 12)
        return dt.date(year, month + 1, 1)

    def filter_months(self, queryset, name, value):
        # Applied in qs, with the default period.
        return queryset

    @property
    def qs(self):
        return super().qs.filter(opened_at__gte=timezone.make_aware(dt.datetime.combine(self.since(), dt.time.min)))
