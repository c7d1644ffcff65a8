"""Needs (P4.2.1): recorded per customer with topics, summarised by topic and month."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.customers.filters import NeedsSummaryFilter
from partners.customers.models import Need, NeedTag
from partners.customers.selectors import needs_summary
from partners.customers.services import need_record
from tests.edit_forms import post_edit
from tests.factories import InteractionFactory, PartnerFactory, department


def at(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 10, 0, tzinfo=timezone.get_current_timezone())


def make_need(partner, user, when, *tags, summary="Need"):
    need = Need.objects.create(partner=partner, summary=summary, recorded_by=user, recorded_at=when)
    need.tags.set([NeedTag.objects.get_or_create(name=t)[0] for t in tags])
    return need


@pytest.fixture
def customer(staff_sales):
    return PartnerFactory(
        name="Blue Ocean Retail",
        family="customer",
        owner=staff_sales,
        department=department("sales"),
        industry="Retail",
        tier=1,
    )


def test_staff_records_a_need_with_topics_from_the_partner_page(client, staff_sales, customer):
    interaction = InteractionFactory(partner=customer, author=staff_sales)
    client.force_login(staff_sales)
    page = client.get(reverse("partners:detail", args=[customer.pk]))
    assert reverse("customers:need_create", args=[customer.pk]) in page.content.decode()
    response = client.post(
        reverse("customers:need_create", args=[customer.pk]),
        {
            "summary": "Wants monthly invoices",
            "tag_names": "billing, Price，price",
            "interaction": interaction.pk,
            "status": "open",
        },
    )
    assert response.status_code == 302
    need = Need.objects.get()
    assert (need.partner, need.recorded_by, need.interaction) == (customer, staff_sales, interaction)
    assert sorted(need.tags.values_list("name", flat=True)) == ["Price", "billing"]
    page = client.get(reverse("partners:detail", args=[customer.pk]))
    assert "Wants monthly invoices" in page.content.decode()


def test_an_interaction_of_another_partner_is_refused(client, staff_sales, customer):
    other = InteractionFactory(partner=PartnerFactory(family="customer"))
    client.force_login(staff_sales)
    response = client.post(
        reverse("customers:need_create", args=[customer.pk]),
        {"summary": "X", "interaction": other.pk, "status": "open"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["interaction"]
    assert not Need.objects.exists()
    with pytest.raises(ValueError):
        need_record(
            partner=customer, data={"summary": "X", "interaction": other}, tag_names=[], recorded_by=staff_sales
        )


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"summary": ""},
        {"summary": "x" * 400, "status": "open"},
        {"summary": "Faster\x07delivery", "status": "open"},
        {"summary": "ok", "status": "bogus"},
        {"summary": "ok", "status": "open", "tag_names": ",".join(f"t{i}" for i in range(30))},
    ],
)
def test_bad_need_input_shows_field_errors(client, staff_sales, customer, data):
    client.force_login(staff_sales)
    response = client.post(reverse("customers:need_create", args=[customer.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Need.objects.exists()


def test_author_edits_and_marks_a_need_addressed(client, staff_sales, customer):
    need = make_need(customer, staff_sales, timezone.now(), "price", summary="Lower price")
    client.force_login(staff_sales)
    response = post_edit(
        client,
        reverse("customers:need_edit", args=[need.pk]),
        {"summary": "Lower price on bulk", "status": "addressed", "tag_names": "price, volume"},
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == "addressed" and need.summary == "Lower price on bulk"
    assert need.history.first().status == "addressed"  # P3.1: history kept
    assert need.history.filter(status="open").exists()
    page = client.get(reverse("partners:detail", args=[customer.pk])).content.decode()
    assert '<span>Lower price on bulk</span><span class="badge text-bg-success">addressed</span>' in page


def test_summary_counts_top_topics_and_monthly_trend(db, staff_sales, customer):
    supplier = PartnerFactory(family="supplier", industry="Retail", tier=3)
    other_customer = PartnerFactory(family="customer", industry="Energy", tier=2)
    make_need(customer, staff_sales, at(2026, 1, 5), "price")
    make_need(customer, staff_sales, at(2026, 1, 20), "price", "delivery")
    make_need(customer, staff_sales, at(2026, 3, 1), "price")
    make_need(other_customer, staff_sales, at(2026, 3, 2), "delivery")
    make_need(other_customer, staff_sales, at(2026, 3, 3))  # no topic
    make_need(supplier, staff_sales, at(2026, 2, 1), "training")
    make_need(customer, staff_sales, at(2025, 12, 31), "price")  # before the period
    summary = _summary(start="2026-01-01", end="2026-03-31")
    assert summary.total == 6 and summary.untagged == 1
    assert summary.months == [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    assert [(t["name"], t["count"], t["trend"]) for t in summary.top] == [
        ("price", 3, [2, 0, 1]),
        ("delivery", 2, [1, 0, 1]),
        ("training", 1, [0, 1, 0]),
    ]
    customers = _summary(start="2026-01-01", end="2026-03-31", family="customer")
    assert [(t["name"], t["count"]) for t in customers.top] == [("price", 3), ("delivery", 2)]
    key = _summary(start="2026-01-01", end="2026-03-31", tier=1)
    assert [(t["name"], t["count"]) for t in key.top] == [("price", 3), ("delivery", 1)]
    energy = _summary(start="2026-01-01", end="2026-03-31", industry="energy")
    assert [(t["name"], t["count"]) for t in energy.top] == [("delivery", 1)]


def _summary(**data):
    """The summary as the page computes it: the FilterSet's needs, period and family."""
    flt = NeedsSummaryFilter({k: str(v) for k, v in data.items()}, queryset=Need.objects.all())
    start, end = flt.period()
    return needs_summary(needs=flt.qs, start=start, end=end, family=flt.segment().get("family", ""))


