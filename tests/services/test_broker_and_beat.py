"""Recovery with the real services (issue 10, items 5 and 10).

(a) Redis frozen (SIGSTOP: it accepts connections and never answers) while a user replies
to a case: the request returns at once, the reply and its email row stand, and once Redis
is back the email scan sends the email exactly once. (b) A real `celery beat` runs every
scan and the heartbeat within seconds of starting, not an hour later, records its ticks,
and /readyz then finds everything ready.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import redis
from django.urls import reverse

from crm import notifications
from crm.celery import app
from crm.models import Heartbeat, OutboundEmail, ScanRun
from crm.notifications import enqueue_safely
from crm.scheduler import load_scans
from crm.tasks import heartbeat, run_scan
from partners.cases.models import CaseNote
from tests.factories import PartnerFactory, UserFactory
from tests.services.conftest import ROOT, Worker, wait_for

pytestmark = [pytest.mark.services]


class OwnRedis:
    """A redis-server of the test's own on a free port, which the test may freeze."""

    def __init__(self, folder):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        wait_for(lambda: self._pings(client), timeout=10, interval=0.05)

    @staticmethod
    def _pings(client) -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    def freeze(self) -> None:
        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.proc.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.thaw()
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def own_redis(services, tmp_path):
    server = OwnRedis(tmp_path)
    yield server
    server.stop()


def use_broker(url: str) -> None:
    app.conf.broker_url = app.conf.broker_write_url = app.conf.broker_read_url = url
    app._pool = None  # connection and producer pools are per broker URL
    app.amqp._producer_pool = None


@pytest.fixture
def broker_of(own_redis, settings):
    """Points the test's Celery app, and the workers it starts, at its own Redis."""
    previous = app.conf.broker_url
    settings.CELERY_BROKER_URL = own_redis.url  # read by Worker.env()
    use_broker(own_redis.url)
    yield own_redis
    use_broker(previous)
    notifications._broker_skip_until = 0.0  # the failed publishes must not silence other tests


def test_a_frozen_broker_does_not_hang_a_case_reply_and_the_scan_sends_it_once(broker_of, worker_factory, client):
    from partners.cases.services import case_open

    staff = UserFactory(username="owner", role="Staff", dept="procurement")
    partner = PartnerFactory(owner=staff)
    case = case_open(
        partner=partner,
        kind="issue",
        channel="email",
        subject="Late delivery",
        description="Where is it?",
        submitter_email="buyer@example.com",
    )
    client.force_login(staff)
    # A running site holds an open connection to the broker: the freeze hits it mid-use.
    assert enqueue_safely(heartbeat) is True
    broker_of.freeze()
    timings = []
    for i in range(2):
        started = time.monotonic()
        response = client.post(reverse("cases:case_note", args=[case.pk]), {"kind": "reply", "body": f"R{i}"})
        timings.append(time.monotonic() - started)
        assert response.status_code == 302
    print(f"case reply with Redis frozen: {', '.join(f'{t:.2f} s' for t in timings)}")
    assert max(timings) < 3
    assert CaseNote.objects.filter(case=case, kind=CaseNote.Kind.REPLY).count() == 2
    assert OutboundEmail.objects.filter(kind="case_reply", state="pending").count() == 2

    broker_of.thaw()  # a publish the frozen Redis had half-received may now be delivered too
    worker_factory()
    run_scan.delay("emails")
    wait_for(
        lambda: OutboundEmail.objects.filter(kind="case_reply", state="sent").count() == 2,
        what=lambda: list(OutboundEmail.objects.values_list("state", "attempts")),
    )
    run_scan.delay("emails")
    wait_for(lambda: ScanRun.objects.filter(name="emails", outcome="ok").count() == 2)
    time.sleep(1)  # let any duplicate delivery of a send task finish
    assert list(OutboundEmail.objects.filter(kind="case_reply").values_list("state", "attempts")) == [("sent", 1)] * 2


def test_beat_runs_every_scan_and_the_heartbeat_soon_after_it_starts(services, worker_factory, tmp_path, client):
    worker_factory(concurrency=2)
    log = open(tmp_path / "beat.log", "ab")  # noqa: SIM115
    started = time.monotonic()
    beat = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "crm", "beat", "--loglevel=INFO", "-s", str(tmp_path / "schedule")],
        cwd=ROOT,
        env=Worker().env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        scans = set(load_scans())
        wait_for(
            lambda: set(ScanRun.objects.filter(outcome="ok").values_list("name", flat=True)) >= scans,
            timeout=60,
            what=lambda: sorted(scans - set(ScanRun.objects.values_list("name", flat=True))),
        )
        wait_for(lambda: Heartbeat.objects.filter(kind=Heartbeat.Kind.WORKER).exists(), timeout=30)
        print(f"every scan and the heartbeat ran {time.monotonic() - started:.1f} s after beat started")
        assert Heartbeat.objects.filter(kind=Heartbeat.Kind.BEAT_START).exists()
        for name in scans:  # once each: the start-up run, the regular ones come later
            assert ScanRun.objects.filter(name=name).count() == 1, name
        # Beat's loop records its ticks, and with the real Redis, worker and beat /readyz
        # and its command-line twin find everything ready.
        assert Heartbeat.objects.filter(kind=Heartbeat.Kind.BEAT_TICK).exists()
        response = client.get("/readyz")
        assert response.status_code == 200, response.content
        command = [sys.executable, "manage.py", "health_check", "readyz", "--no-http"]
        checked = subprocess.run(command, cwd=ROOT, env=Worker().env(), capture_output=True, text=True, timeout=60)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    finally:
        os.killpg(beat.pid, signal.SIGTERM)
        beat.wait(timeout=15)
        log.close()
        print((tmp_path / "beat.log").read_text()[-2000:])
