"""Real-service tests: a real `celery worker` process on the machine's Redis, sharing the
PostgreSQL test database with the test. .ci/run sets RAPPORT_REQUIRE_SERVICES=1, and then
a missing service fails these tests instead of skipping them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = os.environ.get("RAPPORT_REQUIRE_SERVICES") == "1"


def _require(condition: bool, reason: str) -> None:
    if not condition:
        if REQUIRED:
            pytest.fail(reason)
        pytest.skip(reason + " (set RAPPORT_REQUIRE_SERVICES=1 to make this an error)")


@pytest.fixture
def services(transactional_db):
    """Checks the services, points the test's Celery app at Redis (not eager), empties the
    test's Redis database, and restores everything afterwards."""
    _require(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    _require(settings.CELERY_BROKER_URL.startswith("redis://"), "CELERY_BROKER_URL is not a redis:// URL")
    import redis

    from crm.celery import app

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.flushdb()
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield client
    app.conf.task_always_eager = previous
    client.flushdb()


class Worker:
    """A `celery worker` subprocess in its own process group."""

    def __init__(self, concurrency: int = 2, log: Path | None = None):
        self.concurrency = concurrency
        self.log = log
        self.proc: subprocess.Popen | None = None

    def env(self) -> dict:
        env = dict(os.environ)
        db = connection.settings_dict
        user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
        env.update(
            # The worker shares the test's own database (test_…), where the test commits.
            DATABASE_URL=f"postgres://{user}@{host}:{port}/{db['NAME']}",
            CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
            CELERY_TASK_ALWAYS_EAGER="false",
            # Redeliver a dead worker's tasks after 4 s, sweeping every second.
            CELERY_VISIBILITY_TIMEOUT="4",
            CELERY_RESTORE_INTERVAL="1",
            CELERY_RESTORE_THROTTLE="1",
            # A worker SIGKILLed mid-sweep must not block the next one's sweeps for long.
            CELERY_RESTORE_LOCK_EXPIRE="3",
            EMAIL_URL="memorymail://",
            RAPPORT_DIGEST_HOUR="0",
            TIME_ZONE=settings.TIME_ZONE,
            DEBUG="True",
        )
        return env

    def start(self) -> Worker:
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "crm",
                "worker",
                "--loglevel=INFO",
                f"--concurrency={self.concurrency}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill(self) -> None:
        """SIGKILL the whole group: the main process and its pool children, no warm shutdown."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def worker_factory(services, tmp_path):
    workers: list[Worker] = []

    def make(concurrency: int = 2) -> Worker:
        w = Worker(concurrency=concurrency, log=tmp_path / "worker.log").start()
        workers.append(w)
        return w

    yield make
    for w in workers:
        w.stop()
    log = tmp_path / "worker.log"
    if log.exists():
        print(log.read_text()[-3000:])


def wait_for(predicate, timeout: float = 60, interval: float = 0.25, what=None):
    """Poll until ``predicate()`` is truthy; on timeout say ``what()`` (the state reached)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s" + (f": {what()}" if what else ""))
