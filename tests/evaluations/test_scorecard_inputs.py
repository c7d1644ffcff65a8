"""Scorecard inputs (issue #12 §4): bounded KPI percentages, scores shown with the precision
they need, no close before the period ends without a manager's written override, expired
certificates apart from expiring ones, and the decision's corrective actions on the
evaluation page in a fixed number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from crm.models import CorrectiveAction, Notification
from evaluations import services
from evaluations.models import Criterion, CriterionScore, Evaluation
from partners.suppliers.models import QualificationDocument
from partners.suppliers.selectors import qualification_alerts
from partners.suppliers.services import qualification_remind
from tests.evaluations.factories import (
    closed_eval,
    criteria_of,
    kpi,
    make_template,
    manual,
    open_eval,
    score_and_submit,
    uniform_scores,
)
from tests.factories import UserFactory


def _text(html: str) -> str:
    """The page's visible text, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- 1. A percentage KPI of 150 % is refused next to the field, nothing written ------------------


def test_the_sheet_refuses_a_150_percent_kpi_next_to_the_field_and_writes_nothing(client, staff, supplier):
    template = make_template(criteria=[manual("Quality", 60), kpi("Delivery", 40, 80, 100)])
    Criterion.objects.filter(template=template, name="Delivery").update(kpi_unit="%")
    sheet = open_eval(supplier, template, [staff]).sheets.get()
    c = criteria_of(template)
    field = f"c{c['Delivery'].pk}_value"
    client.force_login(staff)
    response = client.post(
        reverse("evaluations:sheet", args=[sheet.pk]),
        {
            f"c{c['Quality'].pk}_value": "4",
            f"c{c['Quality'].pk}_evidence": "Audit report 2025-06",
            field: "150",
            "save": "1",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    page = response.content.decode()
    # The message sits with the Delivery input (crispy's feedback under the field), the
    # rest of the form is kept, and nothing was saved: not even the valid rating.
    feedback = re.search(rf'name="{field}"[^>]*>\s*(?:<[^>]+>\s*)*?<[^>]*invalid-feedback[^>]*>(.*?)</', page, re.S)
    assert feedback and escape(errors[field][0]) in feedback.group(1)
    assert "100" in errors[field][0]
    assert "Audit report 2025-06" in page
    assert not CriterionScore.objects.filter(sheet=sheet).exists()


def test_the_service_refuses_a_150_percent_kpi_too(db, staff, supplier):
    template = make_template(criteria=[manual("Quality", 60), kpi("Delivery", 40, 80, 100)])
    Criterion.objects.filter(template=template, name="Delivery").update(kpi_unit="%")
    sheet = open_eval(supplier, template, [staff]).sheets.get()
    delivery = criteria_of(template)["Delivery"]
    with pytest.raises(ValidationError):
        services.sheet_save(sheet=sheet, by=staff, scores={delivery.pk: services.ScoreData(kpi_value=Decimal(150))})
    assert not CriterionScore.objects.exists()


# --- 2. Scores with the precision they need, everywhere, and numeric exports ----------------------


@pytest.fixture
def thirds(db, staff, manager, supplier):
    """Quality (N/A) 35, Price 35, On-time 30: with Quality N/A, 65 % of the weight is scored,
    so the shares are 53.85 % and 46.15 % (as frozen); every rating 4 → a period score of 75.00."""
    template = make_template(
        criteria=[manual("Quality", 35, allow_na=True), manual("Price", 35), kpi("On-time", 30, 80, 100)]
    )
    c = criteria_of(template)
    evaluation = open_eval(supplier, template, [staff])
    score_and_submit(
        evaluation,
        staff,
        {
            c["Quality"].pk: services.ScoreData(is_na=True),
            c["Price"].pk: services.ScoreData(rating=4),
            c["On-time"].pk: services.ScoreData(kpi_value=Decimal(95)),
        },
    )
    return services.evaluation_close(evaluation=evaluation, by=manager)


def test_scores_and_percentages_show_the_precision_they_need_on_every_page(client, manager, supplier, thirds):
    evaluation = thirds
    assert evaluation.score == Decimal("75.00") and evaluation.scored_weight == Decimal("65.00")
    client.force_login(manager)
    pages = {
        "evaluation": client.get(reverse("evaluations:detail", args=[evaluation.pk])).content.decode(),
        "scorecard": client.get(reverse("evaluations:scorecard", args=[supplier.pk])).content.decode(),
        "overview": client.get(reverse("evaluations:overview"), {"template": evaluation.template_id}).content.decode(),
        "sheet": client.get(reverse("evaluations:sheet", args=[evaluation.sheets.get().pk])).content.decode(),
    }
    for name, page in pages.items():
        assert not re.search(r"\d\.\d{3,}", _text(page)), name  # never 80.0000
        assert "75.00" not in page and "35.00" not in page, name
    evaluation_text = _text(pages["evaluation"])
    assert re.search(r'id="evaluation-score">\s*75\s', pages["evaluation"])
    # Percentages: at most one decimal, half up from the frozen share (53.85 → 53.9, 46.15 → 46.2;
    # 65.00 → 65); contributions are scores, with the field's two places (40.38, 34.62).
    assert "53.9%" in evaluation_text and "46.2%" in evaluation_text and "53.85" not in evaluation_text
    assert "40.38" in evaluation_text and "34.62" in evaluation_text
    assert "only 65% of the weight has a score" in evaluation_text
    assert re.search(r'id="overall-score">\s*75\s*<', pages["scorecard"])
    assert re.search(r"<td>\s*75\s*</td>", pages["overview"])
    assert "(weight 35)" in _text(pages["sheet"]) and "(weight 30)" in _text(pages["sheet"])


def test_the_ranking_exports_keep_scores_numeric(client, manager, thirds):
    client.force_login(manager)
    url = reverse("evaluations:overview")
    body = b"".join(client.get(url, {"template": thirds.template_id, "format": "csv"}).streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert float(rows[1][4]) == 75.0 and float(rows[1][6]) == 75.0
    response = client.get(url, {"template": thirds.template_id, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=5).value == 75 and isinstance(sheet.cell(row=2, column=5).value, int | float)


# --- 3. No close before the period ends, unless a manager overrides it in writing -----------------


def _current_period_evaluation(supplier, template, staff) -> Evaluation:
    evaluation = open_eval(supplier, template, [staff], period=timezone.localdate())
    score_and_submit(evaluation, staff, uniform_scores(template, 4))
    return evaluation


def test_the_service_refuses_to_close_before_the_period_ends(db, staff, manager, supplier, template):
    evaluation = _current_period_evaluation(supplier, template, staff)
    with pytest.raises(ValidationError) as exc:
        services.evaluation_close(evaluation=evaluation, by=manager)
    assert exc.value.code == "period_not_ended"
    assert evaluation.period_end.isoformat() in exc.value.messages[0]
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.OPEN and evaluation.score is None
    assert evaluation.closed_early_reason == ""
    # Only a manager of the partner's department may override.
    with pytest.raises(PermissionDenied):
        services.evaluation_close(evaluation=evaluation, by=staff, early_reason="Supplier leaves in December")
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.OPEN


def test_a_manager_closes_early_with_a_written_reason_recorded_and_shown(client, staff, manager, supplier, template):
    evaluation = _current_period_evaluation(supplier, template, staff)
    url = reverse("evaluations:close", args=[evaluation.pk])
    client.force_login(manager)
    detail = client.get(reverse("evaluations:detail", args=[evaluation.pk])).content.decode()
    assert 'name="c-early"' in detail and 'name="c-early_reason"' in detail and 'id="period-not-ended"' in detail

    # Without the override: refused, the message next to the override checkbox, nothing closed.
    response = client.post(url, {})
    assert response.status_code == 200
    errors = response.context["close_form"].errors
    assert "early" in errors and "after its period has ended" in errors["early"][0]
    assert escape(errors["early"][0]) in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.OPEN

    # The override without a reason: refused next to the reason.
    response = client.post(url, {"c-early": "on", "c-early_reason": "  "})
    assert response.status_code == 200 and "early_reason" in response.context["close_form"].errors
    assert "Give the reason for closing before the period ends." in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.OPEN

    # With a reason: closed, the reason on the evaluation, in its history and on its page.
    reason = "The supplier's contract ends this month; the board reviews it next week."
    response = client.post(url, {"c-early": "on", "c-early_reason": reason})
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.CLOSED and evaluation.closed_early_reason == reason
    latest = evaluation.history.first()
    assert latest.closed_early_reason == reason and latest.history_user == manager
    page = client.get(reverse("evaluations:detail", args=[evaluation.pk])).content.decode()
    assert 'id="closed-early"' in page and escape(reason) in page


def test_staff_cannot_close_even_with_a_reason(client, staff, supplier, template):
    evaluation = _current_period_evaluation(supplier, template, staff)
    client.force_login(staff)
    response = client.post(
        reverse("evaluations:close", args=[evaluation.pk]), {"c-early": "on", "c-early_reason": "Because"}
    )
    assert response.status_code == 403
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.OPEN and evaluation.closed_early_reason == ""


def test_after_the_period_ends_a_close_needs_no_reason_and_records_none(client, staff, manager, supplier, template):
    evaluation = open_eval(supplier, template, [staff])  # Q2 2025: over
    score_and_submit(evaluation, staff, uniform_scores(template, 4))
    client.force_login(manager)
    assert 'name="c-early"' not in client.get(reverse("evaluations:detail", args=[evaluation.pk])).content.decode()
    client.post(reverse("evaluations:close", args=[evaluation.pk]), {"c-early": "on", "c-early_reason": "Not needed"})
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.CLOSED and evaluation.closed_early_reason == ""


def test_a_screening_rates_the_candidate_today_and_is_never_early(db, staff, manager, supplier):
    screening = make_template(purpose="screening")
    evaluation = _current_period_evaluation(supplier, screening, staff)
    assert evaluation.period_end >= timezone.localdate()
    assert services.evaluation_close(evaluation=evaluation, by=manager).status == Evaluation.Status.CLOSED


# --- 4. Expired certificates apart from expiring ones ----------------------------------------------


@pytest.fixture
def certificates(db, supplier):
    today = timezone.localdate()
    supplier.qualifications.create(doc_type="iso9001", number="OLD-9001", expires_on=today - dt.timedelta(days=120))
    supplier.qualifications.create(doc_type="iso14001", number="SOON-14001", expires_on=today + dt.timedelta(days=10))
    supplier.qualifications.create(doc_type="product_cert", number="TODAY-1", expires_on=today)
    supplier.qualifications.create(
        doc_type="production_permit", number="LATER-1", expires_on=today.replace(year=today.year + 2)
    )
    return supplier


def test_the_selector_decides_expired_and_expiring_apart(certificates):
    alerts = qualification_alerts(partner=certificates)
    assert [d.number for d in alerts.expired] == ["OLD-9001"]
    assert [d.number for d in alerts.expiring] == ["TODAY-1", "SOON-14001"]  # valid today, soonest first


def test_the_scorecard_lists_expired_certificates_apart_from_expiring(client, staff, certificates):
    client.force_login(staff)
    page = client.get(reverse("evaluations:scorecard", args=[certificates.pk])).content.decode()
    expired = re.search(r'id="expired-qualifications">(.*?)</ul>', page, re.S).group(1)
    expiring = re.search(r'id="expiring-qualifications">(.*?)</ul>', page, re.S).group(1)
    assert "OLD-9001" in expired and "SOON-14001" not in expired
    assert "SOON-14001" in expiring and "TODAY-1" in expiring and "OLD-9001" not in expiring
    assert "LATER-1" not in page


def test_the_partner_page_marks_each_certificate_expired_or_expiring(client, staff, certificates):
    client.force_login(staff)
    page = client.get(certificates.get_absolute_url()).content.decode()
    card = re.search(r'id="qualifications".*?</ul>', page, re.S).group(0)
    rows = {n: re.search(rf"{n}.*?</li>", card, re.S).group(0) for n in ("OLD-9001", "SOON-14001", "LATER-1")}
    assert "qualification-expired" in rows["OLD-9001"] and "qualification-expiring" not in rows["OLD-9001"]
    assert "qualification-expiring" in rows["SOON-14001"] and "qualification-expired" not in rows["SOON-14001"]
    assert "qualification-expir" not in rows["LATER-1"]


def test_the_reminder_of_an_expired_certificate_says_it_expired(certificates):
    old = QualificationDocument.objects.get(number="OLD-9001")
    soon = QualificationDocument.objects.get(number="SOON-14001")
    qualification_remind(document_id=old.pk)
    qualification_remind(document_id=soon.pk)
    titles = set(Notification.objects.values_list("title", flat=True))
    assert any("expired on" in t and "ISO 9001" in t for t in titles)
    assert any("expires on" in t and "ISO 14001" in t for t in titles)


# --- 5. The decision's corrective actions on the evaluation page, in a fixed number of queries ----


def _decide_with_actions(evaluation, manager, owners, n: int) -> None:
    services.decision_record(
        evaluation=evaluation,
        by=manager,
        outcome="adjust_terms",
        reason="Late deliveries",
        actions=[
            services.ActionData(
                description=f"Action number {i}", owner=owners[i % len(owners)], due_on=dt.date(2026, 1, 10 + i)
            )
            for i in range(n)
        ],
        re_evaluation_on=dt.date(2026, 3, 31),
    )


def test_the_evaluation_page_shows_each_action_with_state_owner_due_date_and_link(
    client, staff, manager, supplier, template
):
    evaluation = closed_eval(supplier, template, staff, manager, rating=2)
    _decide_with_actions(evaluation, manager, [staff], 1)
    action = CorrectiveAction.objects.get()
    client.force_login(manager)
    page = client.get(reverse("evaluations:detail", args=[evaluation.pk])).content.decode()
    row = re.search(r'id="plan-actions">(.*?)</ul>', page, re.S).group(1)
    assert f'href="{reverse("corrective_action_detail", args=[action.pk])}"' in row
    assert "Action number 0" in row and staff.get_full_name() in row and "2026-01-10" in row
    assert f'data-state="{CorrectiveAction.State.OPEN}"' in row


def test_the_evaluation_page_runs_the_same_queries_for_one_action_or_many(client, staff, manager, supplier, template):
    other = UserFactory(username="owner2", role="Staff", dept="procurement")
    one = closed_eval(supplier, template, staff, manager, rating=2)
    _decide_with_actions(one, manager, [staff], 1)
    many = closed_eval(supplier, template, staff, manager, rating=2, period=dt.date(2025, 8, 10))
    _decide_with_actions(many, manager, [staff, other], 6)
    client.force_login(manager)
    counts = []
    for evaluation in (one, many):
        client.get(reverse("evaluations:detail", args=[evaluation.pk]))  # warm the session and caches
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(reverse("evaluations:detail", args=[evaluation.pk])).content.decode()
        counts.append(len(ctx.captured_queries))
    assert page.count("Action number") == 6
    assert counts[0] == counts[1], counts
    assert counts[1] <= 30, counts
