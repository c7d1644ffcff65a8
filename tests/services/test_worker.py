"""Never forget, never repeat: a real worker, a real Redis, a real PostgreSQL (issue #4).

(a) a scan fans out and every effect appears once; (b) the worker is SIGKILLed mid-batch
and restarted → every effect exactly once; (c) Redis is unreachable while a user saves a
follow-up → the save succeeds and the reminder comes once Redis is back; (d) the same
scan enqueued twice at once → no duplicates.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from crm.models import Notification, OutboundEmail, ScanRun
from crm.tasks import run_scan
from tests.factories import FollowUpFactory, PartnerFactory, UserFactory
from tests.services.conftest import wait_for

pytestmark = [pytest.mark.services]


def make_due_followups(n_users: int, per_user: int) -> list:
    today = timezone.localdate()
    users = []
    for i in range(n_users):
        user = UserFactory(username=f"owner{i}", role="Staff", dept="procurement")
        user.profile.notification_mode = "daily"
        user.profile.save()
        partner = PartnerFactory(owner=user)
        for j in range(per_user):
            FollowUpFactory(partner=partner, owner=user, due_on=today - dt.timedelta(days=j % 3))
        users.append(user)
    return users


def no_duplicates() -> bool:
    dupes = (
        Notification.objects.values("recipient", "kind", "object_ref", "period").annotate(n=Count("pk")).filter(n__gt=1)
    )
    return not dupes.exists()


def test_a_scan_fans_out_and_every_effect_appears_once(worker_factory):
    make_due_followups(3, 20)
    worker_factory(concurrency=2)
    run_scan.delay("followups")
    wait_for(lambda: Notification.objects.count() == 60 and OutboundEmail.objects.filter(state="sent").count() == 3)
    run = wait_for(lambda: ScanRun.objects.filter(name="followups", outcome="ok").first())
    assert run.effects == 63  # 60 reminder tasks + 3 digest tasks
    assert no_duplicates()
    assert OutboundEmail.objects.count() == 3


def test_b_worker_killed_mid_batch_then_restarted_gives_each_effect_exactly_once(worker_factory):
    make_due_followups(4, 50)
    first = worker_factory(concurrency=1)
    run_scan.delay("followups")
    wait_for(lambda: Notification.objects.count() >= 10, interval=0.05)
    first.kill()
    done_before_restart = Notification.objects.count()
    assert done_before_restart < 200, "the batch finished before the kill: make it bigger"
    worker_factory(concurrency=2)
    wait_for(
        lambda: Notification.objects.count() == 200, timeout=90, what=lambda: f"{Notification.objects.count()} of 200"
    )
    assert no_duplicates()
    # A second scan afterwards (the periodic catch-up) adds nothing.
    run_scan.delay("followups")
    wait_for(lambda: ScanRun.objects.filter(name="followups", outcome="ok").count() >= 2, timeout=60)
    assert Notification.objects.count() == 200
    assert OutboundEmail.objects.count() == 4


def test_c_redis_down_while_saving_a_followup_then_reminder_once_it_is_back(worker_factory, client, settings):
    from crm.celery import app

    author = UserFactory(username="author", role="Staff", dept="procurement")
    owner = UserFactory(username="owner", role="Staff", dept="procurement")  # immediate emails
    supplier = PartnerFactory(owner=author)

    def use_broker(url: str) -> None:
        app.conf.broker_url = app.conf.broker_write_url = app.conf.broker_read_url = url
        app._pool = None  # connection and producer pools are per broker URL
        app.amqp._producer_pool = None

    good_broker = app.conf.broker_url
    use_broker("redis://127.0.0.1:1/0")  # nothing listens there: Redis is "down"
    try:
        client.force_login(author)
        response = client.post(
            reverse("partners:interaction_create", args=[supplier.pk]),
            {
                "log-kind": "call",
                "log-occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "log-subject": "Call during outage",
                "log-fu-TOTAL_FORMS": "1",
                "log-fu-INITIAL_FORMS": "0",
                "log-fu-0-description": "Send the revised quote",
                "log-fu-0-owner": owner.pk,
                "log-fu-0-due_on": timezone.localdate().isoformat(),
            },
        )
        assert response.status_code == 302
        # The reminder scan itself cannot even be enqueued now.
        with pytest.raises(Exception):  # noqa: B017 - kombu's connection error
            run_scan.apply_async(args=["followups"], retry=False)
    finally:
        use_broker(good_broker)
    assert Notification.objects.filter(recipient=owner, kind="followup_assigned").count() == 1
    worker_factory()
    run_scan.delay("followups")
    wait_for(lambda: Notification.objects.filter(recipient=owner, kind="followup_due").count() == 1)
    wait_for(lambda: OutboundEmail.objects.filter(recipient=owner, state="sent").count() == 1)
    run_scan.delay("followups")
    wait_for(lambda: ScanRun.objects.filter(name="followups", outcome="ok").count() == 2)
    assert Notification.objects.filter(recipient=owner, kind="followup_due").count() == 1
    assert OutboundEmail.objects.filter(recipient=owner).count() == 1


def test_d_same_scan_enqueued_twice_at_once_gives_no_duplicates(worker_factory):
    make_due_followups(2, 40)
    worker_factory(concurrency=2)
    run_scan.delay("followups")
    run_scan.delay("followups")
    wait_for(lambda: ScanRun.objects.filter(name="followups", outcome="ok").count() == 2, timeout=60)
    wait_for(lambda: Notification.objects.count() == 80)
    import time

    time.sleep(2)  # let any straggling duplicate task finish
    assert Notification.objects.count() == 80
    assert no_duplicates()
    assert OutboundEmail.objects.count() == 2


def test_e_case_deadlines_escalate_once_through_the_real_worker(worker_factory):
    """The case SLA scan, enqueued twice at once on Redis: each missed deadline reaches the
    department's manager exactly once."""
    from partners.cases.services import case_open

    manager = UserFactory(username="boss", role="Manager", dept="procurement")
    owner = UserFactory(username="owner", role="Staff", dept="procurement")
    partner = PartnerFactory(owner=owner)
    long_ago = timezone.now() - dt.timedelta(days=10)
    for i in range(15):
        case_open(partner=partner, kind="issue", channel="phone", subject=f"Case {i}", description="d", now=long_ago)
    worker_factory(concurrency=2)
    run_scan.delay("cases_sla")
    run_scan.delay("cases_sla")
    wait_for(lambda: ScanRun.objects.filter(name="cases_sla", outcome="ok").count() == 2, timeout=60)
    # 15 cases × (response + resolution) × (manager + assignee).
    wait_for(lambda: Notification.objects.filter(kind="case_breach").count() == 60)
    import time

    time.sleep(2)
    assert Notification.objects.filter(kind="case_breach", recipient=manager).count() == 30
    assert no_duplicates()
    assert OutboundEmail.objects.filter(kind="case_breach").count() == 60
