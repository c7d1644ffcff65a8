"""Log lines: one line per event (key=value), a 403 with the user id and the path and no
traceback, and no personal data (user names, addresses, e-mails) beyond user ids."""

from __future__ import annotations

import io
import logging
import socket

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from crm.logs import KeyValueFormatter
from crm.models import OutboundEmail
from crm.notifications import email_send


class Output:
    def __init__(self) -> None:
        self.stream = io.StringIO()

    def read(self) -> str:
        """What was written since the last call."""
        text = self.stream.getvalue()
        self.stream.seek(0)
        self.stream.truncate()
        return text


@pytest.fixture
def log_output():
    """The configured console handler (formatter and filters as in settings.LOGGING),
    writing into a buffer for the test instead of the process's stderr."""
    [handler] = [h for h in logging.getLogger().handlers if isinstance(h.formatter, KeyValueFormatter)]
    output = Output()
    previous = handler.setStream(output.stream)
    yield output
    handler.setStream(previous)


def lines(log_output) -> list[str]:
    return [line for line in log_output.read().splitlines() if line.startswith("time=")]


def test_a_403_is_one_line_with_user_and_path_and_no_traceback(log_output, client, staff_sales, supplier):
    client.force_login(staff_sales)
    log_output.read()
    url = reverse("partners:edit", args=[supplier.pk])
    assert client.get(url).status_code == 403
    output = log_output.read()
    assert "Traceback" not in output
    [line] = [line for line in output.splitlines() if "status=403" in line]
    assert "level=WARNING" in line and "logger=django.request" in line
    assert f"path={url}" in line and f"user_id={staff_sales.pk}" in line and "method=GET" in line
    assert "staff2" not in line


def test_an_anonymous_request_is_logged_without_a_user_id(log_output, client, db):
    client.get("/no-such-page/")
    [line] = [line for line in lines(log_output) if "status=404" in line]
    assert "user_id=-" in line and "path=/no-such-page/" in line


def test_an_error_with_a_traceback_is_still_one_line(log_output):
    try:
        raise RuntimeError("broken\nacross lines")
    except RuntimeError:
        logging.getLogger("crm.tests").exception("Scan %s failed", 7)
    [line] = [line for line in lines(log_output) if "logger=crm.tests" in line]
    assert 'msg="Scan 7 failed"' in line and "level=ERROR" in line
    assert 'exc="Traceback (most recent call last):\\n' in line and "RuntimeError: broken\\nacross lines" in line


def test_failed_sign_ins_are_logged_by_user_id_not_by_name_or_address(log_output, client, staff):
    log_output.read()
    for _ in range(5):
        client.post(reverse("login"), {"username": "staff", "password": "wrong"}, REMOTE_ADDR="198.51.100.23")
    axes_lines = [line for line in lines(log_output) if "logger=axes" in line]
    assert any("Locking out" in line for line in axes_lines)
    assert all(f"user_id={staff.pk}" in line for line in axes_lines)
    output = "\n".join(axes_lines)
    assert "198.51.100.23" not in output and "staff" not in output and "wrong" not in output


def test_an_unknown_user_name_is_not_logged(log_output, client, db):
    log_output.read()
    client.post(reverse("login"), {"username": "wang.fang@example.com", "password": "x"}, REMOTE_ADDR="198.51.100.23")
    output = log_output.read()
    assert "wang.fang" not in output and "198.51.100.23" not in output


class RefusingServer:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        return f"550 5.1.1 <{address}>: no such mailbox"


def test_a_refused_email_is_logged_by_id_without_the_address(log_output, settings, db):
    with socket.socket() as probe:  # a free loopback port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(RefusingServer(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        email = OutboundEmail.objects.create(
            to_address="wang.fang@bluesky.example", kind="test", period="2026", language="en", subject="Hello"
        )
        assert email_send(email_id=email.pk) is False
    finally:
        controller.stop()
    email.refresh_from_db()
    assert email.state == OutboundEmail.State.FAILED and "wang.fang@bluesky.example" in email.last_error
    [line] = [line for line in lines(log_output) if "logger=crm.notifications" in line]
    assert f'msg="Email {email.pk} failed: SMTPRecipientsRefused"' in line
    assert "wang.fang" not in line and "Traceback" not in line
