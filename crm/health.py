"""Is this installation working? The checks behind /readyz, `manage.py health_check readyz`
and the operations page, and the rule for when a heartbeat is late (decided here, once).

Each check is a django-health-check ``HealthCheck``: it returns quietly when its service
works and raises ``ServiceUnavailable`` with a technical reason when it does not. The
reasons are for the operations page (superusers) and the command line; /readyz shows
anonymous callers only each check's name and "ok" or "fail".

- database: ``SELECT 1`` on a fresh connection (django-health-check's own check);
- cache: write, read and delete a key in the shared cache (the rate limits count there);
- broker: Redis answers within RAPPORT_BROKER_TIMEOUT, or the filesystem transport's
  folder is writable;
- worker: the heartbeat task (beat → broker → worker → database) ran within two of its
  periods;
- beat: beat's loop (crm.celery.Scheduler) recorded a tick within BEAT_LATE_AFTER.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import ClassVar

from asgiref.sync import async_to_sync, sync_to_async
from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from health_check import checks as library_checks
from health_check.base import HealthCheck, HealthCheckResult
from health_check.exceptions import ServiceUnavailable

from .models import Heartbeat


def worker_late_after() -> dt.timedelta:
    """Two heartbeat periods without a heartbeat: beat, the broker or every worker is down."""
    return dt.timedelta(seconds=2 * settings.CELERY_BEAT_SCHEDULE["heartbeat"]["schedule"])


def beat_late_after() -> dt.timedelta:
    """Beat wakes at least every CELERY_BEAT_MAX_LOOP_INTERVAL and records its ticks
    (crm.celery.Scheduler): five loops without one, it is stopped or stuck."""
    return dt.timedelta(seconds=5 * settings.CELERY_BEAT_MAX_LOOP_INTERVAL)


def heartbeats() -> dict[str, dt.datetime]:
    """The last time of each heartbeat kind that was ever recorded."""
    return {row.kind: row.at for row in Heartbeat.objects.all()}


def is_late(at: dt.datetime | None, late_after: dt.timedelta, *, now: dt.datetime | None = None) -> bool:
    return at is None or (now or timezone.now()) - at > late_after


@dataclasses.dataclass
class Database(library_checks.Database):
    name: ClassVar[str] = "database"
    label: ClassVar = _("Database")


@dataclasses.dataclass
class Cache(HealthCheck):
    """Not django-health-check's Cache check: that one leaves a key behind on every probe,
    and the file cache, once past MAX_ENTRIES, culls a third of its entries at random (rate
    limit counters included)."""

    name: ClassVar[str] = "cache"
    label: ClassVar = _("Cache")

    def run(self) -> None:
        key = f"rapport-health:{uuid.uuid4().hex}"
        try:
            cache.set(key, "ok", 30)
            found = cache.get(key)
            cache.delete(key)
        except Exception as exc:  # any backend's connection error
            raise ServiceUnavailable(f"cache error: {type(exc).__name__}") from exc
        if found != "ok":
            raise ServiceUnavailable("a value written to the cache was not read back")


@dataclasses.dataclass
class Broker(HealthCheck):
    name: ClassVar[str] = "broker"
    label: ClassVar = _("Broker")

    def run(self) -> None:
        if current_app.conf.broker_url.startswith("filesystem://"):
            folder = Path(current_app.conf.broker_transport_options["data_folder_in"])
            if not (folder.is_dir() and os.access(folder, os.W_OK)):
                raise ServiceUnavailable("the filesystem broker's queue folder is missing or not writable")
            return
        try:
            with current_app.connection_for_write() as connection:
                # One attempt, bounded by the socket timeouts of RAPPORT_BROKER_TIMEOUT.
                connection.ensure_connection(max_retries=0, timeout=settings.RAPPORT_BROKER_TIMEOUT)
        except Exception as exc:
            raise ServiceUnavailable(f"broker unreachable: {type(exc).__name__}") from exc


@dataclasses.dataclass
class _HeartbeatAge(HealthCheck):
    kind: ClassVar[str]

    def late_after(self) -> dt.timedelta:
        raise NotImplementedError

    async def run(self) -> None:
        # The request's own thread (and database connection), not the executor's.
        at = (await sync_to_async(heartbeats)()).get(self.kind)
        late_after = self.late_after()
        if at is None:
            raise ServiceUnavailable("never recorded")
        if is_late(at, late_after):
            age = int((timezone.now() - at).total_seconds())
            raise ServiceUnavailable(f"last recorded {age} s ago (late after {int(late_after.total_seconds())} s)")


@dataclasses.dataclass
class WorkerHeartbeat(_HeartbeatAge):
    name: ClassVar[str] = "worker"
    label: ClassVar = _("Worker heartbeat")
    kind: ClassVar[str] = Heartbeat.Kind.WORKER

    def late_after(self) -> dt.timedelta:
        return worker_late_after()


@dataclasses.dataclass
class BeatTick(_HeartbeatAge):
    name: ClassVar[str] = "beat"
    label: ClassVar = _("Beat")
    kind: ClassVar[str] = Heartbeat.Kind.BEAT_TICK

    def late_after(self) -> dt.timedelta:
        return beat_late_after()


READINESS_CHECKS = (Database, Cache, Broker, WorkerHeartbeat, BeatTick)


async def gather(checks) -> list[HealthCheckResult]:
    return list(await asyncio.gather(*(check.get_result() for check in checks)))


def run_checks(checks) -> list[HealthCheckResult]:
    """Run ``checks`` at once, for a synchronous caller. Where this thread already runs an
    event loop (a test driving Playwright's sync API), async_to_sync refuses: the checks
    then run on a loop of their own in a short-lived thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return async_to_sync(gather)(checks)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(gather(checks))).result()


def readiness() -> list[HealthCheckResult]:
    """Run every readiness check at once (for a synchronous caller: the operations page)."""
    return run_checks([check() for check in READINESS_CHECKS])
