"""Thin tasks: ids and ISO dates in, one service call, safe to run twice."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError

from . import reminders

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 5, "max_retries": 5, "ignore_result": True}


@shared_task(name="evaluations.tasks.evaluation_open_due", **RETRY)
def evaluation_open_due_task(partner_id: int, template_id: int, day: str) -> int:
    return reminders.evaluation_open_due(partner_id=partner_id, template_id=template_id, day=dt.date.fromisoformat(day))


@shared_task(name="evaluations.tasks.evaluation_sheet_remind", **RETRY)
def evaluation_sheet_remind_task(sheet_id: int, day: str) -> int:
    return reminders.evaluation_sheet_remind(sheet_id=sheet_id, day=dt.date.fromisoformat(day))


@shared_task(name="evaluations.tasks.action_plan_re_evaluation_due", **RETRY)
def action_plan_re_evaluation_due_task(plan_id: int, day: str) -> int:
    return reminders.action_plan_re_evaluation_due(plan_id=plan_id, day=dt.date.fromisoformat(day))
