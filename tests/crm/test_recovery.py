"""Recovery after a crash (issue 10, item 10) and a broker that hangs (item 5), fast side.

Stale scan runs are marked failed; beat sends every schedule entry once at start; the
redelivery time follows the task time limit; a half-sent email is released once its
worker is surely dead; the operations page shows all of it. The real worker, beat and a
frozen Redis are in tests/services/test_broker_and_beat.py.
"""

from __future__ import annotations

import datetime as dt
import runpy
import time
from pathlib import Path

import pytest
from celery.signals import beat_init
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from crm import notifications
from crm.celery import app
from crm.models import SCAN_ABANDONED_ERROR, Heartbeat, OutboundEmail, ScanRun
from crm.notifications import email_stuck_after, enqueue_safely
from crm.scheduler import load_scans, scan_run
from crm.tasks import heartbeat
from tests.factories import UserFactory

SETTINGS_PY = Path(settings.BASE_DIR) / "crm" / "settings.py"


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def redis_settings(monkeypatch) -> dict:
    """crm/settings.py evaluated as production reads it: a redis:// broker, no overrides."""
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    for name in ("CELERY_VISIBILITY_TIMEOUT", "RAPPORT_BROKER_TIMEOUT", "RAPPORT_SCAN_STALE_AFTER"):
        monkeypatch.delenv(name, raising=False)
    return runpy.run_path(str(SETTINGS_PY))


def test_redelivery_waits_for_the_longest_task_and_no_longer(redis_settings):
    limit = redis_settings["CELERY_TASK_TIME_LIMIT"]
    visibility = redis_settings["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"]
    # No task outlives the hard limit, so a redelivery never doubles a running task...
    assert visibility > limit
    # ...and a killed worker's tasks come back within minutes, not the former hour.
    assert visibility <= limit + 120


def test_retry_countdowns_stay_below_the_redelivery_time(redis_settings):
    """A task waiting for its retry is held unacknowledged: a countdown longer than the
    visibility timeout would be delivered again to another worker while it waits."""
    visibility = redis_settings["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"]
    retrying = [
        t for name, t in app.tasks.items() if getattr(t, "autoretry_for", ()) and not name.startswith("celery.")
    ]
    assert retrying, "no retrying task found: the check below checks nothing"
    for task in retrying:
        backoff = getattr(task, "retry_backoff", False)
        if backoff:  # celery.app.autoretry: min(max, factor * 2 ** retries), retries from 0
            longest = min(getattr(task, "retry_backoff_max", 600), int(backoff) * 2 ** (task.max_retries - 1))
        else:
            longest = task.default_retry_delay
        assert longest < visibility, task.name


