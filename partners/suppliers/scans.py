"""Scans of the suppliers app (registered with crm.scheduler)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from crm.scheduler import scan

from .models import QualificationDocument
from .selectors import qualification_expired_q, qualification_expiring_q
from .tasks import qualification_remind_task


@scan("qualifications")
def qualifications_scan(now: dt.datetime) -> int:
    """Qualification documents expiring within RAPPORT_QUALIFICATION_WARN_DAYS (or already
    expired) on suppliers still in business → one reminder task per document."""
    today = timezone.localdate(now)
    ids = list(
        QualificationDocument.objects.filter(qualification_expired_q(today) | qualification_expiring_q(today))
        .filter(partner__archived_at__isnull=True)
        .exclude(partner__status="terminated")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        qualification_remind_task.delay(pk)
    return len(ids)
