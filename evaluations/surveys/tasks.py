"""Thin tasks: ids in, one service call, safe to run twice."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError

from . import services

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 5, "max_retries": 5, "ignore_result": True}


@shared_task(name="surveys.invitation_remind", **RETRY)
def invitation_remind_task(invitation_id: int, number: int, now: str) -> int:
    """``now`` is the scan's time (ISO): a late task still decides as the scan did."""
    return services.invitation_remind(invitation_id=invitation_id, number=number, now=dt.datetime.fromisoformat(now))
