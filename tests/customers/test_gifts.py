"""Gift register (P3.1): recorded with value; above the threshold a department manager decides."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import Notification
from partners.customers.models import Gift
from partners.customers.services import GiftAlreadyDecided, gift_decide, gift_record
from tests.edit_forms import post_edit
from tests.factories import ContactFactory, PartnerFactory


def gift_data(**overrides) -> dict:
    data = {
        "description": "Tea set",
        "direction": "given",
        "value": "300.00",
        "currency": "CNY",
        "occasion": "Spring Festival",
        "date": "2026-11-20",
    }
    return {**data, **overrides}


def test_staff_records_a_gift_below_the_threshold_without_approval(client, staff, supplier, settings):
    settings.RAPPORT_GIFT_APPROVAL_THRESHOLD = Decimal("500")
    client.force_login(staff)
    supplier.name = "Smith & Sons #1"
    supplier.save()
    response = client.post(reverse("customers:gift_create", args=[supplier.pk]), gift_data(value="500"))
    assert response.status_code == 302
    assert response["Location"].endswith("?q=Smith+%26+Sons+%231")
    gift = Gift.objects.get()
    assert (gift.status, gift.value, gift.recorded_by, gift.partner) == (
        "not_required",
        Decimal("500"),
        staff,
        supplier,
    )
    assert not Notification.objects.exists()


def test_above_the_threshold_waits_for_the_departments_manager(client, staff, manager, manager_sales, supplier):
    client.force_login(staff)
    client.post(reverse("customers:gift_create", args=[supplier.pk]), gift_data(value="500.01"))
    gift = Gift.objects.get()
    assert gift.status == "pending"
    assert list(Notification.objects.values_list("recipient__username", "kind")) == [("manager", "gift_approval")]
    # Staff and another department's manager cannot decide.
    assert client.get(reverse("customers:gift_decide", args=[gift.pk])).status_code == 403
    client.force_login(manager_sales)
    assert client.post(reverse("customers:gift_decide", args=[gift.pk]), {"decision": "approve"}).status_code == 403
    client.force_login(manager)
    page = client.get(reverse("customers:gift_decide", args=[gift.pk]))
    assert page.status_code == 200 and "Tea set" in page.content.decode()
    # Rejecting needs a reason.
    response = post_edit(client, reverse("customers:gift_decide", args=[gift.pk]), {"decision": "reject"})
    assert response.status_code == 200 and response.context["form"].errors["note"]
    response = post_edit(
        client, reverse("customers:gift_decide", args=[gift.pk]), {"decision": "reject", "note": "Too much"}
    )
    assert response.status_code == 302
    gift.refresh_from_db()
    assert (gift.status, gift.decided_by, gift.decision_note) == ("rejected", manager, "Too much")
    assert gift.decided_at is not None
    assert gift.history.count() == 2  # P3.1: the decision is in the history
    assert Notification.objects.get(recipient=staff, kind="gift_decided").title.startswith("Gift rejected")
    # A second decision is refused.
    with pytest.raises(GiftAlreadyDecided):
        gift_decide(gift=gift, approve=True, note="", user=manager)
    client.post(reverse("customers:gift_decide", args=[gift.pk]), {"decision": "approve"})
    gift.refresh_from_db()
    assert gift.status == "rejected"


def test_a_manager_does_not_approve_their_own_gift(db, manager, supplier):
    gift = gift_record(
        partner=supplier, data={**gift_data(value=Decimal("900")), "date": dt.date(2026, 11, 1)}, recorded_by=manager
    )
    assert gift.status == "pending"
    from partners.customers.selectors import can_decide_gift

    assert not can_decide_gift(manager, gift)


def test_other_currencies_always_need_approval(db, staff, supplier):
    data = {**gift_data(value=Decimal("10"), currency="USD"), "date": dt.date(2026, 11, 1)}
    assert gift_record(partner=supplier, data=data, recorded_by=staff).status == "pending"


def test_the_threshold_comes_from_the_settings(db, staff, supplier, settings):
    settings.RAPPORT_GIFT_APPROVAL_THRESHOLD = Decimal("100")
    data = {**gift_data(value=Decimal("150")), "date": dt.date(2026, 11, 1)}
    assert gift_record(partner=supplier, data=data, recorded_by=staff).status == "pending"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"value": "-1"}, "value"),
        ({"value": "abc"}, "value"),
        ({"value": "1e309"}, "value"),
        ({"value": "12345678901234"}, "value"),
        ({"value": "1.234"}, "value"),
        ({"currency": "BTC"}, "currency"),
        ({"direction": "sideways"}, "direction"),
        ({"description": ""}, "description"),
        ({"description": "Tea\x03set"}, "description"),
        ({"date": "not a date"}, "date"),
        ({"date": "2999-01-01"}, "date"),
    ],
)
def test_bad_gift_input_shows_field_errors(client, staff, supplier, overrides, field):
    client.force_login(staff)
    response = client.post(reverse("customers:gift_create", args=[supplier.pk]), gift_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Gift.objects.exists()


def test_a_contact_of_another_partner_is_refused(client, staff, supplier):
    stranger = ContactFactory(partner=PartnerFactory())
    client.force_login(staff)
    response = client.post(reverse("customers:gift_create", args=[supplier.pk]), gift_data(contact=stranger.pk))
    assert response.status_code == 200 and "contact" in response.context["form"].errors


def test_other_departments_cannot_record_gifts_for_the_partner(client, staff_sales, supervisor, supplier):
    for user in (staff_sales, supervisor):
        client.force_login(user)
        assert client.post(reverse("customers:gift_create", args=[supplier.pk]), gift_data()).status_code == 403
    assert not Gift.objects.exists()


def test_gift_list_filters_sorts_and_shows_an_empty_state(client, staff, manager, supplier):
    client.force_login(staff)
    response = client.get(reverse("customers:gift_list"))
    assert response.status_code == 200 and "No gifts recorded yet" in response.content.decode()
    today = timezone.localdate()
    for i, (value, status) in enumerate([(100, "not_required"), (900, "pending"), (700, "approved")]):
        Gift.objects.create(
            partner=supplier,
            description=f"Gift {i}",
            value=Decimal(value),
            date=today - dt.timedelta(days=i),
            recorded_by=staff,
            status=status,
        )
    response = client.get(reverse("customers:gift_list"), {"status": "pending"})
    assert [g.description for g in response.context["page"].object_list] == ["Gift 1"]
    response = client.get(reverse("customers:gift_list"), {"sort": "-value"})
    assert [g.description for g in response.context["page"].object_list] == ["Gift 1", "Gift 2", "Gift 0"]
    client.force_login(manager)
    response = client.get(reverse("customers:gift_list"))
    assert reverse("customers:gift_decide", args=[Gift.objects.get(status="pending").pk]) in response.content.decode()
    for params in ({"sort": "password"}, {"status": "<x>"}, {"page": "-1"}, {"q": "x" * 500}, {"direction": "1=1"}):
        assert client.get(reverse("customers:gift_list"), params).status_code == 200
    # A refused value drops that filter only; the others still apply, the bar shows what applied.
    response = client.get(reverse("customers:gift_list"), {"status": "<x>", "sort": "value", "q": supplier.name[:4]})
    assert [g.description for g in response.context["page"].object_list] == ["Gift 0", "Gift 2", "Gift 1"]
    body = response.content.decode()
    assert '<option value="value" selected>Lowest value</option>' in body
    assert f'value="{supplier.name[:4]}"' in body
    assert '<option value="">All</option><option value="pending">' in body and " selected>Pending" not in body
    response = client.get(reverse("customers:gift_list"), {"direction": "received"})
    assert list(response.context["page"].object_list) == []
    zh = client.get(reverse("customers:gift_list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Newest first" not in zh  # the sort labels follow the request's language


def test_the_partner_history_shows_the_gift_and_its_decision(client, staff, manager, supplier):
    gift = gift_record(
        partner=supplier, data={**gift_data(value=Decimal("900")), "date": dt.date(2026, 11, 1)}, recorded_by=staff
    )
    gift_decide(gift=gift, approve=True, note="", user=manager)
    client.force_login(staff)
    body = client.get(reverse("partners:history", args=[supplier.pk])).content.decode()
    assert "Tea set" in body and "Approved" in body and "Pending approval" in body


def test_the_gift_form_starts_with_today(client, staff, supplier):
    client.force_login(staff)
    response = client.get(reverse("customers:gift_create", args=[supplier.pk]))
    assert f'value="{timezone.localdate().isoformat()}"' in response.content.decode()
