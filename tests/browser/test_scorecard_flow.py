"""A manager opens the scorecard overview, a supplier's scorecard, closes an evaluation
with a decision and sees the trend chart render (issue #3's browser test)."""

from __future__ import annotations

import datetime as dt

import pytest

from evaluations.models import Decision, Evaluation
from tests.browser.conftest import screenshot, sign_in
from tests.evaluations.factories import closed_eval, make_template, open_eval, score_and_submit, uniform_scores
from tests.factories import PartnerFactory, UserFactory, ensure_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_manager_closes_an_evaluation_with_a_decision_and_sees_the_trend(page):
    ensure_reference_data()
    staff = UserFactory(username="staff", first_name="Mei", last_name="Chen", role="Staff", dept="procurement")
    manager = UserFactory(username="manager", first_name="Hua", last_name="Zhang", role="Manager", dept="procurement")
    template = make_template()
    supplier = PartnerFactory(name="Wuxi Precision Castings", owner=staff)
    for other, rating in (("Hangzhou Valves", 5), ("Dalian Bearings", 2)):
        closed_eval(PartnerFactory(name=other, owner=staff), template, staff, manager, rating=rating)
    for month, rating in ((2, 3), (5, 4), (8, 4)):
        closed_eval(supplier, template, staff, manager, rating=rating, period=dt.date(2025, month, 1))
    evaluation = open_eval(supplier, template, [staff], period=dt.date(2025, 11, 1))
    score_and_submit(evaluation, staff, uniform_scores(template, 5, kpi_value=98))

    sign_in(page, "manager")
    page.click("text=Scorecards")
    page.wait_for_selector("#f-template")
    page.select_option("#f-template", str(template.pk))
    page.click("form >> text=Filter")
    page.wait_for_selector("#ranking >> text=Wuxi Precision Castings")
    screenshot(page, "scorecard-overview")
    page.click("#ranking >> text=Wuxi Precision Castings")
    page.wait_for_selector("#trend-chart")
    # The chart's scripts come last on the page: wait for them, not only for the canvas.
    page.wait_for_function("() => window.Chart && !!Chart.getChart(document.getElementById('trend-chart'))")

    page.click(f"a[href='/evaluations/{evaluation.pk}/']")
    page.wait_for_selector("#close-evaluation")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#close-evaluation")
    page.wait_for_selector("#decision")
    page.select_option("#id_d-outcome", "continue")
    page.fill("#id_d-reason", "Quality back on track; keep the current terms.")
    page.click("#record-decision")
    page.wait_for_selector("#decisions >> text=Continue cooperation")
    assert Evaluation.objects.get(pk=evaluation.pk).status == "closed"
    assert Decision.objects.get(evaluation=evaluation).approver == manager

    page.click(f"a.btn[href='/evaluations/partner/{supplier.pk}/']")
    page.wait_for_selector("#trend-chart")
    page.wait_for_function("() => window.Chart && !!Chart.getChart(document.getElementById('trend-chart'))")
    points = page.evaluate("() => Chart.getChart(document.getElementById('trend-chart')).data.labels.length")
    assert points == 4
    screenshot(page, "scorecard")
    assert page.console_errors == []
