"""Issue #5's browser tests: a customer answers a survey link and the manager sees the
result; a staff member resolves a case before its deadline; the public feedback form."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from evaluations.surveys import services
from evaluations.surveys.models import Survey, SurveyResponse, SurveyTemplate
from partners.cases.models import Case
from tests.browser.conftest import file_chinese_complaint, screenshot, sign_in
from tests.factories import ContactFactory, PartnerFactory, UserFactory, department, ensure_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _reference_data(db):
    ensure_reference_data()


def test_customer_answers_survey_and_manager_sees_the_result(page, live_server, settings):
    # The site on a port of its own (not 8000), as `PORT=… make run` sets it.
    settings.RAPPORT_BASE_URL = live_server.url
    manager = UserFactory(username="manager", role="Manager", dept="sales")
    seller = UserFactory(username="seller", role="Staff", dept="sales")
    customer = PartnerFactory(name="Blue Ocean Retail", family="customer", owner=seller, department=department("sales"))
    contact = ContactFactory(partner=customer, name="Chen Jie", email="chen@blueocean.example")
    survey = Survey.objects.create(
        template=SurveyTemplate.objects.get(name="Customer satisfaction"),
        title="Customer satisfaction 2026-Q4",
        family="customer",
        period="2026-Q4",
        created_by=manager,
    )
    services.survey_send(survey=survey, contacts=[contact])
    # The link exactly as the e-mail carries it.
    (message,) = [m for m in mail.outbox if m.to == ["chen@blueocean.example"]]
    link = re.search(r"https?://\S+/s/[^/\s]+/", message.body).group(0)
    assert link.startswith(live_server.url + "/s/")

    # The customer: no login, answers every question.
    page.goto(link)
    page.wait_for_selector("#survey-form")
    for fieldset in page.locator("#survey-form fieldset").all():
        radios = fieldset.locator("label.btn")
        if radios.count():
            radios.nth(radios.count() - 1).click()  # the best score
        else:
            fieldset.locator("textarea").fill("Quick & friendly <service>")
    screenshot(page, "survey-public")
    page.click("#survey-form button[type=submit]")
    page.wait_for_selector("#survey-thanks")
    assert SurveyResponse.objects.filter(contact=contact).count() == 1
    page.goto(link)
    assert "already" in page.locator("main").inner_text().lower()

    # The manager: the results page counts the response.
    page.context.clear_cookies()
    sign_in(page, "manager")
    page.goto(f"/surveys/results/?survey={survey.pk}")
    assert page.locator("#overall-nps").inner_text().strip() == "100.0"
    assert page.locator("#overall-rate").inner_text().strip() == "100.0%"
    page.goto(f"/surveys/{survey.pk}/")
    assert "Quick & friendly <service>" in page.locator("main").inner_text()


def test_staff_resolves_a_case_before_its_deadline(page):
    staff = UserFactory(username="staff", first_name="Li", last_name="Na", role="Staff", dept="procurement")
    supplier = PartnerFactory(name="Suzhou Precision Parts", owner=staff)
    ContactFactory(partner=supplier, name="Zhang Wei", email="zhang@suzhou.example")

    sign_in(page, "staff")
    page.goto(supplier.get_absolute_url())
    page.click("text=New case")
    page.select_option("#id_contact", label="Zhang Wei")
    page.select_option("#id_kind", "issue")
    page.select_option("#id_channel", "phone")
    page.select_option("#id_priority", "3")
    page.fill("#id_subject", "Wrong drawing revision used")
    page.fill("#id_description", "Batch 42 was machined to revision B instead of C.")
    page.click("#main form button[type=submit]")
    page.wait_for_selector("#case-title")
    case = Case.objects.get()
    assert case.reference in page.locator("#case-title").inner_text()
    assert page.locator("#resolution-due [data-sla=running]").count() == 1

    page.check("#id_kind_1")  # reply to the partner
    page.fill("#id_body", "We are re-machining the batch today.")
    page.click("#note-form button[type=submit]")
    page.wait_for_selector("#case-timeline :text('We are re-machining the batch today.')")
    # The first reply to the partner is the first response: the case is now in progress.
    page.wait_for_selector("#resolve-form")
    assert page.locator("button:has-text('Start work')").count() == 0
    case.refresh_from_db()
    assert case.status == "in_progress" and case.first_response_at is not None
    screenshot(page, "case-detail")
    page.fill("#id_resolution", "Batch replaced; revision check added to incoming inspection.")
    page.click("#resolve-form button[type=submit]")
    page.wait_for_selector("#resolution-due [data-sla=met]")
    assert re.search(r"is now .Resolved", page.locator("#messages").inner_text())
    case.refresh_from_db()
    assert case.status == "resolved" and case.resolved_at <= case.resolution_due_at
    page.goto("/cases/?state=resolved")
    assert case.reference in page.locator("#cases").inner_text()
    assert not page.console_errors


def test_public_feedback_form_gives_a_reference(page):
    page.goto("/feedback/?lang=zh-hans")
    page.wait_for_selector("#feedback")
    reference = file_chinese_complaint(page, shot="feedback-form-zh-hans")
    assert Case.objects.get().reference == reference
