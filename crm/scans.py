"""Scans of the crm app (see crm/scheduler.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import FormSubmission
from .notifications import emails_due_ids
from .scheduler import scan
from .services import corrective_actions_due_ids
from .tasks import corrective_action_remind_task, email_send_task


@scan("emails")
def emails_scan(now) -> int:
    """Send what is pending, including emails a dead worker left half-sent."""
    ids = emails_due_ids(now=now)
    for pk in ids:
        email_send_task.delay(pk)
    return len(ids)


@scan("form_submissions")
def form_submissions_scan(now) -> int:
    """Forget form tokens after a day: a page left open longer gets a fresh token on reload."""
    deleted, _ = FormSubmission.objects.filter(created_at__lt=now - dt.timedelta(days=1)).delete()
    return deleted


@scan("corrective_actions")
def corrective_actions_scan(now) -> int:
    """Open corrective actions due soon or past due → one reminder task each. The task's
    effects are keyed (kind, action, due date, recipient): the hourly rerun adds nothing, and
    a day missed while the worker was down is caught up by the next run."""
    day = timezone.localdate(now)
    ids = corrective_actions_due_ids(day=day)
    for pk in ids:
        corrective_action_remind_task.delay(pk, day.isoformat())
    return len(ids)
