"""Thin tasks: ids in, one service call, safe to run twice."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError

from . import services

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 5, "max_retries": 5, "ignore_result": True}


@shared_task(name="cases.case_escalate", **RETRY)
def case_escalate_task(case_id: int, which: str, now: str) -> int:
    return services.case_escalate(case_id=case_id, which=which, now=dt.datetime.fromisoformat(now))
