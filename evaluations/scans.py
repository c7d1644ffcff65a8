"""Scans of supplier scorecards (registered with crm.scheduler)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from crm.scheduler import scan
from partners.models import Partner, Status

from . import scoring
from .models import Evaluation, EvaluatorSheet, Purpose, ScorecardTemplate
from .reminders import plans_due_for_re_evaluation
from .tasks import action_plan_re_evaluation_due_task, evaluation_open_due_task, evaluation_sheet_remind_task

# Partners in an ongoing relationship are evaluated periodically; candidates are screened.
EVALUATED_STATUSES = (Status.ACTIVE, Status.PROBATION, Status.SUSPENDED)


def partners_to_open(template: ScorecardTemplate, period_start: dt.date):
    """Partners the template applies to that have no evaluation for this period yet."""
    qs = Partner.objects.filter(family=template.family, archived_at__isnull=True)
    if template.purpose == Purpose.PARTNER_ASSESSMENT:
        qs = qs.filter(status__in=(Status.CANDIDATE, *EVALUATED_STATUSES))
    else:
        qs = qs.filter(status__in=EVALUATED_STATUSES)
    if template.tier is not None:
        qs = qs.filter(tier=template.tier)
    existing = Evaluation.objects.filter(partner=OuterRef("pk"), template=template, period_start=period_start)
    return qs.filter(~Exists(existing))


@scan("evaluations_open")
def evaluations_open_scan(now: dt.datetime) -> int:
    """Every active periodic / assessment template whose current period has started: fan out
    one opening task per partner still without an evaluation for that period. Screening is
    opened by people, for one candidate at a time."""
    today = timezone.localdate(now)
    count = 0
    for template in ScorecardTemplate.objects.filter(is_active=True).exclude(purpose=Purpose.SCREENING):
        start, _end = scoring.period_for(today, template.cadence)
        for partner_id in partners_to_open(template, start).values_list("pk", flat=True).iterator():
            evaluation_open_due_task.delay(partner_id, template.pk, today.isoformat())
            count += 1
    return count


@scan("evaluations_remind")
def evaluations_remind_scan(now: dt.datetime) -> int:
    """Unsubmitted sheets of open evaluations due within RAPPORT_EVALUATION_REMIND_DAYS (or
    overdue) → one reminder task per sheet."""
    today = timezone.localdate(now)
    horizon = today + dt.timedelta(days=settings.RAPPORT_EVALUATION_REMIND_DAYS)
    ids = list(
        EvaluatorSheet.objects.filter(
            Q(evaluation__due_on__lte=horizon), submitted_at__isnull=True, evaluation__status="open"
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        evaluation_sheet_remind_task.delay(pk, today.isoformat())
    return len(ids)


@scan("action_plans_due")
def action_plans_due_scan(now: dt.datetime) -> int:
    """Corrective action plans whose re-evaluation date has come, the supplier not evaluated
    again since → one task per plan telling the department's managers (once: the
    notification's key is the plan and its date)."""
    day = timezone.localdate(now)
    ids = list(plans_due_for_re_evaluation(day).values_list("pk", flat=True))
    for pk in ids:
        action_plan_re_evaluation_due_task.delay(pk, day.isoformat())
    return len(ids)
