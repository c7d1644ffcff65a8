"""The Content-Security-Policy in a real browser (issue #10 §8): pages that script, style and
chart work under it, and any violation fails the test (see the ``page`` fixture)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.calendar import calendar_token_for
from tests.browser.conftest import sign_in
from tests.factories import InteractionFactory, PartnerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_violation_is_caught(page):
    UserFactory(username="ada", role="Staff", dept="procurement")
    sign_in(page, "ada")
    page.evaluate("""() => document.body.insertAdjacentHTML('beforeend', '<p style="color:red">x</p>')""")
    page.wait_for_timeout(300)
    assert any("style-src" in text for text in page.csp_violations)
    page.csp_violations_expected = True


def test_the_admin_and_a_confirmation_work_under_the_policy(page):
    admin = UserFactory(username="root", role="Staff", dept="procurement", is_superuser=True, is_staff=True)
    partner = PartnerFactory(name="Ningbo Bearings")
    InteractionFactory(partner=partner, author=admin)
    sign_in(page, "root")
    for url in (
        "/admin/",
        "/admin/partners/partner/",
        f"/admin/partners/partner/{partner.pk}/change/",
        f"/admin/partners/partner/{partner.pk}/history/",
        "/admin/partners/interaction/",
    ):
        page.goto(url)
        assert page.locator("#content").count() == 1, url

    # The calendar's "new address" asks first; dismissing it keeps the old address.
    token = calendar_token_for(admin).token
    page.goto(reverse("calendar"))
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("form[data-confirm] button[type=submit]")
    page.wait_for_timeout(300)
    assert calendar_token_for(admin).token == token
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("form[data-confirm] button[type=submit]")
    page.wait_for_load_state()
    page.wait_for_timeout(300)
    assert calendar_token_for(admin).token != token
    assert page.console_errors == []
