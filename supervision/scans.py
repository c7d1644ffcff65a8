"""Scans of the supervision group's work (registered with crm.scheduler)."""

from __future__ import annotations

import datetime as dt

from crm.notifications import enqueue_safely
from crm.scheduler import scan

from .services import report_generations_to_resume, reports_missing_files
from .tasks import report_files_task, report_generate_task


@scan("annual_reports")
def annual_reports_scan(now: dt.datetime) -> int:
    """Annual-report generations left behind (the broker was down when one was requested, or
    its worker died) → enqueued again; the task's claim keeps each to one run. Published
    versions still without their files → the files task again (it makes only what is missing)."""
    ids = report_generations_to_resume(now)
    for pk in ids:
        enqueue_safely(report_generate_task, pk)
    files = reports_missing_files()
    for pk in files:
        enqueue_safely(report_files_task, pk)
    return len(ids) + len(files)
