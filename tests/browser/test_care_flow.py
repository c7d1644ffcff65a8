"""Customer care in a real browser: the navbar's Customer care menu, recording a gift above
the threshold, its approval by the department's manager, and a contact unsubscribing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from partners.customers.models import CampaignRecipient, Gift
from partners.customers.services import unsubscribe_token
from partners.models import Partner
from tests.browser.conftest import sign_in
from tests.factories import ensure_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_gift_approval_and_unsubscribe(page, settings):
    settings.DEBUG = True  # seed_demo refuses to run in production mode
    ensure_reference_data()
    call_command("seed_demo", partners=40, interactions=100, verbosity=0)
    sign_in(page, "staff2", "rapport-demo")
    for item, heading in [
        ("Care calendar", "Care calendar"),
        ("Needs summary", "Needs summary"),
        ("Campaigns", "Campaigns"),
        ("Gifts", "Gifts and hospitality"),
    ]:
        page.click("#care-menu")
        page.click(f".dropdown-menu >> text={item}")
        page.wait_for_selector(f"h1:has-text('{heading}')")

    customer = Partner.objects.filter(family="customer", owner__username="staff2").order_by("pk").first()
    page.goto(customer.get_absolute_url())
    page.click("text=Record a gift")
    page.fill("input[name=description]", "Porcelain vase")
    page.fill("input[name=value]", "1800")
    page.click("#main button[type=submit]")
    page.wait_for_selector("text=waits for a manager's approval")
    gift = Gift.objects.get(description="Porcelain vase")
    assert gift.status == "pending"

    page.click("#user-menu")
    page.click("text=Sign out")
    sign_in(page, "manager2", "rapport-demo")
    page.goto(f"/care/gifts/{gift.pk}/decide/")
    page.check("input[name=decision][value=approve]")
    page.click("#main button[type=submit]")
    page.wait_for_selector("text=The gift was approved.")
    gift.refresh_from_db()
    assert gift.status == "approved"

    # A recipient of the seeded campaign opens the unsubscribe link from the email.
    recipient = CampaignRecipient.objects.exclude(contact__marketing_consent=False).first()
    page.click("#user-menu")
    page.click("text=Sign out")
    page.goto(f"/u/{unsubscribe_token(recipient)}/")
    page.click("#main button[type=submit]")
    page.wait_for_selector("text=You are unsubscribed")
    recipient.contact.refresh_from_db()
    assert recipient.contact.marketing_consent is False
    assert page.console_errors == []
    page.goto("/u/tampered/")  # answered with 404: the browser logs that, nothing else
    assert "This link is not valid" in page.content()
