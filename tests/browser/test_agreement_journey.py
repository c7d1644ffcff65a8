"""Issue 13 §2 end to end in Chromium (P4.3.2): a manager records an agreement with a partner
from the partner's page, with an obligation of ours; the execution review falls due, the scan
tells the owner once, and the review is recorded with a corrective action."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crm.models import CorrectiveAction, Notification
from crm.scheduler import scan_run
from partners.agreements.models import Agreement, ExecutionReview, add_months
from partners.models import FollowUp
from tests.browser.conftest import sign_in
from tests.factories import PartnerFactory, UserFactory, ensure_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _reference_data(db):
    ensure_reference_data()


def test_a_manager_records_an_agreement_and_its_review_when_it_falls_due(page, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    manager = UserFactory(username="buyer-lead", first_name="Li", last_name="Na", role="Manager", dept="procurement")
    engineer = UserFactory(username="engineer", first_name="Chen", last_name="Bo", role="Staff", dept="procurement")
    partner = PartnerFactory(name="Bright Labs", family="partner", owner=engineer)
    today = timezone.localdate()
    # Started a quarter ago: its first quarterly review falls due today (or the day before).
    started = add_months(today, -3)

    # 1. From the partner's page, the manager creates an active cooperation agreement.
    sign_in(page, "buyer-lead")
    page.goto(partner.get_absolute_url())
    page.click("#agreement-new")
    page.fill("#id_title", "Joint sensor development")
    page.select_option("#id_kind", "cooperation")
    page.select_option("#id_status", "active")
    page.fill("#id_starts_on", started.isoformat())
    page.fill("#id_ends_on", (started + dt.timedelta(days=730)).isoformat())
    page.select_option("#id_review_cadence", "quarterly")
    page.fill("#id_scope", "Joint development of the next sensor line.")
    page.fill("#id_benefit_sharing", "Revenue shared 60/40.")
    page.click("#main form button[type=submit]")
    page.wait_for_selector("#agreement-title")
    agreement = Agreement.objects.get()
    assert list(agreement.partners.all()) == [partner] and agreement.status == "active"

    # 2. An obligation of ours: it becomes the engineer's follow-up.
    page.click("#obligation-new")
    page.select_option("#id_party", "ours")
    page.fill("#id_description", "Deliver the prototype boards")
    page.fill("#id_due_on", (today + dt.timedelta(days=20)).isoformat())
    page.select_option("#id_owner", str(engineer.pk))
    page.click("#main form button[type=submit]")
    page.wait_for_selector("#obligations .obligation")
    assert "Deliver the prototype boards" in page.locator("#obligations").inner_text()
    assert FollowUp.objects.get(owner=engineer).obligation.agreement == agreement

    # 3. The review falls due: the scan tells the owner once, and the page says it is due.
    scan_run("agreements")
    scan_run("agreements")
    assert Notification.objects.filter(recipient=manager, kind="agreement_review_due").count() == 1
    page.reload()
    page.wait_for_selector("#review-due")

    # 4. The review is recorded, with a corrective action for the engineer.
    page.click("#review-record")
    page.select_option("#id_rating", "3")
    page.fill("#id_issues", "Prototype boards were two weeks late.")
    page.fill("#id_resolution", "Weekly status calls agreed with the partner.")
    page.fill("#id_action_description", "Agree a delivery plan for the boards")
    page.select_option("#id_action_owner", str(engineer.pk))
    page.fill("#id_action_due_on", (today + dt.timedelta(days=14)).isoformat())
    page.click("#main form button[type=submit]")
    page.wait_for_selector("#reviews .review")
    assert page.locator("#review-due").count() == 0
    review = ExecutionReview.objects.get()
    assert review.rating == 3 and review.due_on <= today
    assert CorrectiveAction.objects.get().source == review
    assert "Agree a delivery plan for the boards" in page.locator("#reviews").inner_text()
    assert page.console_errors == []
