"""A follow-up e-mail about overdue items links to the Overdue tab of My follow-ups: the list's
default tab shows what is due (not overdue) and said "You owe nothing right now" to someone
who had just been told two follow-ups were overdue (found by the §5 browser journey)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from crm.models import Profile
from crm.scheduler import scan_run
from tests.factories import FollowUpFactory, PartnerFactory, UserFactory

NOW = dt.datetime(2026, 2, 10, 2, tzinfo=dt.UTC)  # 10:00 in Shanghai: after the digest hour
TODAY = dt.date(2026, 2, 10)


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    settings.RAPPORT_DIGEST_HOUR = 7
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RAPPORT_BASE_URL = "https://rapport.example"


def _links(message) -> list[str]:
    text_link = re.search(r"https://rapport\.example(/follow-ups/\S*)", message.body).group(1)
    html = message.alternatives[0][0]
    html_link = re.search(r'href="https://rapport\.example(/follow-ups/[^"]*)"', html).group(1)
    return [text_link, html_link]


def _run(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        scan_run("followups", now=NOW)


def test_an_overdue_reminder_links_to_the_overdue_tab_which_lists_it(db, client, django_capture_on_commit_callbacks):
    owner = UserFactory(username="fast", role="Staff", dept="procurement")
    FollowUpFactory(
        owner=owner, partner=PartnerFactory(owner=owner), description="Call back", due_on=dt.date(2026, 2, 1)
    )
    _run(django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert _links(message) == ["/follow-ups/?state=overdue"] * 2
    client.force_login(owner)
    page = client.get("/follow-ups/?state=overdue").content.decode()
    assert "Call back" in page and "You owe nothing right now" not in page


def test_a_reminder_due_today_links_to_the_default_tab(db, django_capture_on_commit_callbacks):
    owner = UserFactory(username="fast", role="Staff", dept="procurement")
    FollowUpFactory(owner=owner, partner=PartnerFactory(owner=owner), description="Send contract", due_on=TODAY)
    _run(django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert _links(message) == ["/follow-ups/"] * 2


@pytest.mark.parametrize(
    ("dues", "link"), [((dt.date(2026, 2, 1), TODAY), "/follow-ups/?state=overdue"), ((TODAY,), "/follow-ups/")]
)
def test_the_digest_links_to_the_overdue_tab_when_something_is_overdue(
    db, django_capture_on_commit_callbacks, dues, link
):
    owner = UserFactory(username="slow", role="Staff", dept="procurement")
    Profile.objects.filter(user=owner).update(notification_mode=Profile.Digest.DAILY)
    partner = PartnerFactory(owner=owner)
    for n, due in enumerate(dues):
        FollowUpFactory(owner=owner, partner=partner, description=f"Item {n}", due_on=due)
    _run(django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert _links(message) == [link] * 2


def test_the_due_tab_points_at_overdue_follow_ups_instead_of_saying_nothing_is_owed(db, client):
    owner = UserFactory(username="fast", role="Staff", dept="procurement")
    partner = PartnerFactory(owner=owner)
    for day in (1, 2):
        FollowUpFactory(owner=owner, partner=partner, due_on=timezone.localdate() - dt.timedelta(days=day))
    client.force_login(owner)
    page = client.get("/follow-ups/").content.decode()
    assert "You owe nothing right now" not in page
    assert "Nothing else is due, but 2 follow-ups are overdue." in page
    assert '<a href="?state=overdue">See the overdue ones</a>' in page
