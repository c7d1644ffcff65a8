"""What I owe, counted (P3.3): the dashboard's counters and the follow-up list's tabs count my
follow-ups by state, and nobody else's."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from tests.factories import FollowUpFactory, PartnerFactory


def _badges(page: str) -> dict[str, int]:
    tabs = re.findall(r'href="\?state=(\w+)">[^<]+<span class="badge[^"]*">(\d+)</span>', page)
    return {state: int(n) for state, n in tabs}


def test_my_follow_ups_are_counted_by_state(client, staff, staff_sales):
    today = timezone.localdate()
    mine = PartnerFactory(owner=staff)
    for days in (0, 0, 3, 9):  # open: two due today, two later
        FollowUpFactory(partner=mine, due_on=today + dt.timedelta(days=days))
    for days in (1, 30, 400):  # overdue
        FollowUpFactory(partner=mine, due_on=today - dt.timedelta(days=days))
    for days in (-5, 2):  # done, early or late
        FollowUpFactory(partner=mine, due_on=today + dt.timedelta(days=days), done_at=timezone.now())
    FollowUpFactory(partner=PartnerFactory(owner=staff_sales))  # somebody else's
    client.force_login(staff)
    assert _badges(client.get(reverse("partners:followups")).content.decode()) == {"open": 4, "overdue": 3, "done": 2}
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert re.search(r'id="count-overdue">3<', dashboard) and re.search(r'id="count-due-today">2<', dashboard)


def test_the_done_tab_counts_up_to_its_cap(client, staff, monkeypatch):
    from partners import selectors

    mine = PartnerFactory(owner=staff)
    for _ in range(4):
        FollowUpFactory(partner=mine, due_on=timezone.localdate(), done_at=timezone.now())
    monkeypatch.setattr(selectors, "DONE_COUNT_CAP", 3)
    client.force_login(staff)
    page = client.get(reverse("partners:followups")).content.decode()
    assert re.search(r'href="\?state=done">[^<]+<span class="badge[^"]*">3\+</span>', page)
    monkeypatch.setattr(selectors, "DONE_COUNT_CAP", 4)
    assert _badges(client.get(reverse("partners:followups")).content.decode())["done"] == 4
