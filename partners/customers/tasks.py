"""Thin tasks: ids and ISO dates in, one service call, safe to run twice."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError

from . import services

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 5, "max_retries": 5, "ignore_result": True}


@shared_task(name="customers.greeting_prepare", **RETRY)
def greeting_prepare_task(
    partner_id: int, contact_id: int | None, occasion: str, day: str, holiday_id: int | None = None, today: str = ""
) -> int:
    """``today`` is the scan's local date (ISO): a late task decides as the scan did."""

    return services.greeting_prepare(
        partner_id=partner_id,
        contact_id=contact_id,
        occasion=occasion,
        day=dt.date.fromisoformat(day),
        holiday_id=holiday_id,
        today=dt.date.fromisoformat(today) if today else None,
    )


@shared_task(name="customers.campaign_deliver", **RETRY)
def campaign_deliver_task(campaign_id: int) -> int:

    return services.campaign_deliver(campaign_id=campaign_id)
