"""Thin tasks: ids in, one service call, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from . import services

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 5, "max_retries": 5, "ignore_result": True}


@shared_task(name="suppliers.qualification_remind", **RETRY)
def qualification_remind_task(document_id: int) -> int:
    return services.qualification_remind(document_id=document_id)
