"""Scans of the associations app (registered with crm.scheduler)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from crm.scheduler import scan

from .models import ReportReceipt
from .selectors import memberships_due, positions_due
from .tasks import membership_remind_task, position_remind_task, report_digest_send_task


def iso_week(day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


@scan("association_terms")
def association_terms_scan(now: dt.datetime) -> int:
    """Memberships to renew and position terms ending, each within its own reminder days (P4.4.1)
    → one reminder task per row; the notifications are keyed by row and end date."""
    today = timezone.localdate(now)
    memberships = [m.pk for m in memberships_due(today=today)]
    positions = [p.pk for p in positions_due(today=today)]
    for pk in memberships:
        membership_remind_task.delay(pk)
    for pk in positions:
        position_remind_task.delay(pk)
    return len(memberships) + len(positions)


@scan("industry_report_digest")
def industry_report_digest_scan(now: dt.datetime) -> int:
    """Readers with industry reports still unread (P4.4.3) → one digest task per reader; each
    digest once per reader per ISO week, whichever day of the week the scan first finds it."""
    week = iso_week(timezone.localdate(now))
    readers = list(
        ReportReceipt.objects.filter(read_at__isnull=True, reader__is_active=True)
        .values_list("reader_id", flat=True)
        .distinct()
        .order_by("reader_id")
    )
    for user_id in readers:
        report_digest_send_task.delay(user_id, week)
    return len(readers)
