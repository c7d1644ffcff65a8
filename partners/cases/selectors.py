"""Reads of the service cases: access, lists, timelines, SLA attainment (P4.1.2, P4.2.2).

Attainment is aggregated in SQL, one grouped query per dimension.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import dateformat, timezone
from django.utils.formats import get_format

from crm import roles
from crm.bilingual import in_language
from crm.choices import choice_labels
from crm.lists import Row
from crm.numbers import share
from partners.models import FAMILY_PLURALS, Contact, Partner

from . import sla
from .models import OPEN_CASE_STATUSES, Case, CaseKind, CaseNote, CaseStatus, Priority

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# --- Results ---------------------------------------------------------------------------------


# --- Service cases -------------------------------------------------------------------------


def may_open_case(user: User) -> bool:
    """Open a case for any partner the user can see: staff and managers of every department
    (and superusers). A complaint or a supplier's problem reaches whoever takes the call, who
    opens the case; it is routed to the partner's department (P4.1.2, P4.2.2). Supervision
    reads only (P5.1)."""
    return roles.has_write_role(user)


def partner_cases_panel(*, partner: Partner, user: User) -> dict:
    """The partner page's "Cases" and "New case" buttons (registered in apps.py)."""
    return {"partner": partner, "may_open_case": may_open_case(user)}


def may_work_on_case(user: User, case: Case) -> bool:
    """Edit, note, move and assign the case: staff and managers of the case's department,
    its assignee, and anyone who may write when the case has no department yet (web-form
    triage); supervision reads only."""
    if user.is_superuser:
        return True
    if not roles.has_write_role(user):
        return False
    if case.assignee_id == user.pk or case.department_id is None:
        return True
    return case.department_id == roles.user_department_id(user)


def case_get_for_user(*, user: User, pk: int, write: bool = False) -> Case:
    """Every role reads cases (supervision inspects them, P5.1); writes per may_work_on_case."""
    if not roles.has_any_role(user):
        raise PermissionDenied
    # Three joins, the rest prefetched (a null one costs no query): PostgreSQL's planning time
    # grows steeply with each join to a many-indexed table, and the eight-table join this was
    # took 7-9 ms to plan at 100,000 partners, for one row.
    case = (
        Case.objects.select_related("partner", "department", "assignee")
        .prefetch_related("contact", "created_by", "survey_response", "about_case")
        .filter(pk=pk)
        .order_by()
        .first()
    )
    if case is None:
        raise Http404
    if write and not may_work_on_case(user, case):
        raise PermissionDenied
    return case


def case_follow_ups(*, case: Case) -> list[Case]:
    """The cases opened by a low survey score about ``case`` (issue 12 §2), oldest first."""
    return list(case.follow_up_cases.only("pk", "reference", "subject", "status").order_by("opened_at", "pk"))


def case_list_for_user(*, user: User, instances: bool = True) -> QuerySet[Case]:
    """The cases ``user`` may list; ``instances``: read as model instances, with the partner,
    department and assignee joined (the export, the API), rather than as values
    (``CASE_ROW_VALUES``, the list page, where a deferred field would cost the mask of every
    field of every joined model on each of its queries)."""
    if not roles.has_any_role(user):
        return Case.objects.none()
    if not instances:
        return Case.objects.all()
    return Case.objects.select_related("partner", "department", "assignee").defer(
        "description", "resolution", "partner__description", "partner__customs", "partner__needs"
    )


# What a row of the case list shows, read as values (``case_list_rows``).
CASE_ROW_VALUES = (
    "pk",
    "reference",
    "subject",
    "partner_id",
    "partner__name",
    "submitter_company",
    "kind",
    "priority",
    "status",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
    "opened_at",
    "response_due_at",
    "first_response_at",
    "resolution_due_at",
    "resolved_at",
    "paused_at",
)


def case_list_rows(rows, *, now: dt.datetime) -> list[Row]:
    """A page of the case list (``CASE_ROW_VALUES`` tuples) as plain rows: labels from one
    dict per page, each deadline's clock, the opening time formatted in the reader's time zone
    and language as the ``date`` filter would. No model instance per case, partner and user."""
    kinds, priorities, statuses = choice_labels(CaseKind), choice_labels(Priority), choice_labels(CaseStatus)
    opened_format = get_format("SHORT_DATETIME_FORMAT")
    out = []
    for r in rows:
        names = (r.assignee__username, r.assignee__first_name, r.assignee__last_name)
        out.append(
            Row(
                pk=r.pk,
                reference=r.reference,
                subject=r.subject,
                partner_name=r.partner__name if r.partner_id else None,
                submitter_company=r.submitter_company,
                kind_label=kinds.get(r.kind, r.kind),
                priority_label=priorities.get(r.priority, r.priority),
                status=r.status,
                status_label=statuses.get(r.status, r.status),
                assignee=(f"{names[1]} {names[2]}".strip() or names[0]) if names[0] else "",
                response=sla.Clock(
                    due=r.response_due_at,
                    done_at=r.first_response_at,
                    left=sla.time_left(r.response_due_at, now=now),
                    paused=False,
                ),
                resolution=sla.Clock(
                    due=r.resolution_due_at,
                    done_at=r.resolved_at,
                    left=sla.time_left(r.resolution_due_at, now=now, paused_at=r.paused_at),
                    paused=r.paused_at is not None,
                ),
                opened=dateformat.format(timezone.localtime(r.opened_at), opened_format),
            )
        )
    return out


