"""Scans of the crm app (see crm/scheduler.py)."""

from __future__ import annotations

from .notifications import emails_due_ids
from .scheduler import scan


@scan("emails")
def emails_scan(now) -> int:
    """Send what is pending, including emails a dead worker left half-sent."""
    from .tasks import email_send_task

    ids = emails_due_ids(now=now)
    for pk in ids:
        email_send_task.delay(pk)
    return len(ids)
