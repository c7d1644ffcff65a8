"""Thin tasks of the supervision group's work: ids in, one service call, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from . import services

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 5, "max_retries": 5, "ignore_result": True}


@shared_task(name="supervision.report_generate", **RETRY)
def report_generate_task(report_id: int) -> bool:
    """The annual report's figures (P5.2), never computed in a web request. The service
    claims the queued generation, so a second delivery does nothing."""
    return services.report_generate(report_id=report_id)


@shared_task(name="supervision.report_files", **RETRY)
def report_files_task(report_id: int) -> bool:
    """A published version's PDF and spreadsheet files, never made in a web request. The
    service makes only the files the version lacks, so a second delivery does nothing."""
    return services.report_files_make(report_id=report_id)
