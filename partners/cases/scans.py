"""Scans of the service cases (registered with crm.scheduler)."""

from __future__ import annotations

import datetime as dt

from crm.scheduler import scan

from .models import Case
from .services import case_escalation_due_q
from .sla import DEADLINES
from .tasks import case_escalate_task


@scan("cases_sla")
def cases_sla_scan(now: dt.datetime) -> int:
    """Open cases past their response or resolution deadline and not escalated yet → one
    escalation task per case and deadline. The task claims the escalation, so a rerun or a
    duplicate delivery notifies nobody twice; a case missed while the worker was down is
    found by the next run."""
    due = [
        (pk, which)
        for which in DEADLINES
        for pk in Case.objects.filter(case_escalation_due_q(which, now)).values_list("pk", flat=True)
    ]
    for pk, which in due:
        case_escalate_task.delay(pk, which, now.isoformat())
    return len(due)
