"""Issue 12 §2 end to end in Chromium: a public complaint is never silent.

A customer writes in through the public form in Chinese and gets the reference by e-mail; the
intake rule's manager is told at once and opens the case from that e-mail; their first reply
starts the work; they link the case to the customer's contact, resolve and close it; the
satisfaction survey goes out and is recorded on the case; the customer answers it badly from
the link exactly as e-mailed, on the site's own port; the complaint that opens links back to
the case it was about.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail

from evaluations.surveys.models import SurveyTemplate
from partners.cases.models import Case
from tests.browser.conftest import file_chinese_complaint, sign_in
from tests.factories import ContactFactory, PartnerFactory, UserFactory, department, ensure_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _reference_data(db):
    ensure_reference_data()


def _link(message, path: str) -> str:
    return re.search(rf"https?://\S+{path}\S*", message.body).group(0)


def test_a_public_complaint_is_acknowledged_routed_answered_surveyed_and_followed_up(page, live_server, settings):
    settings.RAPPORT_BASE_URL = live_server.url  # as `PORT=… make run` sets it
    manager = UserFactory(
        username="cs-manager", first_name="Zhou", last_name="Min", role="Manager", dept="customer-service"
    )
    manager.email = "zhou@rapport.example"
    manager.save()
    customer = PartnerFactory(
        name="Blue Sky Trading", family="customer", owner=manager, department=department("customer-service")
    )
    ContactFactory(partner=customer, name="Wang Fang", email="wang@bluesky.example", preferred_language="zh-hans")
    SurveyTemplate.objects.filter(name="Customer satisfaction").update(send_after_case=True, low_score_opens_case=True)

    # 1. The customer writes in, in Chinese, and leaves with the reference.
    page.goto("/feedback/?lang=zh-hans")
    reference = file_chinese_complaint(page, email="wang@bluesky.example")
    case = Case.objects.get(reference=reference)
    assert case.family == "customer" and case.department.code == "customer-service"

    # 2. The acknowledgement, in the form's language, carries the reference and what comes next.
    (ack,) = [m for m in mail.outbox if m.to == ["wang@bluesky.example"]]
    assert reference in ack.subject and "我们已收到您的留言" in ack.subject
    assert reference in ack.body

    # 3. The intake rule's manager is e-mailed at once and opens the case from that e-mail.
    (alert,) = [m for m in mail.outbox if m.to == ["zhou@rapport.example"]]
    assert reference in alert.subject
    link = _link(alert, f"/cases/{case.pk}/")
    assert link.startswith(live_server.url)
    page.context.clear_cookies()
    sign_in(page, "cs-manager")
    assert page.locator("#unread-count").inner_text().strip() == "1"
    page.goto(link)
    page.wait_for_selector("#case-title")
    assert reference in page.locator("#case-title").inner_text()

    # 4. The first reply to the requester is the first response: the case is in progress.
    page.check("#id_kind_1")
    page.fill("#id_body", "We are sorry: the duplicate invoice is cancelled.")
    page.click("#note-form button[type=submit]")
    page.wait_for_selector("#resolve-form")
    case.refresh_from_db()
    assert case.status == "in_progress" and case.first_response_at is not None
    assert any(m.to == ["wang@bluesky.example"] and "duplicate invoice is cancelled" in m.body for m in mail.outbox)

    # 5. The address is a known contact's: link the case to it, then resolve and close.
    page.click("#case-suggestions a")
    page.wait_for_selector("#id_contact")
    page.click("#main form button[type=submit]")
    page.wait_for_selector("#case-title")
    case.refresh_from_db()
    assert case.partner == customer and case.contact.email == "wang@bluesky.example"
    page.fill("#id_resolution", "Duplicate invoice cancelled; credit note sent.")
    page.click("#resolve-form button[type=submit]")
    page.wait_for_selector("button:has-text('Close')")
    page.click("button:has-text('Close')")
    page.wait_for_selector(".survey-sent")
    assert "wang@bluesky.example" in page.locator(".survey-sent").inner_text()

    # 6. The customer answers the survey from the link exactly as e-mailed, and is unhappy.
    (invitation,) = [m for m in mail.outbox if m.to == ["wang@bluesky.example"] and "/s/" in m.body]
    survey_link = _link(invitation, "/s/")
    assert survey_link.startswith(live_server.url + "/s/")
    page.context.clear_cookies()
    page.goto(survey_link)
    page.wait_for_selector("#survey-form")
    for fieldset in page.locator("#survey-form fieldset").all():
        radios = fieldset.locator("label.btn")
        if radios.count():
            radios.nth(0).click()  # the worst score
        else:
            fieldset.locator("textarea").fill("发票问题拖了太久。")
    page.click("#survey-form button[type=submit]")
    page.wait_for_selector("#survey-thanks")

    # 7. The complaint the low score opened links the case it was about, and back.
    complaint = Case.objects.exclude(pk=case.pk).get()
    assert complaint.about_case == case and complaint.channel == "survey"
    sign_in(page, "cs-manager")
    page.goto(f"/cases/{complaint.pk}/")
    page.click(f"#case-source a:has-text('{reference}')")
    page.wait_for_selector("#case-follow-ups")
    assert complaint.reference in page.locator("#case-follow-ups").inner_text()
    assert not page.console_errors