def test_a_publish_to_a_hung_broker_is_bounded(redis_settings):
    options = redis_settings["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert options["socket_timeout"] <= 1 and options["socket_connect_timeout"] <= 1
    assert redis_settings["CELERY_BROKER_CONNECTION_TIMEOUT"] <= 1
    assert redis_settings["CELERY_TASK_PUBLISH_RETRY_POLICY"]["max_retries"] == 0


def test_stale_scans_and_stuck_emails_wait_for_the_time_limit_only(redis_settings):
    limit = redis_settings["CELERY_TASK_TIME_LIMIT"]
    assert limit < redis_settings["RAPPORT_SCAN_STALE_AFTER"] <= limit + 120
    emails_every = redis_settings["CELERY_BEAT_SCHEDULE"]["scan-emails"]["schedule"]
    # Claim released after the limit + margin, then the next email scan: within 5 minutes.
    assert limit + redis_settings["RAPPORT_RECOVERY_MARGIN"] + emails_every <= 300


def test_every_registered_scan_is_on_the_schedule():
    scheduled = {e["args"][0] for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "crm.tasks.run_scan"}
    assert scheduled == set(load_scans())


def test_unreachable_broker_leaves_the_row_and_returns_at_once(db, settings):
    """Nothing listens on port 1: refused, logged, and the next calls skip the broker."""
    from crm.tasks import email_send_task

    previous = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = app.conf.broker_write_url = app.conf.broker_read_url = "redis://127.0.0.1:1/0"
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.task_always_eager = False
    try:
        started = time.monotonic()
        assert enqueue_safely(email_send_task, 1) is False
        assert enqueue_safely(email_send_task, 2) is False
        assert time.monotonic() - started < 3
    finally:
        app.conf.broker_url = app.conf.broker_write_url = app.conf.broker_read_url = previous[0]
        app.conf.task_always_eager = previous[1]
        app._pool = None
        app.amqp._producer_pool = None
        notifications._broker_skip_until = 0.0


def make_run(name: str, *, minutes_ago: float) -> ScanRun:
    return ScanRun.objects.create(name=name, started_at=timezone.now() - dt.timedelta(minutes=minutes_ago))


def test_the_next_scan_run_marks_a_killed_run_failed(db):
    killed = make_run("followups", minutes_ago=settings.RAPPORT_SCAN_STALE_AFTER / 60 + 1)
    running = make_run("cases_sla", minutes_ago=1)  # may well still be running: left alone
    scan_run("emails")
    killed.refresh_from_db()
    running.refresh_from_db()
    assert killed.outcome == ScanRun.Outcome.FAILED and killed.error == SCAN_ABANDONED_ERROR
    assert running.outcome == ScanRun.Outcome.RUNNING


def test_the_heartbeat_records_its_time_and_marks_killed_runs_failed(db):
    killed = make_run("qualifications", minutes_ago=60)
    before = timezone.now()
    heartbeat.apply()
    assert Heartbeat.objects.get(kind=Heartbeat.Kind.WORKER).at >= before
    killed.refresh_from_db()
    assert killed.outcome == ScanRun.Outcome.FAILED
    heartbeat.apply()
    assert Heartbeat.objects.filter(kind=Heartbeat.Kind.WORKER).count() == 1


def test_beat_start_runs_every_scan_once(db):
    beat_init.send(sender=None)  # what `celery beat` sends as it starts (eager here)
    for name in load_scans():
        assert ScanRun.objects.filter(name=name).count() == 1, name
        assert ScanRun.objects.get(name=name).outcome == ScanRun.Outcome.OK, name
    assert Heartbeat.objects.filter(kind=Heartbeat.Kind.BEAT_START).exists()
    assert Heartbeat.objects.filter(kind=Heartbeat.Kind.WORKER).exists()  # the heartbeat entry ran too


def stored_email(user, **fields) -> OutboundEmail:
    values = {"kind": "x", "period": "p", "language": "en", "subject": "Hi", "body_text": "Hi"} | fields
    return OutboundEmail.objects.create(recipient=user, to_address=user.email, **values)


def test_a_half_sent_email_is_sent_again_only_once_its_worker_is_surely_dead(db):
    user = UserFactory(username="reader", role="Staff", dept="procurement")
    window = email_stuck_after()
    assert window == dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + settings.RAPPORT_RECOVERY_MARGIN)
    maybe_sending = stored_email(user, state="sending", claimed_at=timezone.now() - window + dt.timedelta(seconds=20))
    scan_run("emails")
    maybe_sending.refresh_from_db()
    assert maybe_sending.state == "sending" and not mail.outbox  # its task may still be in SMTP
    abandoned = stored_email(
        user, period="q", state="sending", claimed_at=timezone.now() - window - dt.timedelta(seconds=1), attempts=1
    )
    scan_run("emails")
    abandoned.refresh_from_db()
    assert abandoned.state == "sent" and abandoned.attempts == 2 and len(mail.outbox) == 1


def test_operations_page_shows_stale_runs_heartbeats_redelivery_and_stuck_emails(db, admin_user, client, settings):
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 180}
    make_run("followups", minutes_ago=60)  # killed, not yet swept
    user = UserFactory(username="reader", role="Staff", dept="procurement")
    stored_email(user, state="sending", claimed_at=timezone.now() - dt.timedelta(hours=1), subject="Half-sent hello")
    client.force_login(admin_user)
    body = client.get(reverse("operations")).content.decode()
    assert "Stale: its worker was killed" in body
    assert '<dd class="col-sm-8" id="worker-heartbeat">not recorded yet' in body and "late: check beat" in body
    assert '<dd class="col-sm-8" id="visibility-timeout">180 seconds' in body
    assert 'id="stuck-emails"' in body and "Half-sent hello" in body

    heartbeat.apply()  # sweeps the stale run into "failed" and records the time
    body = client.get(reverse("operations")).content.decode()
    assert "late: check beat" not in body and "0\xa0minutes ago" in body
    assert body.count("Stale: its worker was killed") == 2  # the scans table and the failures list


def test_operations_page_is_for_admins_only(client, manager):
    client.force_login(manager)
    assert client.get(reverse("operations")).status_code == 403
