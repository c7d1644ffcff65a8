"""Thin tasks: ids and ISO dates in, one service call, safe to run twice."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError

from . import reminders
from .importing import services as importing

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 5, "max_retries": 5, "ignore_result": True}


@shared_task(name="partners.tasks.followup_remind", **RETRY)
def followup_remind_task(followup_id: int, day: str) -> int:
    return reminders.followup_remind(followup_id=followup_id, day=dt.date.fromisoformat(day))


@shared_task(name="partners.tasks.followup_digest", **RETRY)
def followup_digest_task(owner_id: int, day: str) -> int:
    return reminders.followup_digest(owner_id=owner_id, day=dt.date.fromisoformat(day))


# An import of a few thousand rows takes longer than the default time limit.
IMPORT_LIMITS = {"soft_time_limit": importing.IMPORT_TIME_LIMIT - 60, "time_limit": importing.IMPORT_TIME_LIMIT}


@shared_task(name="partners.tasks.import_job_preview", **RETRY, **IMPORT_LIMITS)
def import_job_preview_task(job_id: int) -> None:
    importing.import_job_preview(job_id=job_id)


@shared_task(name="partners.tasks.import_job_apply", **RETRY, **IMPORT_LIMITS)
def import_job_apply_task(job_id: int) -> None:
    importing.import_job_apply(job_id=job_id)
