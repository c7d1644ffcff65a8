"""Scans of the crm app (see crm/scheduler.py)."""

from __future__ import annotations

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
