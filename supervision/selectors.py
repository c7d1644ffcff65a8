"""Reads and access rules of the supervision group's work (P5.1).

Supervision writes only in its own workspace (plans, samples, grades, visits, findings, the
report) and verifies corrective actions; everything else stays read-only for it. Managers and
staff see the findings addressed to their department, and respond to them.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from crm import roles
from crm.models import CorrectiveAction, corrective_action_overdue_q
from crm.selectors import actions_for_source
from partners.models import Partner, Tier

from .models import AnnualReport, Finding, InspectionPlan, Sample, Visit

VISIT_EVERY = dt.timedelta(days=365)


def may_supervise(user) -> bool:
    """Writes in the supervision workspace: the supervision group (and superusers)."""
    return user.is_authenticated and roles.is_supervisor(user)


def findings_visible_to(user) -> QuerySet[Finding]:
    findings = Finding.objects.select_related("department", "plan")
    if roles.is_supervisor(user):
        return findings
    return findings.filter(department_id=roles.user_department_id(user) or -1)


def finding_get_for_user(*, user, pk: int) -> Finding:
    return get_object_or_404(findings_visible_to(user), pk=pk)


def may_respond_to_finding(user, finding: Finding) -> bool:
    """Staff and managers of the finding's department, while it is open."""
    return (
        finding.status != Finding.Status.CLOSED
        and roles.has_write_role(user)
        and (user.is_superuser or roles.user_department_id(user) == finding.department_id)
    )


def finding_open_actions(finding: Finding) -> bool:
    return actions_for_source(finding).filter(state__in=OPEN_ACTION_STATES).exists()


OPEN_ACTION_STATES = (CorrectiveAction.State.OPEN, CorrectiveAction.State.RESPONDED)
DASHBOARD_FINDINGS = 10


def finding_action_counts() -> dict[str, int]:
    """The corrective actions raised from findings that are not closed: open (the owner's
    turn), awaiting verification (supervision's turn) and, among both, overdue. One query."""
    today = timezone.localdate()
    return CorrectiveAction.objects.filter(source_type=ContentType.objects.get_for_model(Finding)).aggregate(
        open=Count("pk", filter=Q(state=CorrectiveAction.State.OPEN)),
        responded=Count("pk", filter=Q(state=CorrectiveAction.State.RESPONDED)),
        overdue=Count("pk", filter=corrective_action_overdue_q(today)),
    )


def dashboard_findings_panel(*, user) -> dict | None:
    """The dashboard card of staff and managers: the supervision findings addressed to their
    department that are not closed yet, by response date (issue #11 §1). Nothing for the
    supervision group (its own home lists them) or when there is nothing to show."""
    department_id = roles.user_department_id(user)
    if roles.is_supervisor(user) or department_id is None:
        return None
    findings = list(
        Finding.objects.filter(department_id=department_id)
        .exclude(status=Finding.Status.CLOSED)
        .order_by("response_due", "pk")[:DASHBOARD_FINDINGS]
    )
    if not findings:
        return None
    return {"findings": findings, "today": timezone.localdate()}


def partner_visit_action_panel(*, partner: Partner, user) -> dict | None:
    """The "Record a visit" button on a partner's page, for the supervision group (no query:
    roles are cached on the user)."""
    if not may_supervise(user) or partner.archived_at is not None:
        return None
    return {"partner": partner}


def plans_with_progress() -> QuerySet[InspectionPlan]:
    return InspectionPlan.objects.annotate(
        sampled=Count("samples__items", distinct=True),
        graded=Count("samples__items", filter=~Q(samples__items__grade=""), distinct=True),
        finding_count=Count("findings", distinct=True),
    )


def samples_with_progress(plan: InspectionPlan) -> QuerySet[Sample]:
    return plan.samples.select_related("drawn_by").annotate(
        graded=Count("items", filter=~Q(items__grade="")),
    )


def partners_due_a_visit(limit: int = 10) -> QuerySet[Partner]:
    """Key and important partners the group has not visited for a year, longest first."""
    recent = Visit.objects.filter(partner=OuterRef("pk"), visited_on__gte=timezone.localdate() - VISIT_EVERY)
    return (
        Partner.objects.filter(archived_at__isnull=True, tier__in=[Tier.KEY, Tier.IMPORTANT])
        .exclude(Exists(recent))
        .select_related("department")
        .order_by("last_contacted_at", "pk")[:limit]
    )


# --- Policy coverage (issue #11 §3) -----------------------------------------------------------


def may_read_coverage(user) -> bool:
    """Supervision reads every department's coverage; a manager reads their own department's
    (they answer for it). Staff do not: the drill-downs name colleagues' late follow-ups and
    gifts, and staff see their own work on their own pages."""
    return may_supervise(user) or (roles.is_manager(user) and roles.user_department_id(user) is not None)


def coverage_department_for(user, requested: int | None) -> int | None:
    """The department whose coverage ``user`` reads when asking for ``requested`` (None: all
    departments). Supervision: as asked. A manager: always their own; asking for another
    department is refused."""
    if not user.is_authenticated or not may_read_coverage(user):
        raise PermissionDenied
    if may_supervise(user):
        return requested
    own = roles.user_department_id(user)
    if requested is not None and requested != own:
        raise PermissionDenied
    return own


# --- The annual satisfaction report (P5.2) ----------------------------------------------------

READABLE_REPORT_STATES = ("published", "superseded")


def reports_visible_to(user) -> QuerySet[AnnualReport]:
    """Supervision reads every version; managers and staff read published versions (and the
    ones they superseded), never drafts."""
    reports = AnnualReport.objects.defer("figures")
    if may_supervise(user):
        return reports
    if roles.has_any_role(user):
        return reports.filter(state__in=READABLE_REPORT_STATES)
    return reports.none()


def report_get_for_user(*, user, pk: int) -> AnnualReport:
    return get_object_or_404(
        AnnualReport.objects.filter(pk__in=reports_visible_to(user).values("pk")).select_related(
            "published_by", "created_by", "corrects"
        ),
        pk=pk,
    )
