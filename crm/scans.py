"""Scans of the crm app (see crm/scheduler.py)."""

from __future__ import annotations

import datetime as dt

from .models import FormSubmission
from .notifications import emails_due_ids
from .scheduler import scan
from .tasks import email_send_task


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
