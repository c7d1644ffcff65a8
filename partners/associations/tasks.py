"""Thin tasks: ids in, one service call, safe to run twice (each effect has a unique key)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from . import services
from .models import Membership, Position

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 5, "max_retries": 5, "ignore_result": True}


@shared_task(name="associations.report_digest_send", **RETRY)
def report_digest_send_task(user_id: int, week: str) -> int:
    return services.report_digest_send(user_id=user_id, week=week)


@shared_task(name="associations.membership_remind", **RETRY)
def membership_remind_task(membership_id: int) -> int:
    membership = Membership.objects.select_related("association").filter(pk=membership_id).first()
    return services.membership_remind(membership=membership) if membership else 0


@shared_task(name="associations.position_remind", **RETRY)
def position_remind_task(position_id: int) -> int:
    position = Position.objects.select_related("association", "person").filter(pk=position_id).first()
    return services.position_remind(position=position) if position else 0
