"""Notification e-mails say what they are, and notifications read in the reader's language
(issue 12, items 5 and 7)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from crm.models import Notification, OutboundEmail
from crm.scheduler import scan_run
from tests.factories import FollowUpFactory, PartnerFactory, UserFactory

UTC = dt.UTC


@pytest.fixture(autouse=True)
def _shanghai(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    settings.RAPPORT_DIGEST_HOUR = 7
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RAPPORT_BASE_URL = "https://rapport.example"


def at_local(y, m, d, hour) -> dt.datetime:
    return dt.datetime(y, m, d, hour, tzinfo=UTC) - dt.timedelta(hours=8)


def test_immediate_mode_sends_one_email_per_item_in_its_own_words(db, django_capture_on_commit_callbacks):
    owner = UserFactory(username="fast", role="Staff", dept="procurement")  # default: immediately
    acme = PartnerFactory(owner=owner, name="Acme")
    for description, due in (
        ("Send contract", dt.date(2025, 12, 3)),
        ("Call back", dt.date(2025, 11, 20)),
        ("Visit plant", dt.date(2026, 1, 9)),
    ):
        FollowUpFactory(owner=owner, partner=acme, description=description, due_on=due)
    for hour in (8, 8, 9):  # the scan three times the same morning
        with django_capture_on_commit_callbacks(execute=True):
            scan_run("followups", now=at_local(2026, 2, 10, hour))
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == [
        "Overdue since 20 Nov 2025: Call back (Acme)",
        "Overdue since 3 Dec 2025: Send contract (Acme)",
        "Overdue since 9 Jan 2026: Visit plant (Acme)",
    ]
    for message in mail.outbox:
        assert "digest" not in message.subject.lower() and "digest" not in message.body.lower()
        assert "once a day" not in message.body and "need you today" not in message.subject
        assert "This follow-up is overdue since" in message.body
    assert not OutboundEmail.objects.filter(kind="followup_digest").exists()


def test_immediate_email_for_an_item_due_today_says_due_today(db, django_capture_on_commit_callbacks):
    owner = UserFactory(username="fast", role="Staff", dept="procurement")
    FollowUpFactory(
        owner=owner,
        partner__owner=owner,
        partner__name="Acme",
        description="Send contract",
        due_on=dt.date(2026, 2, 10),
    )
    with django_capture_on_commit_callbacks(execute=True):
        scan_run("followups", now=at_local(2026, 2, 10, 9))
    [message] = mail.outbox
    assert message.subject == "Due today: Send contract (Acme)"
    assert "This follow-up is due today" in message.body and "overdue" not in message.body.lower()


def test_digest_is_one_message_a_day_and_says_overdue_since(db, django_capture_on_commit_callbacks):
    owner = UserFactory(username="digest", role="Staff", dept="procurement")
    owner.profile.notification_mode = "daily"
    owner.profile.save()
    FollowUpFactory(owner=owner, partner__owner=owner, description="Call back", due_on=dt.date(2025, 11, 20))
    FollowUpFactory(owner=owner, partner__owner=owner, description="Send contract", due_on=dt.date(2026, 2, 10))
    FollowUpFactory(owner=owner, partner__owner=owner, description="Visit plant", due_on=dt.date(2025, 12, 3))
    for hour in (8, 8, 15):
        with django_capture_on_commit_callbacks(execute=True):
            scan_run("followups", now=at_local(2026, 2, 10, hour))
    [message] = mail.outbox
    assert OutboundEmail.objects.filter(recipient=owner).count() == 1
    assert "Call back" in message.body and "(overdue since 20 Nov 2025)" in message.body
    assert "Visit plant" in message.body and "(overdue since 3 Dec 2025)" in message.body
    # Due today is not overdue.
    assert "Send contract" in message.body and message.body.count("overdue since") == 2
    assert "You receive this digest once a day" in message.body


def test_a_notification_made_in_english_reads_in_chinese_after_switching(client, db):
    owner = UserFactory(username="reader", role="Staff", dept="procurement")
    FollowUpFactory(
        owner=owner,
        partner__owner=owner,
        partner__name="Acme",
        description="Send contract",
        due_on=dt.date(2025, 11, 20),
    )
    scan_run("followups", now=at_local(2026, 2, 10, 1))
    notice = Notification.objects.get(recipient=owner)
    assert notice.title == "Overdue since 20 Nov 2025: Send contract (Acme)"
    assert notice.params == {"item": "Send contract", "partner": "Acme", "date": "2025-11-20"}
    client.force_login(owner)
    assert "Overdue since 20 Nov 2025: Send contract (Acme)" in client.get(reverse("notifications")).text
    response = client.post(reverse("profile"), {"language": "zh-hans", "notification_mode": "immediate"})
    assert response.status_code == 302
    page = client.get(reverse("notifications")).text
    assert "自 2025年11月20日 起逾期：Send contract（Acme）" in page
    assert "Overdue since" not in page


def test_a_row_whose_kind_is_unknown_shows_its_stored_text(client, db):
    owner = UserFactory(username="reader", role="Staff", dept="procurement")
    Notification.objects.create(
        recipient=owner, kind="retired_kind", object_ref="-", period="-", params={"x": 1}, title="An old notice"
    )
    Notification.objects.create(
        recipient=owner,
        kind="followup_overdue",
        object_ref="x",
        period="-",
        params={"item": "broken"},
        title="Stored text when params are broken",
    )
    client.force_login(owner)
    page = client.get(reverse("notifications")).text
    assert "An old notice" in page and "Stored text when params are broken" in page


def test_notify_refuses_an_unregistered_kind(db):
    from crm.notifications import notify

    owner = UserFactory(username="reader")
    with pytest.raises(ValueError, match="Unregistered notification kind"):
        notify(recipient=owner, kind="nobody_registered_this", obj_ref="-", period="-", params={})
