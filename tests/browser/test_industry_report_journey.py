"""Issue #13 §8 in a real browser: a manager shares an industry report with Procurement; a
staff member of Procurement finds it in their inbox, opens it, marks it read and comments; the
sender sees who has read it (P4.4.3)."""

from __future__ import annotations

import pytest

from partners.associations.models import ReportReceipt
from tests.browser.conftest import sign_in
from tests.factories import UserFactory, ensure_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _reference_data(db):
    ensure_reference_data()


def test_staff_reads_a_routed_report_and_the_sender_sees_it(page):
    UserFactory(username="manager", first_name="Hua", last_name="Zhang", role="Manager", dept="procurement")
    UserFactory(username="staff", first_name="Mei", last_name="Chen", role="Staff", dept="procurement")

    sign_in(page, "manager")
    page.goto("/associations/reports/")
    page.click("#share-report")
    page.fill("#id_source_institution", "China Electronics Chamber")
    page.fill("#id_title", "Industry outlook 2027")
    page.fill("#id_summary", "Demand grows 8%; new energy-efficiency rules.")
    page.fill("#id_link", "https://example.com/outlook")
    page.select_option("#id_departments", label="Procurement")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#readers")
    assert "Read by 0 of 1" in page.locator("#readers").inner_text()

    page.context.clear_cookies()
    sign_in(page, "staff")
    page.goto("/associations/reports/inbox/")
    page.click("#inbox >> text=Industry outlook 2027")
    page.wait_for_selector("#mark-read")
    page.click("#mark-read")
    page.wait_for_selector("#read-state")
    page.fill("#id_comment", "Passed to the buyers of power modules.")
    page.click("#comment-form button[type=submit]")
    page.wait_for_selector("#comments")
    assert "Passed to the buyers" in page.locator("#comments").inner_text()
    assert ReportReceipt.objects.get(reader__username="staff").read_at is not None

    page.context.clear_cookies()
    sign_in(page, "manager")
    page.goto("/associations/reports/")
    page.click("#reports-table >> text=Industry outlook 2027")
    readers = page.locator("#readers").inner_text()
    assert "Read by 1 of 1" in readers and "Mei Chen" in readers
    assert page.locator("#readers .reader-read").count() == 1
    assert not page.console_errors and not page.csp_violations