def test_month_boundaries_follow_the_local_time_zone(db, staff_sales, customer, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    # 31 Jan 20:00 UTC is 1 Feb 04:00 in Shanghai: a February need.
    make_need(customer, staff_sales, dt.datetime(2026, 1, 31, 20, 0, tzinfo=dt.UTC), "price")
    with timezone.override("Asia/Shanghai"):
        summary = _summary(start="2026-01-01", end="2026-02-28")
    assert summary.top[0]["trend"] == [0, 1]


def test_summary_page_and_csv_export_are_formula_safe(client, staff_sales, customer):
    make_need(customer, staff_sales, timezone.now(), "=cmd|' /C calc'!A0")
    make_need(customer, staff_sales, timezone.now(), "=cmd|' /C calc'!A0", "price")
    client.force_login(staff_sales)
    page = client.get(reverse("customers:needs_summary"))
    assert page.status_code == 200 and "price" in page.content.decode()
    response = client.get(reverse("customers:needs_export"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = body.splitlines()
    assert lines[1].startswith("'=cmd")
    assert ",2," in lines[1] or lines[1].split(",")[-1] == "2"
    assert not any(line.startswith("=") for line in lines)


@pytest.mark.parametrize(
    "params",
    [
        {"start": "x"},
        {"start": "2026-05-01", "end": "2026-01-01"},
        {"tier": "9"},
        {"family": "<b>"},
        {"industry": "x" * 500},
        {"start": "1900-01-01", "end": "2026-01-01"},
    ],
)
def test_summary_never_fails_on_odd_parameters(client, staff, params):
    client.force_login(staff)
    assert client.get(reverse("customers:needs_summary"), params).status_code == 200
    assert client.get(reverse("customers:needs_export"), params).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"start": "9999-12-31", "end": "9999-12-31"},
        {"start": "0001-01-01", "end": "0001-01-02"},
        {"end": "0001-01-05"},
        {"start": "1999-12-31"},
    ],
)
def test_far_dates_fall_back_to_the_default_period(client, staff, query):
    client.force_login(staff)
    for name in ("customers:needs_summary", "customers:needs_export"):
        assert client.get(reverse(name), query).status_code == 200
