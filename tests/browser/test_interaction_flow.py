"""A staff member signs in, opens a supplier, logs a meeting with a follow-up, and sees it
on the timeline and in "My follow-ups" (issue #2's browser test)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from partners.models import FollowUp, Interaction
from tests.browser.conftest import sign_in
from tests.factories import ContactFactory, InteractionFactory, PartnerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_staff_logs_meeting_with_followup(page):
    staff = UserFactory(username="staff", first_name="Li", last_name="Na", role="Staff", dept="procurement")
    supplier = PartnerFactory(
        name="Suzhou Precision Parts",
        owner=staff,
        region="Jiangsu",
        preferred_language="zh-hans",
        preferred_channel="wechat",
        customs="Avoid scheduling meetings during Spring Festival week.",
        products_services="CNC machined housings",
    )
    ContactFactory(partner=supplier, name="Zhang Wei", title="Sales director", is_primary=True)
    for n, kind in enumerate(["call", "email", "visit"]):
        InteractionFactory(
            partner=supplier,
            author=staff,
            kind=kind,
            subject=f"Quarterly capacity review {n + 1}",
            occurred_at=timezone.now() - dt.timedelta(days=10 * (n + 1)),
        )
    PartnerFactory.create_batch(8, owner=staff)

    sign_in(page, "staff")
    page.goto("/partners/family/supplier/")
    page.click("text=Suzhou Precision Parts")
    page.wait_for_selector("#partner-name")

    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    page.click("#open-quicklog")
    page.wait_for_selector("#quicklog-form")
    page.select_option("#id_log-kind", "meeting")
    page.fill("#id_log-subject", "Production plan for Q1")
    page.fill("#id_log-summary", "Shared our Q1 needs; they shared line capacity.")
    page.fill("#id_log-outcome", "They can add a second shift.")
    page.fill("#id_log-fu-0-description", "Send revised forecast to Zhang Wei")
    page.fill("#id_log-fu-0-due_on", due)
    page.click("#quicklog-form button[type=submit]")

    page.wait_for_selector(".timeline-item:has-text('Production plan for Q1')")
    timeline = page.locator("#timeline").inner_text()
    assert "Send revised forecast to Zhang Wei" in timeline
    assert "Interaction “Production plan for Q1” was logged." in page.locator("#messages").inner_text()
    page.goto(supplier.get_absolute_url())

    interaction = Interaction.objects.get(subject="Production plan for Q1")
    followup = FollowUp.objects.get(interaction=interaction)
    assert followup.owner == staff
    assert followup.due_on.isoformat() == due

    page.click("text=My follow-ups")
    page.wait_for_selector("#followups")
    assert "Send revised forecast to Zhang Wei" in page.locator("#followups").inner_text()
    assert page.console_errors == []


def test_quicklog_errors_stay_on_the_page(page):
    staff = UserFactory(username="staff", role="Staff", dept="procurement")
    supplier = PartnerFactory(name="Ningbo Moulds", owner=staff)
    sign_in(page, "staff")
    page.goto(supplier.get_absolute_url())
    page.click("#open-quicklog")
    page.wait_for_selector("#quicklog-form")
    page.fill("#id_log-subject", "")
    page.fill("#id_log-fu-0-description", "Call back")
    page.click("#quicklog-form button[type=submit]")
    page.wait_for_selector("#quicklog .invalid-feedback")
    assert "This field is required." in page.locator("#quicklog").inner_text()
    assert page.url.endswith(supplier.get_absolute_url())
    assert Interaction.objects.count() == 0
