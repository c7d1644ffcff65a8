"""/healthz, /readyz and the operations page's readiness (crm/health.py), and beat's tick."""

from __future__ import annotations

import datetime as dt
import json
import socket

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from crm.celery import Scheduler, app
from crm.models import Heartbeat

CHECKS = {"database", "cache", "broker", "worker", "beat"}
FILE_CACHE = "django.core.cache.backends.filebased.FileBasedCache"


def beats(*, worker_minutes_ago: float | None = 1, beat_minutes_ago: float | None = 1) -> None:
    now = timezone.now()
    if worker_minutes_ago is not None:
        Heartbeat.record(Heartbeat.Kind.WORKER, at=now - dt.timedelta(minutes=worker_minutes_ago))
    if beat_minutes_ago is not None:
        Heartbeat.record(Heartbeat.Kind.BEAT_TICK, at=now - dt.timedelta(minutes=beat_minutes_ago))


def readyz(client):
    response = client.get("/readyz")
    return response.status_code, json.loads(response.content)


@pytest.fixture
def broker_url(monkeypatch):
    """Point the Celery app (not only Django's settings) at another broker for one test.
    Celery reads CELERY_BROKER_URL from the environment before its configuration."""
    previous = app.conf.broker_url, app.conf.broker_transport_options

    def point(url: str, **options) -> None:
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        app.conf.broker_url, app.conf.broker_transport_options = url, options

    yield point
    app.conf.broker_url, app.conf.broker_transport_options = previous


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_healthz_answers_anyone_without_asking_the_database(client):
    response = client.get("/healthz")  # no database fixture: a query would raise
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "checks": {}}
    assert "no-cache" in response["Cache-Control"] and "Set-Cookie" not in response


def test_readyz_is_ok_when_every_service_answers_and_both_heartbeats_are_fresh(client, db):
    beats()
    assert readyz(client) == (200, {"status": "ok", "checks": dict.fromkeys(CHECKS, "ok")})


@pytest.mark.parametrize(
    ("late", "worker_minutes_ago", "beat_minutes_ago"),
    [
        ("worker", 11, 1),  # two 5-minute heartbeat periods without one
        ("worker", None, 1),  # no worker ever ran the heartbeat
        ("beat", 1, 6),  # five 60-second loops without a tick
        ("beat", 1, None),
    ],
)
def test_readyz_fails_when_a_heartbeat_is_late(client, db, late, worker_minutes_ago, beat_minutes_ago):
    beats(worker_minutes_ago=worker_minutes_ago, beat_minutes_ago=beat_minutes_ago)
    status, body = readyz(client)
    assert status == 503
    assert body == {"status": "fail", "checks": {**dict.fromkeys(CHECKS, "ok"), late: "fail"}}


def test_readyz_fails_when_the_broker_is_unreachable_and_tells_anonymous_callers_no_more(client, db, broker_url):
    beats()
    port = closed_port()
    broker_url(f"redis://127.0.0.1:{port}/0", socket_timeout=1, socket_connect_timeout=1)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["broker"] == "fail"
    body = response.content.decode()
    for secret in (str(port), "127.0.0.1", "redis", "unreachable", "Error"):
        assert secret not in body


def test_readyz_fails_when_the_filesystem_broker_folder_is_gone(client, db, broker_url, tmp_path):
    beats()
    broker_url("filesystem://", data_folder_in=str(tmp_path / "missing"), data_folder_out=str(tmp_path / "missing"))
    assert readyz(client)[1]["checks"]["broker"] == "fail"


def test_readyz_fails_when_the_cache_cannot_store(client, db, tmp_path):
    beats()
    (tmp_path / "not-a-folder").write_text("x")
    location = str(tmp_path / "not-a-folder")
    with override_settings(CACHES={"default": {"BACKEND": FILE_CACHE, "LOCATION": location}}):
        status, body = readyz(client)
    assert status == 503 and body["checks"]["cache"] == "fail"


def test_the_cache_check_leaves_no_key_behind(client, db, settings, tmp_path):
    beats()
    settings.CACHES = {"default": {"BACKEND": FILE_CACHE, "LOCATION": str(tmp_path)}}
    assert readyz(client)[1]["checks"]["cache"] == "ok"
    assert list(tmp_path.iterdir()) == []


def test_probes_answer_only_get_and_over_plain_http_behind_the_ssl_redirect(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code in (200, 503)
    assert client.get(reverse("login")).status_code == 301  # every other page still goes to https
    assert client.post("/healthz").status_code == 405


def test_operations_page_shows_each_check_with_its_reason_and_beats_tick(client, admin_user):
    beats(worker_minutes_ago=1, beat_minutes_ago=None)
    client.force_login(admin_user)
    body = client.get(reverse("operations")).content.decode()
    readiness = body[body.index('id="readiness"') : body.index("</table>", body.index('id="readiness"'))]
    assert readiness.count("text-bg-success") == 4
    assert "Beat" in readiness and "never recorded" in readiness
    assert '<dd class="col-sm-8" id="beat-tick">not recorded yet' in body and "late: check that beat is running" in body
    assert "late: check beat, the broker and the workers" not in body  # the worker's heartbeat is fresh


def test_beat_records_its_tick_at_most_every_thirty_seconds(db, tmp_path):
    scheduler = Scheduler(app=app, schedule_filename=str(tmp_path / "schedule"))
    try:
        scheduler.tick()
        first = Heartbeat.objects.get(kind=Heartbeat.Kind.BEAT_TICK).at
        scheduler.tick()
        assert Heartbeat.objects.get(kind=Heartbeat.Kind.BEAT_TICK).at == first
    finally:
        scheduler.close()
    assert timezone.now() - first < dt.timedelta(seconds=10)
