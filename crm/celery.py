"""Celery application. Tasks are thin, take ids, and are safe to run twice."""

from __future__ import annotations

import logging
import os

from celery import Celery
from celery.signals import task_failure

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

app = Celery("crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_failure.connect
def record_task_failure(sender=None, task_id=None, exception=None, args=None, kwargs=None, einfo=None, **_extra):
    """Keep a row per failed task (retries exhausted or not retried) for the operations page."""
    try:
        from crm.models import TaskFailure

        TaskFailure.objects.create(
            task=getattr(sender, "name", str(sender))[:120],
            task_id=task_id or "",
            args=repr((args, kwargs))[:2000],
            error=(str(einfo) if einfo else repr(exception))[-4000:],
        )
    except Exception:  # the database itself may be what failed: never mask the original error
        logging.getLogger(__name__).exception("Could not record the failure of task %s", task_id)
