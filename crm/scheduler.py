"""The scan mechanism: periodic scans find due work in the database and fan out.

A feature registers a scan with ``@scan("name")``: a function ``(now) -> int`` that
finds what is due and creates its effects (or enqueues one small task per id), returning
how many effects it created. Beat runs ``crm.tasks.run_scan(name)`` on the schedule in
settings.CELERY_BEAT_SCHEDULE; ``scan_run`` records each run for the operations page.

Scans look at *everything* due up to now, not at "what became due since the last run",
so a run missed while the worker or the broker was down is caught up by the next one.
"""

from __future__ import annotations

import importlib
import time
import traceback
from collections.abc import Callable

from django.apps import apps
from django.utils import timezone

from .models import ScanRun

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


def scan_run(name: str, *, now=None) -> ScanRun:
    func = load_scans()[name]
    now = now or timezone.now()
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
        run.finished_at = run.started_at + timezone.timedelta(seconds=time.monotonic() - started)
        run.save(update_fields=["outcome", "effects", "error", "finished_at"])
    return run
