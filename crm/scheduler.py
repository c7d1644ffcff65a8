"""The scan mechanism: periodic scans find due work in the database and fan out.

A feature registers a scan with ``@scan("name")``: a function ``(now) -> int`` that
finds what is due and creates its effects (or enqueues one small task per id), returning
how many effects it created. Beat runs ``crm.tasks.run_scan(name)`` on the schedule in
settings.CELERY_BEAT_SCHEDULE; ``scan_run`` records each run for the operations page.

A scan killed with its worker stays "running": ``scan_runs_mark_stale`` marks such runs
failed once they are older than every task's time limit (at each scan run and heartbeat).
``beat_started`` sends every schedule entry once when beat starts.

Scans look at *everything* due up to now, not at "what became due since the last run",
so a run missed while the worker or the broker was down is caught up by the next one.
"""

from __future__ import annotations

import datetime as dt
import importlib
import time
import traceback
from collections.abc import Callable

from celery import current_app
from django.apps import apps
from django.conf import settings
from django.utils import timezone

from .models import SCAN_ABANDONED_ERROR, Heartbeat, ScanRun, stale_after
from .notifications import enqueue_safely

SCANS: dict[str, Callable] = {}


def scan(name: str) -> Callable:
    def register(func: Callable) -> Callable:
        SCANS[name] = func
        return func

    return register


def load_scans() -> dict[str, Callable]:
    """Import every app's ``scans`` module so their @scan functions register."""
    for config in apps.get_app_configs():
        try:
            importlib.import_module(f"{config.name}.scans")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.scans":
                raise
    return SCANS


def scan_runs_mark_stale() -> int:
    """Mark failed the runs still "running" past the time limit (their worker was killed:
    no task outlives CELERY_TASK_TIME_LIMIT). Staleness is wall-clock time, not a scan's
    ``now``."""
    return ScanRun.objects.filter(
        outcome=ScanRun.Outcome.RUNNING, started_at__lt=timezone.now() - stale_after()
    ).update(outcome=ScanRun.Outcome.FAILED, error=SCAN_ABANDONED_ERROR)


def beat_started() -> int:
    """Send each entry of the beat schedule once, now: beat's first run of an hourly entry
    is otherwise an hour after it starts. An extra run is harmless, effects being keyed.
    Returns how many were sent."""
    Heartbeat.record(Heartbeat.Kind.BEAT_START)
    sent = 0
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        sent += enqueue_safely(current_app.tasks[entry["task"]], *entry.get("args", ()))
    return sent


def scan_run(name: str, *, now=None) -> ScanRun:
    func = load_scans()[name]
    now = now or timezone.now()
    scan_runs_mark_stale()
    run = ScanRun.objects.create(name=name, started_at=timezone.now())
    started = time.monotonic()
    try:
        effects = func(now)
    except Exception:
        run.outcome = ScanRun.Outcome.FAILED
        run.error = traceback.format_exc()[-4000:]
        raise
    else:
        run.outcome = ScanRun.Outcome.OK
        run.effects = effects or 0
    finally:
        run.finished_at = run.started_at + dt.timedelta(seconds=time.monotonic() - started)
        run.save(update_fields=["outcome", "effects", "error", "finished_at"])
    return run
