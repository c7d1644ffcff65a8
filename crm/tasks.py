"""Thin Celery tasks: they take ids or names and call one service. Safe to run twice."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.db import OperationalError

from . import notifications, scheduler, services
from .models import Heartbeat

logger = logging.getLogger(__name__)

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 5, "max_retries": 5, "ignore_result": True}


class TransientEmailError(Exception):
    """The SMTP server could not take the message now; the task retries with backoff."""


@shared_task(name="crm.tasks.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Beat → broker → worker round trip: records its time for the operations page, and
    sweeps the scan runs a killed worker left "running"."""
    Heartbeat.record(Heartbeat.Kind.WORKER)
    stale = scheduler.scan_runs_mark_stale()
    logger.info("Rapport heartbeat: worker and beat are running (%d stale scan runs marked failed)", stale)
    return "ok"


@shared_task(name="crm.tasks.run_scan", ignore_result=True)
def run_scan(name: str) -> int:
    return scheduler.scan_run(name).effects


# Only transient errors are retried (SMTP unavailable, database busy), with backoff. The
# countdown stays below the Redis visibility timeout: a task waiting for its retry is held
# unacknowledged, and would otherwise be delivered again. A transient failure leaves the
# email pending, so the email scan also retries it.
@shared_task(
    name="crm.tasks.email_send",
    ignore_result=True,
    autoretry_for=(TransientEmailError, OperationalError),
    retry_backoff=30,
    retry_backoff_max=120,
    max_retries=5,
)
def email_send_task(email_id: int) -> bool:
    return notifications.email_send(email_id=email_id)


@shared_task(name="crm.tasks.corrective_action_remind", **RETRY)
def corrective_action_remind_task(action_id: int, day: str) -> int:
    return services.corrective_action_remind(action_id=action_id, day=dt.date.fromisoformat(day))
