"""Thin tasks: ids in, one service call, safe to run twice."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError

from . import services

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 5, "max_retries": 5, "ignore_result": True}


@shared_task(name="agreements.agreement_status_refresh", **RETRY)
def agreement_status_refresh_task(agreement_id: int, day: str) -> int:
    return services.agreement_status_refresh(agreement_id=agreement_id, day=dt.date.fromisoformat(day))


@shared_task(name="agreements.agreement_review_remind", **RETRY)
def agreement_review_remind_task(agreement_id: int) -> int:
    return services.agreement_review_remind(agreement_id=agreement_id)


@shared_task(name="agreements.obligation_remind", **RETRY)
def obligation_remind_task(obligation_id: int) -> int:
    return services.obligation_remind(obligation_id=obligation_id)
