"""Scans of the supervision group's work (registered with crm.scheduler)."""

from __future__ import annotations

import datetime as dt

from crm.notifications import enqueue_safely
from crm.scheduler import scan

from .services import report_generations_to_resume
from .tasks import report_generate_task


@scan("annual_reports")
def annual_reports_scan(now: dt.datetime) -> int:
    """Annual-report generations left behind (the broker was down when one was requested, or
    its worker died) → enqueued again; the task's claim keeps each to one run."""
    ids = report_generations_to_resume(now)
    for pk in ids:
        enqueue_safely(report_generate_task, pk)
    return len(ids)
