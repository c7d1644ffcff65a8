"""Celery application. Tasks are thin, take ids, and are safe to run twice."""

from __future__ import annotations

import logging
import os
import time

from celery import Celery
from celery.beat import PersistentScheduler
from celery.signals import beat_init, task_failure

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


@beat_init.connect
def run_every_entry_at_start(sender=None, **_extra):
    """Hourly scans would first run an hour after beat starts (a deploy, a crash): send
    every schedule entry once now. Never stop beat from starting over it."""
    try:
        from crm.scheduler import beat_started

        beat_started()
    except Exception:
        logging.getLogger(__name__).exception("Could not send the start-up run of the schedule")


# Beat records a tick at most this often (seconds); CELERY_BEAT_MAX_LOOP_INTERVAL wakes it
# at least every minute, and crm/health.py calls it late after five minutes without one.
BEAT_TICK_RECORD_EVERY = 30.0


class Scheduler(PersistentScheduler):
    """Beat's scheduler (CELERY_BEAT_SCHEDULER), recording that its loop still turns: the
    time of a tick, at most every BEAT_TICK_RECORD_EVERY seconds, for /readyz and the
    operations page. A database that is down only loses the record, never a tick."""

    _recorded_at = float("-inf")

    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        if time.monotonic() - self._recorded_at >= BEAT_TICK_RECORD_EVERY:
            self._recorded_at = time.monotonic()
            self.record_tick()
        return interval

    @staticmethod
    def record_tick() -> None:
        # Imported here, like the signal handlers above: this module loads before the apps.
        from django.db import close_old_connections, connection

        from crm.models import Heartbeat

        try:
            # Beat serves no requests, so nothing else drops a connection the database closed
            # (but never one in the middle of a caller's transaction).
            if not connection.in_atomic_block:
                close_old_connections()
            Heartbeat.record(Heartbeat.Kind.BEAT_TICK)
        except Exception:
            logging.getLogger(__name__).warning("Could not record beat's tick", exc_info=True)
