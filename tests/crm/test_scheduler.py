"""Scans, effects and emails: due / not due, idempotent, time zones, users without email."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from crm.models import Notification, OutboundEmail, ScanRun
from crm.scheduler import scan_run
from tests.factories import FollowUpFactory, UserFactory

UTC = dt.UTC


@pytest.fixture(autouse=True)
def _shanghai(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    settings.RAPPORT_DIGEST_HOUR = 7
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RAPPORT_BASE_URL = "https://rapport.example"


def at_local(y, m, d, hour, minute=0) -> dt.datetime:
    """A Shanghai wall-clock time as an aware UTC datetime (UTC+8, no DST)."""
    return dt.datetime(y, m, d, hour, minute, tzinfo=UTC) - dt.timedelta(hours=8)


def digest_user(username="digest", **kw):
    user = UserFactory(username=username, role="Staff", dept="procurement", **kw)
    user.profile.notification_mode = "daily"
    user.profile.save()
    return user


def test_followup_due_tomorrow_is_not_due_today(db, django_capture_on_commit_callbacks):
    owner = digest_user()
    FollowUpFactory(owner=owner, partner__owner=owner, due_on=dt.date(2026, 11, 28))
    with django_capture_on_commit_callbacks(execute=True):
        run = scan_run("followups", now=at_local(2026, 11, 27, 23, 59))
    assert run.effects == 0 and not Notification.objects.exists() and not OutboundEmail.objects.exists()


def test_due_at_local_midnight_in_shanghai(db, django_capture_on_commit_callbacks):
    """28 Nov 00:00 in Shanghai is 27 Nov 16:00 UTC: the follow-up is due from then."""
    owner = digest_user()
    followup = FollowUpFactory(owner=owner, partner__owner=owner, due_on=dt.date(2026, 11, 28))
    before = dt.datetime(2026, 11, 27, 15, 59, tzinfo=UTC)
    after = dt.datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    scan_run("followups", now=before)
    assert not Notification.objects.exists()
    scan_run("followups", now=after)
    n = Notification.objects.get()
    assert (n.recipient, n.kind, n.object_ref, n.period) == (
        owner,
        "followup_due",
        f"partners.followup:{followup.pk}",
        "2026-11-28",
    )
    # Midnight is before the digest hour: no email yet.
    assert not OutboundEmail.objects.exists()


def test_daily_digest_once_per_day_with_every_item(db, django_capture_on_commit_callbacks):
    owner = digest_user()
    FollowUpFactory(owner=owner, partner__owner=owner, description="Send contract", due_on=dt.date(2026, 11, 27))
    FollowUpFactory(owner=owner, partner__owner=owner, description="Call back", due_on=dt.date(2026, 11, 20))
    FollowUpFactory(owner=owner, partner__owner=owner, description="Later", due_on=dt.date(2026, 12, 20))
    runs = []
    for hour in (8, 9, 15):  # three scans the same day
        with django_capture_on_commit_callbacks(execute=True):
            runs.append(scan_run("followups", now=at_local(2026, 11, 27, hour)).effects)
    # The first enqueues 2 reminders and 1 digest; the reruns find nothing new to enqueue.
    assert runs == [3, 0, 0]
    assert Notification.objects.count() == 2
    assert set(Notification.objects.values_list("kind", flat=True)) == {"followup_due", "followup_overdue"}
    assert OutboundEmail.objects.count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner.email]
    assert "2 follow-ups need you today" in message.subject
    assert "Send contract" in message.body and "Call back" in message.body and "Later" not in message.body
    assert "https://rapport.example/follow-ups/" in message.body
    html = message.alternatives[0][0]
    assert "Send contract" in html
    assert OutboundEmail.objects.get().state == "sent"
    # The next day: a new digest (still overdue items) and the overdue reminder of the item
    # that was due yesterday; the item overdue since the 20th was reminded already.
    with django_capture_on_commit_callbacks(execute=True):
        assert scan_run("followups", now=at_local(2026, 11, 28, 8)).effects == 2
    assert OutboundEmail.objects.count() == 2
    assert Notification.objects.filter(kind="followup_overdue").count() == 2


def test_digest_is_written_in_the_recipients_language(db, django_capture_on_commit_callbacks):
    owner = digest_user()
    owner.profile.language = "zh-hans"
    owner.profile.save()
    FollowUpFactory(owner=owner, partner__owner=owner, description="寄送合同", due_on=dt.date(2026, 11, 27))
    with django_capture_on_commit_callbacks(execute=True):
        scan_run("followups", now=at_local(2026, 11, 27, 9))
    message = mail.outbox[0]
    assert message.extra_headers["Content-Language"] == "zh-hans"
    assert "今天" in message.subject
    assert Notification.objects.get().title.startswith("今天到期")


def test_user_without_email_gets_notifications_only(db, django_capture_on_commit_callbacks):
    owner = digest_user(email="")
    FollowUpFactory(owner=owner, partner__owner=owner, due_on=dt.date(2026, 11, 27))
    with django_capture_on_commit_callbacks(execute=True):
        run = scan_run("followups", now=at_local(2026, 11, 27, 9))
    assert run.effects == 2  # one reminder task, one digest task
    assert Notification.objects.count() == 1 and not OutboundEmail.objects.exists() and not mail.outbox


def test_immediate_users_get_one_email_per_item_once(db, django_capture_on_commit_callbacks):
    owner = UserFactory(username="fast", role="Staff", dept="procurement")  # default: immediately
    FollowUpFactory(owner=owner, partner__owner=owner, due_on=dt.date(2026, 11, 27))
    for hour in (1, 9):
        with django_capture_on_commit_callbacks(execute=True):
            scan_run("followups", now=at_local(2026, 11, 27, hour))
    assert len(mail.outbox) == 1 and OutboundEmail.objects.get().kind == "followup_due"


def test_done_followups_are_left_alone(db):
    owner = digest_user()
    FollowUpFactory(owner=owner, partner__owner=owner, due_on=dt.date(2026, 11, 20), done_at=timezone.now())
    assert scan_run("followups", now=at_local(2026, 11, 27, 9)).effects == 0


def test_qualification_expiring_notifies_owner_and_department_managers_once(
    db, staff, manager, manager_sales, supplier
):
    supplier.qualifications.create(doc_type="iso9001", number="Q1", expires_on=dt.date(2026, 12, 10))
    supplier.qualifications.create(doc_type="iso14001", number="Q2", expires_on=dt.date(2027, 6, 1))
    for _ in range(2):
        scan_run("qualifications", now=at_local(2026, 11, 27, 9))
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["manager", "staff"]
    assert "ISO 9001" in Notification.objects.first().title


def test_failed_scan_is_recorded_and_shown(db, admin_user, client, monkeypatch):
    from crm import scheduler

    scheduler.load_scans()

    def broken(now):
        raise RuntimeError("database on fire")

    monkeypatch.setitem(scheduler.SCANS, "broken", broken)
    with pytest.raises(RuntimeError):
        scan_run("broken")
    run = ScanRun.objects.get(name="broken")
    assert run.outcome == "failed" and "database on fire" in run.error and run.finished_at
    scan_run("emails")
    client.force_login(admin_user)
    body = client.get(reverse("operations")).content.decode()
    assert "database on fire" in body and "emails" in body


def test_email_stuck_in_sending_is_retried_by_the_scan(db, django_capture_on_commit_callbacks):
    owner = digest_user()
    email = OutboundEmail.objects.create(
        recipient=owner,
        to_address=owner.email,
        kind="x",
        period="p",
        language="en",
        subject="Hi",
        body_text="Hi",
        state="sending",
        claimed_at=timezone.now() - dt.timedelta(hours=1),
        attempts=1,
    )
    scan_run("emails")
    email.refresh_from_db()
    assert email.state == "sent" and len(mail.outbox) == 1
    scan_run("emails")
    assert len(mail.outbox) == 1  # never twice


def test_smtp_down_keeps_email_pending(db, settings):
    from crm.notifications import email_send
    from crm.tasks import TransientEmailError

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    owner = digest_user()
    email = OutboundEmail.objects.create(
        recipient=owner, to_address=owner.email, kind="x", period="p", language="en", subject="Hi", body_text="Hi"
    )
    with pytest.raises(TransientEmailError):
        email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.state == "pending" and email.sent_at is None and email.attempts == 1 and email.last_error


def test_followup_for_someone_else_notifies_them_at_once(client, staff, manager, supplier):
    client.force_login(staff)
    client.post(
        reverse("partners:interaction_create", args=[supplier.pk]),
        {
            "log-kind": "call",
            "log-occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "log-subject": "Call",
            "log-fu-TOTAL_FORMS": "1",
            "log-fu-INITIAL_FORMS": "0",
            "log-fu-0-description": "Approve the discount",
            "log-fu-0-owner": manager.pk,
            "log-fu-0-due_on": timezone.localdate().isoformat(),
        },
    )
    n = Notification.objects.get()
    assert n.recipient == manager and "Approve the discount" in n.title
    client.force_login(manager)
    assert (
        '<span class="badge rounded-pill text-bg-danger" id="unread-count">1</span>' in client.get("/").content.decode()
    )
    # Counted once, then read from the shared cache (issue #15 §3): no query for the bell.
    with CaptureQueriesContext(connection) as ctx:
        assert 'id="unread-count">1<' in client.get(reverse("partners:list")).content.decode()
    assert not [q for q in ctx.captured_queries if "crm_notification" in q["sql"]]
    response = client.post(reverse("notification_read", args=[n.pk]))
    assert response["Location"] == supplier.get_absolute_url()
    n.refresh_from_db()
    assert n.read_at is not None
    assert 'id="unread-count"' not in client.get("/").content.decode()


def test_calendar_feed_is_valid_ics_and_revocable(client, staff, supplier):
    FollowUpFactory(owner=staff, partner=supplier, description="Send samples", due_on=dt.date(2026, 12, 3))
    client.force_login(staff)
    page = client.get(reverse("calendar")).content.decode()
    url = page.split('id="feed-url" readonly value="', 1)[1].split('"', 1)[0]
    path = url.replace("http://testserver", "")
    client.logout()
    response = client.get(path)
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) == 1
    assert "Send samples" in str(events[0]["SUMMARY"])
    assert events[0].decoded("DTSTART") == dt.date(2026, 12, 3)
    client.force_login(staff)
    client.post(reverse("calendar_rotate"))
    client.logout()
    assert client.get(path).status_code == 404


def test_a_task_delivered_twice_creates_its_effect_once(db):
    from partners.tasks import followup_remind_task

    owner = digest_user()
    followup = FollowUpFactory(owner=owner, partner__owner=owner, due_on=dt.date(2026, 11, 27))
    assert followup_remind_task.apply(args=[followup.pk, "2026-11-27"]).get() == 1
    assert followup_remind_task.apply(args=[followup.pk, "2026-11-27"]).get() == 0
    assert Notification.objects.count() == 1


def test_failed_task_is_recorded_for_operations(db, admin_user, client, monkeypatch):
    from crm.models import TaskFailure
    from partners.suppliers import services
    from partners.suppliers.tasks import qualification_remind_task

    def boom(**kwargs):
        raise ValueError("corrupt document")

    monkeypatch.setattr(services, "qualification_remind", boom)
    result = qualification_remind_task.apply(args=[42])
    assert result.failed()
    failure = TaskFailure.objects.get()
    assert failure.task == "suppliers.qualification_remind" and "corrupt document" in failure.error
    client.force_login(admin_user)
    assert "corrupt document" in client.get(reverse("operations")).content.decode()
