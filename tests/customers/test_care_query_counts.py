"""Customer care pages run a fixed number of queries whatever the data size (budget 15)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.customers.models import Campaign, CampaignRecipient, Gift, Greeting, Holiday, Need, NeedTag
from tests.factories import ContactFactory, PartnerFactory, department
from tests.partners.test_query_counts import BUDGET, count_queries


def grow(owner, manager, n: int) -> None:
    """n more key customers with a birthday, an anniversary, needs, gifts and campaigns."""
    today = timezone.localdate()
    tags = [NeedTag.objects.get_or_create(name=f"topic-{i}")[0] for i in range(4)]
    for i in range(n):
        partner = PartnerFactory(
            family="customer",
            tier=1 + i % 2,
            owner=owner,
            department=department("sales"),
            customer_since=(today + dt.timedelta(days=i % 20)).replace(year=2015),
            industry="Retail",
        )
        contact = ContactFactory(
            partner=partner,
            greetings_consent=True,
            marketing_consent=True,
            is_primary=True,
            birthday=(today + dt.timedelta(days=1 + i % 20)).replace(year=1980),
        )
        Greeting.objects.create(
            partner=partner, contact=contact, occasion="birthday", date=contact.birthday.replace(year=today.year)
        )
        for months in range(3):
            need = Need.objects.create(
                partner=partner,
                summary=f"Need {i}",
                recorded_by=owner,
                recorded_at=timezone.now() - dt.timedelta(days=30 * months),
            )
            need.tags.set(tags[: 1 + (i + months) % 4])
        Gift.objects.create(
            partner=partner,
            contact=contact,
            description=f"Gift {i}",
            value=Decimal(100 * i),
            date=today,
            recorded_by=owner,
            status="pending" if i % 2 else "not_required",
        )
        campaign = Campaign.objects.create(name=f"C{i}", subject_en="S", body_en="B", created_by=manager, status="sent")
        CampaignRecipient.objects.create(
            campaign=campaign,
            contact=contact,
            email=contact.email,
            language="en",
            nonce=f"n{campaign.pk}",
            token_hash=f"h{campaign.pk}",
        )
    Holiday.objects.get_or_create(name_en=f"Holiday {n}", date=today + dt.timedelta(days=n % 20))


PAGES = [
    ("needs summary", lambda: reverse("customers:needs_summary")),
    ("needs summary filtered", lambda: reverse("customers:needs_summary") + "?family=customer&tier=1&industry=retail"),
    ("care calendar", lambda: reverse("customers:care_calendar")),
    ("care calendar mine", lambda: reverse("customers:care_calendar") + "?mine=1&days=60"),
    ("gift list", lambda: reverse("customers:gift_list")),
    ("gift list filtered", lambda: reverse("customers:gift_list") + "?status=pending&sort=-value&q=Partner"),
    ("campaign list", lambda: reverse("customers:campaign_list")),
]


@pytest.mark.parametrize(("label", "url_for"), PAGES, ids=[p[0] for p in PAGES])
def test_care_page_query_count_is_fixed(client, staff_sales, manager_sales, label, url_for):
    client.force_login(manager_sales)
    grow(staff_sales, manager_sales, 2)
    small = count_queries(client, url_for())
    grow(staff_sales, manager_sales, 12)
    large = count_queries(client, url_for())
    assert large == small, f"{label}: {small} queries with little data, {large} with more"
    assert large <= BUDGET, f"{label}: {large} queries (budget {BUDGET})"


def test_customer_detail_with_needs_stays_within_budget(client, staff_sales, manager_sales):
    client.force_login(staff_sales)
    grow(staff_sales, manager_sales, 2)
    partner = Need.objects.first().partner
    small = count_queries(client, reverse("partners:detail", args=[partner.pk]))
    grow(staff_sales, manager_sales, 6)
    for i in range(8):
        Need.objects.create(partner=partner, summary=f"More {i}", recorded_by=staff_sales, recorded_at=timezone.now())
    large = count_queries(client, reverse("partners:detail", args=[partner.pk]))
    assert large == small <= BUDGET
