"""Issue #15 §2: the care calendar at any size. Its occasions are found and ordered as plain
values, and a page reads the records of its own rows only, in a fixed number of queries; on
PostgreSQL the month-and-day indexes of customers 0005 find the birthdays and anniversaries
(EXPLAIN, with statistics from filler rows, no planner switch)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners.customers.models import Holiday
from partners.customers.selectors import _month_day_window, _with_month_day, care_calendar, care_occasions
from partners.models import Contact, Partner
from tests.conftest import login
from tests.factories import PartnerFactory, department
from tests.plans import explain

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(staff_sales):
    """120 key customers, each with a consenting contact whose birthday is one of the next
    60 days, and 3,000 other customers, customers since and with a contact born any day of the
    year."""
    Holiday.objects.all().delete()  # the seeded ones: only birthdays on these pages, whatever the day
    sales = department("sales")
    today = timezone.localdate()
    keys = Partner.objects.bulk_create(
        PartnerFactory.build(name=f"Key {n:03d}", family="customer", tier=1, owner=staff_sales, department=sales)
        for n in range(120)
    )
    others = Partner.objects.bulk_create(
        PartnerFactory.build(
            name=f"Other {n:04d}",
            family="customer",
            tier=3,
            owner=staff_sales,
            department=sales,
            customer_since=dt.date(2001, 1, 1) + dt.timedelta(days=n % 365),
        )
        for n in range(3000)
    )
    Contact.objects.bulk_create(
        [
            Contact(
                partner=p,
                name=f"Contact {n:03d}",
                birthday=(today + dt.timedelta(days=1 + n // 2)).replace(year=1980),
                greetings_consent=True,
            )
            for n, p in enumerate(keys)
        ]
        + [
            Contact(
                partner=others[n],
                name=f"Filler {n}",
                birthday=dt.date(1980, 1, 1) + dt.timedelta(days=n % 365),
                greetings_consent=True,
            )
            for n in range(3000)
        ]
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE partners_partner")
            cursor.execute("ANALYZE partners_contact")
    return keys


def test_a_page_reads_its_own_rows_in_a_fixed_number_of_queries(client, staff_sales, customers):
    login(client, staff_sales)
    url = reverse("customers:care_calendar")
    client.get(url)  # the session's first save
    with CaptureQueriesContext(connection) as first:
        page1 = client.get(url, {"days": 60})
    with CaptureQueriesContext(connection) as third:
        page3 = client.get(url, {"days": 60, "page": 3})
    assert len(first.captured_queries) == len(third.captured_queries) <= 11
    rows1, rows3 = page1.context["page"].object_list, page3.context["page"].object_list
    assert page1.context["page"].paginator.count == 120
    assert [r.contact.name for r in rows1] == [f"Contact {n:03d}" for n in range(50)]
    assert [r.contact.name for r in rows3] == [f"Contact {n:03d}" for n in range(100, 120)]
    assert all(r.partner.name == f"Key {n:03d}" for n, r in enumerate(rows1))
    assert [r.date for r in rows1] == sorted(r.date for r in rows1)
    assert "Contact 000" in page1.content.decode() and "Contact 050" not in page1.content.decode()
    # Every occasion, with its records, for the scans and the calendar feed: the same rows.
    today = timezone.localdate()
    every = care_occasions(start=today, end=today + dt.timedelta(days=60))
    assert [r.contact.name for r in every] == [f"Contact {n:03d}" for n in range(120)]
    assert len(care_calendar(start=today, end=today + dt.timedelta(days=60))) == 120


def test_the_month_and_day_indexes_find_birthdays_and_anniversaries_on_postgresql(staff_sales, customers):
    if connection.vendor != "postgresql":
        return  # customers 0005 creates nothing on SQLite, where the same queries scan
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["%_md_idx"])
        assert {row[0] for row in cursor.fetchall()} >= {"contact_birthday_md_idx", "partner_customer_since_md_idx"}
    today = timezone.localdate()
    end = today + dt.timedelta(days=30)
    birthdays = _with_month_day(Contact.objects.filter(greetings_consent=True, birthday__isnull=False), "birthday")
    customers_since = _with_month_day(Partner.objects.filter(family="customer"), "customer_since")
    plans = []
    for qs in (birthdays, customers_since):
        field = "birthday" if qs.model is Contact else "customer_since"
        sql, params = qs.filter(_month_day_window(field, today, end)).values("pk").query.sql_with_params()
        plans.append(explain(sql, params))
    birthdays, anniversaries = plans
    assert "contact_birthday_md_idx" in birthdays and "Seq Scan" not in birthdays, birthdays
    assert "partner_customer_since_md_idx" in anniversaries and "Seq Scan" not in anniversaries, anniversaries
