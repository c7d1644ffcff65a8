"""Emails through a real SMTP server on loopback (aiosmtpd): the message parses, goes to
the right person, in their language, with working links; marked sent only once accepted."""

from __future__ import annotations

import datetime as dt
import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller

from crm.models import OutboundEmail
from crm.scheduler import scan_run
from tests.factories import FollowUpFactory, UserFactory


class Inbox:
    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    with socket.socket() as probe:  # a free loopback port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.RAPPORT_BASE_URL = "https://rapport.example"
    settings.TIME_ZONE = "Asia/Shanghai"
    settings.RAPPORT_DIGEST_HOUR = 7
    yield inbox
    controller.stop()


def test_digest_over_real_smtp_in_each_recipients_language(db, smtp, django_capture_on_commit_callbacks):
    en = UserFactory(username="en_user", email="en@example.com", role="Staff", dept="procurement")
    zh = UserFactory(username="zh_user", email="zh@example.cn", role="Staff", dept="procurement")
    for user, lang in ((en, "en"), (zh, "zh-hans")):
        user.profile.language, user.profile.notification_mode = lang, "daily"
        user.profile.save()
        FollowUpFactory(
            owner=user,
            partner__owner=user,
            partner__name=f"Partner of {user.username}",
            description="Send <b>samples</b>",
            due_on=dt.date(2026, 11, 26),
        )
    now = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
    with django_capture_on_commit_callbacks(execute=True):
        scan_run("followups", now=now)
    assert len(smtp.messages) == 2
    by_rcpt = {rcpt[0]: msg for rcpt, msg in smtp.messages}
    en_msg, zh_msg = by_rcpt["en@example.com"], by_rcpt["zh@example.cn"]
    assert en_msg["To"] == "en@example.com" and "1 follow-up needs you today" in en_msg["Subject"]
    assert en_msg["Content-Language"] == "en"
    assert "今天有 1 项跟进事项" in zh_msg["Subject"] and zh_msg["Content-Language"] == "zh-hans"
    text = en_msg.get_body(("plain",)).get_content()
    html = en_msg.get_body(("html",)).get_content()
    assert "https://rapport.example/follow-ups/" in text and "https://rapport.example/partners/" in text
    assert "Send <b>samples</b>" in text  # plain text as written
    assert "Send &lt;b&gt;samples&lt;/b&gt;" in html and "<b>samples</b>" not in html  # escaped in HTML
    assert "已逾期" in zh_msg.get_body(("plain",)).get_content()
    assert set(OutboundEmail.objects.values_list("state", flat=True)) == {"sent"}
    # Rerun the same day: nothing is sent twice.
    with django_capture_on_commit_callbacks(execute=True):
        scan_run("followups", now=now + dt.timedelta(hours=3))
    assert len(smtp.messages) == 2
