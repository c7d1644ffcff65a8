"""Scans of the satisfaction surveys (registered with crm.scheduler)."""

from __future__ import annotations

import datetime as dt

from crm.scheduler import scan

from .models import Case, SurveyInvitation
from .services import invitation_reminder_due


@scan("surveys_remind")
def surveys_remind_scan(now: dt.datetime) -> int:
    """Open invitations (not answered, not expired) whose next reminder is due under their
    survey's policy (at most ``max_reminders``, ``min_days_between`` apart) → one task per
    invitation. The task claims the reminder number, so reruns send nothing twice."""
    from .tasks import invitation_remind_task

    candidates = SurveyInvitation.objects.filter(
        responded_at__isnull=True, expires_at__gt=now, survey__sent_at__isnull=False
    ).select_related("survey")
    due = [(inv.pk, number) for inv in candidates if (number := invitation_reminder_due(inv, now=now))]
    for pk, number in due:
        invitation_remind_task.delay(pk, number, now.isoformat())
    return len(due)


@scan("cases_sla")
def cases_sla_scan(now: dt.datetime) -> int:
    """Open cases past their response or resolution deadline and not escalated yet → one
    escalation task per case and deadline. The task claims the escalation, so a rerun or a
    duplicate delivery notifies nobody twice; a case missed while the worker was down is
    found by the next run."""
    from .services.cases import breached_case_filter
    from .tasks import case_escalate_task

    due = [
        (pk, which)
        for which in ("response", "resolution")
        for pk in Case.objects.filter(breached_case_filter(which, now)).values_list("pk", flat=True)
    ]
    for pk, which in due:
        case_escalate_task.delay(pk, which, now.isoformat())
    return len(due)
