"""Scans of the satisfaction surveys (registered with crm.scheduler)."""

from __future__ import annotations

import datetime as dt

from crm.scheduler import scan

from .models import SurveyInvitation
from .services import invitation_reminder_due
from .tasks import invitation_remind_task


@scan("surveys_remind")
def surveys_remind_scan(now: dt.datetime) -> int:
    """Open invitations (not answered, not expired) whose next reminder is due under their
    survey's policy (at most ``max_reminders``, ``min_days_between`` apart) → one task per
    invitation. The task claims the reminder number, so reruns send nothing twice."""
    candidates = SurveyInvitation.objects.filter(
        responded_at__isnull=True, expires_at__gt=now, survey__sent_at__isnull=False
    ).select_related("survey")
    due = [(inv.pk, number) for inv in candidates if (number := invitation_reminder_due(inv, now=now))]
    for pk, number in due:
        invitation_remind_task.delay(pk, number, now.isoformat())
    return len(due)
