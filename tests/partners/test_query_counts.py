"""Pages run a fixed number of SQL queries whatever the data size (pinned here).

Each page is measured twice, with a small and a larger data set: the counts must be
equal, and within the budget (15 per page).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners.models import Tag
from tests.factories import ContactFactory, FollowUpFactory, InteractionFactory, PartnerFactory

BUDGET = 15


def grow(owner, partner, n: int) -> None:
    """Add n of everything a page may show: partners, tags, contacts, interactions, follow-ups."""
    tags = [Tag.objects.get_or_create(name=f"tag-{i}")[0] for i in range(3)]
    for i in range(n):
        p = PartnerFactory(owner=owner, last_contacted_at=timezone.now() - dt.timedelta(days=40 + i))
        p.tags.set(tags)
        ContactFactory(partner=p)
        c = ContactFactory(partner=partner)
        interaction = InteractionFactory(partner=partner, author=owner, department=owner.profile.department)
        interaction.participants.add(owner)
        interaction.contacts.add(c)
        FollowUpFactory(
            partner=partner,
            owner=owner,
            interaction=interaction,
            due_on=timezone.localdate() - dt.timedelta(days=i % 3),
        )
        FollowUpFactory(partner=partner, owner=owner, done_at=timezone.now())
        partner.qualifications.create(doc_type="iso9001", number=f"Q{i}")
    partner.name = partner.name + "!"
    partner.save()
    partner.tags.set(tags)


def count_queries(client, url: str) -> int:
    """The page's queries with nothing cached yet (the bell's count, crm.notifications)."""
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


PAGES = [
    ("dashboard", lambda p: reverse("dashboard")),
    ("all partners", lambda p: reverse("partners:list")),
    ("suppliers", lambda p: reverse("partners:family_list", args=["supplier"])),
    (
        "search + filters",
        lambda p: reverse("partners:list") + "?q=Partner&tier=3&not_contacted_days=30&sort=-last_contact",
    ),
    ("partner detail", lambda p: reverse("partners:detail", args=[p.pk])),
    ("partner history", lambda p: reverse("partners:history", args=[p.pk])),
    ("my follow-ups", lambda p: reverse("partners:followups")),
    ("overdue follow-ups", lambda p: reverse("partners:followups") + "?state=overdue"),
    ("done follow-ups", lambda p: reverse("partners:followups") + "?state=done"),
    ("log interaction page", lambda p: reverse("partners:interaction_create", args=[p.pk])),
    ("edit partner", lambda p: reverse("partners:edit", args=[p.pk])),
]


@pytest.mark.parametrize(("label", "url_for"), PAGES, ids=[p[0] for p in PAGES])
def test_page_query_count_is_fixed(client, staff, supplier, label, url_for):
    client.force_login(staff)
    grow(staff, supplier, 2)
    small = count_queries(client, url_for(supplier))
    grow(staff, supplier, 12)
    large = count_queries(client, url_for(supplier))
    assert large == small, f"{label}: {small} queries with little data, {large} with more"
    assert large <= BUDGET, f"{label}: {large} queries (budget {BUDGET})"


def test_csv_export_query_count_is_fixed(client, staff, supplier):
    client.force_login(staff)

    def run() -> int:
        with CaptureQueriesContext(connection) as ctx:
            b"".join(client.get(reverse("partners:export")).streaming_content)
        return len(ctx.captured_queries)

    grow(staff, supplier, 2)
    small = run()
    grow(staff, supplier, 12)
    assert run() == small
