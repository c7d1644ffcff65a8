"""Sign-in throttling (django-axes), the login log, the client address behind proxies, and
the idle session timeout."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from crm.middleware import SEEN_KEY
from crm.public import client_address

PASSWORD = "pw-for-tests-1"
LOCKED = "Too many failed sign-in attempts"


def sign_in(client, username="staff", password=PASSWORD, address="10.0.0.1", url=None, **extra):
    return client.post(
        url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def signed_in(client) -> bool:
    return client.get(reverse("dashboard")).status_code == 200


def fail(client, times, **kwargs):
    return [sign_in(client, password="wrong", **kwargs) for _ in range(times)]


def test_five_failures_lock_out_and_then_the_right_password_does_not_sign_in(client, settings, staff):
    assert settings.AXES_FAILURE_LIMIT == 5
    *first, fifth = fail(client, 5)
    assert [r.status_code for r in first] == [200] * 4
    assert "Please enter a correct username and password" in first[-1].content.decode()
    assert fifth.status_code == 429 and LOCKED in fifth.content.decode()

    response = sign_in(client)
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page and "paused for 15 minutes" in page and 'href="/accounts/login/"' in page
    assert "<nav" in page or "navbar" in page  # the site's layout, not a bare error page
    assert not signed_in(client)
    assert AccessAttempt.objects.get(username="staff", ip_address="10.0.0.1").failures_since_start == 5


def test_fifty_wrong_passwords_then_the_right_one_stays_locked(client, staff):
    fail(client, 50)
    assert sign_in(client).status_code == 429
    assert not signed_in(client)


def test_lockout_is_per_user_and_address(client, staff, manager):
    fail(client, 5)
    # Another address for the same user, and another user from the same address, still work.
    assert sign_in(client, address="10.0.0.2").status_code == 302
    client.post(reverse("logout"))
    assert sign_in(client, username="manager", address="10.0.0.1").status_code == 302


def test_lockout_by_user_alone_when_configured(client, settings, staff):
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
    for number in range(5):
        sign_in(client, password="wrong", address=f"10.0.1.{number}")
    assert sign_in(client, address="10.0.9.9").status_code == 429


def test_forged_forwarded_for_does_not_escape_the_lockout(client, staff):
    for number in range(5):
        sign_in(client, password="wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
    assert sign_in(client, HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_lockout_ends_after_the_cool_off(client, staff):
    fail(client, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert sign_in(client).status_code == 302
    assert signed_in(client)


def test_tries_during_the_lockout_do_not_extend_it(client, staff):
    fail(client, 5)
    locked_at = AccessAttempt.objects.get().attempt_time
    fail(client, 3)
    assert AccessAttempt.objects.get().attempt_time == locked_at


def test_a_success_forgets_earlier_typos(client, staff):
    fail(client, 4)
    assert sign_in(client).status_code == 302
    client.post(reverse("logout"))
    assert [r.status_code for r in fail(client, 4)] == [200] * 4


def test_admin_sign_in_is_throttled_too(client, admin_user):
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "admin", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    response = sign_in(client, username="admin", url=url)
    assert response.status_code == 429 and LOCKED in response.content.decode()


def test_lockout_message_is_translated(client, staff):
    fail(client, 4)
    response = sign_in(client, password="wrong", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_an_administrator_unlocks_in_the_admin(client, admin_user, staff):
    fail(client, 5)
    attempt = AccessAttempt.objects.get()
    admin = type(client)()
    admin.force_login(admin_user)
    assert admin.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200
    response = admin.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert response.status_code == 302 and not AccessAttempt.objects.exists()
    assert sign_in(client).status_code == 302


def test_an_administrator_unlocks_with_the_command(client, staff):
    fail(client, 5)
    call_command("axes_reset_username", "staff")
    assert sign_in(client).status_code == 302


def test_login_log_records_successes_and_failures(client, staff):
    fail(client, 2)
    sign_in(client)
    success = AccessLog.objects.get()
    assert (success.username, success.ip_address) == ("staff", "10.0.0.1")
    failures = AccessFailureLog.objects.all()
    assert [(f.username, f.ip_address, f.locked_out) for f in failures] == [("staff", "10.0.0.1", False)] * 2
    assert "wrong" not in "".join(AccessAttempt.objects.values_list("post_data", flat=True))


def test_login_log_is_read_only_in_the_admin(client, admin_user, staff):
    fail(client, 1)
    sign_in(client)
    client.post(reverse("logout"))
    client.force_login(admin_user)
    for model in ("accesslog", "accessfailurelog"):
        row = {"accesslog": AccessLog, "accessfailurelog": AccessFailureLog}[model].objects.first()
        assert client.get(reverse(f"admin:axes_{model}_changelist")).status_code == 200
        page = client.get(reverse(f"admin:axes_{model}_change", args=[row.pk]))
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
        assert client.post(reverse(f"admin:axes_{model}_change", args=[row.pk]), {}).status_code == 403
        assert client.post(reverse(f"admin:axes_{model}_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert AccessLog.objects.count() == 2 and AccessFailureLog.objects.count() == 1  # admin's own sign-in: none


# --- The client address -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.1"),  # no proxy trusted: the header is the client's own words
        (1, "203.0.113.7", "203.0.113.7"),  # nginx appended the address it saw
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the client forged the left part
        (2, "198.51.100.1, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.1"),  # shorter than the proxy chain: not trusted
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_trusts_only_the_configured_proxies(settings, proxies, forwarded, expected):
    settings.RAPPORT_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_lockout_behind_a_proxy_counts_the_forwarded_address(client, settings, staff):
    settings.RAPPORT_TRUSTED_PROXIES = 1
    for _ in range(5):
        sign_in(client, password="wrong", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    # Same proxy, another client: not locked out.
    assert sign_in(client, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 302


# --- Idle session timeout -----------------------------------------------------------------


def session_row(client) -> Session:
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def test_session_ends_after_eight_idle_hours(client, settings, staff):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    sign_in(client)
    expires = session_row(client).expire_date
    assert dt.timedelta(hours=7, minutes=59) < expires - timezone.now() <= dt.timedelta(hours=8)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_activity_extends_the_session(client, settings, staff):
    sign_in(client)
    client.get(reverse("dashboard"))
    row = session_row(client)
    # As if last seen an hour ago and idle since.
    store = client.session
    store[SEEN_KEY] -= 3600
    store.save()
    Session.objects.update(expire_date=row.expire_date - dt.timedelta(hours=1))
    before = session_row(client).expire_date
    assert client.get(reverse("dashboard")).status_code == 200
    assert session_row(client).expire_date - before > dt.timedelta(minutes=59)


def test_requests_within_the_refresh_interval_do_not_write_the_session(client, staff):
    sign_in(client)
    client.get(reverse("dashboard"))
    before = session_row(client).expire_date
    client.get(reverse("dashboard"))
    assert session_row(client).expire_date == before