def case_contact_suggestions(*, case: Case, limit: int = 5) -> list[Contact]:
    """For a case not linked to a partner yet (the public form): the contacts of current
    partners of its family with the address the visitor typed, for triage to confirm."""
    if case.partner_id is not None or not case.submitter_email:
        return []
    return list(
        Contact.objects.filter(
            email__iexact=case.submitter_email, partner__family=case.family, partner__archived_at__isnull=True
        )
        .select_related("partner")
        .order_by("partner__name", "name")[:limit]
    )


def case_timeline(*, case: Case) -> QuerySet[CaseNote]:
    return case.notes.select_related("author")


def case_deadline_breached_q(which: str, now: dt.datetime) -> Q:
    """Cases whose ``which`` deadline is breached at ``now``, open or not: the queryset form
    of ``sla.case_deadline_breached`` with the same boundary (strictly past: ``due < now``).
    A paused resolution clock is judged at the moment it was paused."""
    if which == sla.RESPONSE:
        return Q(first_response_at__isnull=True, response_due_at__lt=now)
    if which == sla.RESOLUTION:
        return Q(resolved_at__isnull=True) & (
            Q(paused_at__isnull=True, resolution_due_at__lt=now) | Q(paused_at__gt=F("resolution_due_at"))
        )
    raise ValueError(f"unknown deadline {which!r}")


def case_breached_q(now: dt.datetime) -> Q:
    """Open cases past either deadline: the queryset form of ``sla.case_breached``."""
    return Q(status__in=OPEN_CASE_STATUSES) & (
        case_deadline_breached_q(sla.RESPONSE, now) | case_deadline_breached_q(sla.RESOLUTION, now)
    )


def case_counts_for_user(*, user: User) -> dict[str, int]:
    """Open cases assigned to the user, and how many of them are past a deadline."""
    return Case.objects.filter(assignee=user, status__in=OPEN_CASE_STATUSES).aggregate(
        open=Count("pk"), breached=Count("pk", filter=case_breached_q(timezone.now()))
    )


@dataclass
class Attainment:
    """One row of the SLA report: deadlines met and missed (cases still inside their clock
    are pending and count in neither)."""

    label: object
    n: int
    response_met: int
    response_missed: int
    resolution_met: int
    resolution_missed: int

    @property
    def response_pct(self) -> Decimal | None:
        return share(part=self.response_met, whole=self.response_met + self.response_missed)

    @property
    def resolution_pct(self) -> Decimal | None:
        return share(part=self.resolution_met, whole=self.resolution_met + self.resolution_missed)


def _attainment_aggregates(now) -> dict:
    # Missed: done after the deadline (``sla.met``), or not done and breached now.
    response_missed = Q(first_response_at__gt=F("response_due_at")) | case_deadline_breached_q(sla.RESPONSE, now)
    resolution_missed = Q(resolved_at__gt=F("resolution_due_at")) | case_deadline_breached_q(sla.RESOLUTION, now)
    return {
        "n": Count("pk"),
        "response_met": Count("pk", filter=Q(first_response_at__lte=F("response_due_at"))),
        "response_missed": Count("pk", filter=response_missed),
        "resolution_met": Count("pk", filter=Q(resolved_at__lte=F("resolution_due_at"))),
        "resolution_missed": Count("pk", filter=resolution_missed),
    }


ATTAINMENT_DIMENSIONS = ("month", "department", "family")


def sla_attainment(*, cases: QuerySet[Case], now=None) -> dict[str, list[Attainment]]:
    """SLA attainment of ``cases`` (the report's filter), by month, department and family:
    one grouped query each (P4.1.2, P4.2.2)."""
    now = now or timezone.now()
    aggregates = _attainment_aggregates(now)
    fields = [f.name for f in Attainment.__dataclass_fields__.values() if f.name != "label"]

    def rows(qs, key) -> list[Attainment]:
        return [Attainment(label=row[key], **{f: row[f] for f in fields}) for row in qs]

    by_month = cases.annotate(month=TruncMonth("opened_at")).values("month").annotate(**aggregates).order_by("-month")
    by_department = (
        cases.values("department__name", "department__name_zh").annotate(**aggregates).order_by("department__name")
    )
    by_family = cases.values("family").annotate(**aggregates).order_by("family")
    families = dict(FAMILY_PLURALS)
    return {
        "month": rows(by_month, "month"),
        "department": [
            Attainment(
                label=in_language(row["department__name"], row["department__name_zh"]), **{f: row[f] for f in fields}
            )
            for row in by_department
        ],
        "family": [
            Attainment(label=families.get(r.label, r.label), **{f: getattr(r, f) for f in fields})
            for r in rows(by_family, "family")
        ],
    }


def dashboard_counter_panel(*, user: User) -> dict:
    """The dashboard's "My open cases" counter (registered in apps.py)."""
    return {"cases": case_counts_for_user(user=user)}
