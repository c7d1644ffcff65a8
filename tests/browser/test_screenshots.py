"""README screenshots, taken on realistic demo data (seed_demo), in both languages.

Also a smoke test: the main pages render in real Chromium without console errors.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from partners.models import Partner
from tests.browser.conftest import screenshot
from tests.factories import ensure_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_main_pages_render_cleanly_in_both_languages(page, settings):
    settings.DEBUG = True  # seed_demo refuses to run in production mode
    ensure_reference_data()
    call_command("seed_demo", partners=80, interactions=600, verbosity=0)
    page.goto("/accounts/login/")
    screenshot(page, "login")
    page.fill("input[name=username]", "staff")
    page.fill("input[name=password]", "rapport-demo")
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    screenshot(page, "dashboard")

    page.goto("/partners/family/supplier/?sort=-last_contact")
    screenshot(page, "supplier-list")
    busiest = (
        Partner.objects.filter(family="supplier", owner__username="staff")
        .exclude(interactions=None)
        .order_by("-last_contacted_at")
        .first()
    )
    page.goto(busiest.get_absolute_url())
    screenshot(page, "partner-detail")
    page.click("#open-quicklog")
    page.wait_for_selector("#quicklog-form")
    screenshot(page, "quick-log")
    page.goto("/follow-ups/?state=overdue")
    screenshot(page, "my-follow-ups")
    page.goto("/cases/?state=")
    screenshot(page, "case-list")
    page.goto("/cases/sla/")
    screenshot(page, "sla-report")
    page.goto("/surveys/results/?family=customer")
    screenshot(page, "survey-results")
    page.goto("/care/needs/")
    screenshot(page, "needs-summary")
    page.goto("/care/calendar/?days=90")
    screenshot(page, "care-calendar")
    page.goto("/care/gifts/")
    screenshot(page, "gift-register")

    page.select_option("#language-select", "zh-hans")
    page.wait_for_selector("html[lang=zh-hans]")
    page.goto("/")
    assert "我的跟进事项" in page.content()
    screenshot(page, "dashboard-zh-hans")
    page.goto(busiest.get_absolute_url())
    screenshot(page, "partner-detail-zh-hans")
    assert page.console_errors == []
