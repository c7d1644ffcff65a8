"""Templates, opening, scoring, closing and amending evaluations (issue #3 §1, §3, §4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from evaluations import scoring, services
from evaluations.models import (
    CriterionScore,
    Evaluation,
    EvaluationAmendment,
    EvaluatorSheet,
    PartnerScore,
    ScorecardTemplate,
)
from tests.evaluations.factories import (
    CriterionData,
    closed_eval,
    criteria_of,
    kpi,
    make_template,
    manual,
    open_eval,
    score_and_submit,
    template_problems_of,
    uniform_scores,
)
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


# --- Templates ---------------------------------------------------------------------------


def test_template_weights_not_totalling_100_are_refused_and_nothing_saved():
    before = ScorecardTemplate.objects.count()
    with pytest.raises(ValidationError) as exc:
        make_template(criteria=[manual("Quality", 50), manual("Price", 45)])
    assert "Criterion weights must total 100; they total 95." in exc.value.messages
    assert ScorecardTemplate.objects.count() == before


def test_template_bands_with_gap_or_overlap_are_refused():
    gap = [scoring.Band("A", D(85), "Top", "incentive_eligible"), scoring.Band("B", D(40), "Low", "none")]
    with pytest.raises(ValidationError) as exc:
        make_template(bands=gap)
    assert any("must start at 0" in m for m in exc.value.messages)
    overlap = [
        scoring.Band("A", D(50), "Top", "incentive_eligible"),
        scoring.Band("B", D(50), "Mid", "none"),
        scoring.Band("D", D(0), "Low", "none"),
    ]
    with pytest.raises(ValidationError) as exc:
        make_template(bands=overlap)
    assert any("overlap" in m for m in exc.value.messages)


def test_template_manual_criterion_needs_all_five_anchors_and_kpi_a_range():
    bad_manual = CriterionData(name="Quality", weight=D(60), anchors=["a", "b", "", "d", "e"])
    bad_kpi = kpi("Defects", 40, 5, 5)
    with pytest.raises(ValidationError) as exc:
        make_template(criteria=[bad_manual, bad_kpi])
    text = " ".join(exc.value.messages)
    assert "Quality: describe what each level" in text
    assert "Defects: a KPI needs a minimum and a greater maximum" in text


def test_template_validate_reports_edits_that_break_the_weights(template):
    assert template_problems_of(template) == []
    price = criteria_of(template)["Price"]
    price.weight = D(10)
    price.save()
    assert any("they total 80" in problem for problem in template_problems_of(template))


def test_shipped_default_templates_are_valid():
    shipped = ScorecardTemplate.objects.filter(
        name__in=["Supplier screening", "Supplier periodic evaluation", "Partner assessment"]
    )
    assert {t.purpose for t in shipped} == {"screening", "periodic", "partner_assessment"}
    for template in shipped:
        assert template_problems_of(template) == []
        assert [b.code for b in template.bands.all()] == ["A", "B", "C", "D"]
    screening = shipped.get(purpose="screening")
    assert [c.name for c in screening.criteria.all()] == [
        "Qualifications",
        "Reputation",
        "Product quality",
        "Price",
        "Service level",
    ]


# --- Opening ---------------------------------------------------------------------------------


def test_open_is_idempotent_and_calendar_aligned(template, supplier, staff, quality_staff):
    first, created = services.evaluation_open(
        partner=supplier, template=template, period=dt.date(2025, 5, 10), evaluators=[staff, quality_staff]
    )
    again, created_again = services.evaluation_open(
        partner=supplier, template=template, period=dt.date(2025, 6, 30), evaluators=[staff, quality_staff]
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert (first.period_start, first.period_end) == (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    assert Evaluation.objects.filter(partner=supplier).count() == 1
    assert EvaluatorSheet.objects.filter(evaluation=first).count() == 2


def test_second_open_returns_the_existing_one_even_after_the_template_is_retired(template, supplier, staff):
    first = open_eval(supplier, template, [staff])
    template.is_active = False
    template.save()
    again, created = services.evaluation_open(
        partner=supplier, template=template, period=dt.date(2025, 4, 2), evaluators=[staff]
    )
    assert (again, created) == (first, False)
    with pytest.raises(ValidationError, match="retired"):
        open_eval(supplier, template, [staff], period=dt.date(2025, 8, 1))


def test_guard_and_database_refuse_a_rating_outside_1_to_5(template, supplier, staff):
    sheet = open_eval(supplier, template, [staff]).sheets.get()
    price = criteria_of(template)["Price"]
    with pytest.raises(ValidationError), transaction.atomic():  # the pre_save guard (crm/cleaning.py)
        CriterionScore.objects.create(sheet=sheet, criterion=price, rating=6)
    with pytest.raises(IntegrityError), transaction.atomic():
        CriterionScore.objects.create(sheet=sheet, criterion=price, rating=3, is_na=True)
    assert not CriterionScore.objects.exists()
    row = CriterionScore.objects.create(sheet=sheet, criterion=price, rating=3)
    with pytest.raises(IntegrityError), transaction.atomic():  # behind the guard's back
        CriterionScore.objects.filter(pk=row.pk).update(rating=6)
    row.refresh_from_db()
    assert row.rating == 3


def test_database_refuses_a_second_evaluation_for_the_same_period(template, supplier, staff):
    evaluation = open_eval(supplier, template, [staff])
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(
            partner=supplier,
            template=template,
            period_start=evaluation.period_start,
            period_end=evaluation.period_end,
            due_on=evaluation.due_on,
        )


def test_open_refuses_wrong_family_supervisors_as_evaluators_and_no_evaluators(template, staff, supervisor):
    customer = PartnerFactory(family="customer", owner=staff)
    with pytest.raises(ValidationError, match="another family"):
        open_eval(customer, template, [staff])
    supplier = PartnerFactory(owner=staff)
    with pytest.raises(ValidationError, match="cannot score"):
        open_eval(supplier, template, [supervisor])
    with pytest.raises(ValidationError, match="at least one evaluator"):
        open_eval(supplier, template, [])
    assert not Evaluation.objects.exists()


def test_staff_of_another_department_cannot_open(template, supplier, staff, staff_sales):
    with pytest.raises(PermissionDenied):
        open_eval(supplier, template, [staff], by=staff_sales)
    assert not Evaluation.objects.exists()


# --- Scoring sheets --------------------------------------------------------------------------


def test_sheet_save_refuses_out_of_range_and_wrong_kind_with_nothing_saved(template, supplier, staff):
    evaluation = open_eval(supplier, template, [staff])
    sheet = evaluation.sheets.get()
    c = criteria_of(template)
    bad = {
        c["Quality"].pk: services.ScoreData(rating=4),
        c["Price"].pk: services.ScoreData(rating=6),
        c["On-time"].pk: services.ScoreData(rating=3),
    }
    with pytest.raises(ValidationError) as exc:
        services.sheet_save(sheet=sheet, by=staff, scores=bad)
    assert "Price: the rating must be a whole number from 1 to 5." in exc.value.messages
    assert "On-time is a KPI: enter its value, not a rating." in exc.value.messages
    assert not CriterionScore.objects.exists()
    with pytest.raises(ValidationError, match="N/A is not allowed"):
        services.sheet_save(sheet=sheet, by=staff, scores={c["Price"].pk: services.ScoreData(is_na=True)})
    with pytest.raises(ValidationError, match="rating must be"):
        services.sheet_save(sheet=sheet, by=staff, scores={c["Price"].pk: services.ScoreData(rating=0)})


def test_sheet_save_updates_in_place_and_submit_locks(template, supplier, staff):
    evaluation = open_eval(supplier, template, [staff])
    sheet = evaluation.sheets.get()
    c = criteria_of(template)
    services.sheet_save(sheet=sheet, by=staff, scores={c["Price"].pk: services.ScoreData(rating=2)})
    with pytest.raises(ValidationError, match="Quality, On-time"):
        services.sheet_submit(sheet=sheet, by=staff)
    services.sheet_save(sheet=sheet, by=staff, scores=uniform_scores(template, 4))
    assert CriterionScore.objects.filter(sheet=sheet).count() == 3
    assert CriterionScore.objects.get(sheet=sheet, criterion=c["Price"]).rating == 4
    assert services.sheet_submit(sheet=sheet, by=staff) is True
    assert services.sheet_submit(sheet=sheet, by=staff) is False  # a double click does nothing
    with pytest.raises(ValidationError, match="locked"):
        services.sheet_save(sheet=sheet, by=staff, scores={c["Price"].pk: services.ScoreData(rating=1)})
    assert CriterionScore.objects.get(sheet=sheet, criterion=c["Price"]).rating == 4


def test_staff_cannot_score_a_sheet_not_assigned_to_them(template, supplier, staff, quality_staff, manager):
    evaluation = open_eval(supplier, template, [quality_staff])
    sheet = evaluation.sheets.get()
    for intruder in (staff, manager):
        with pytest.raises(PermissionDenied):
            services.sheet_save(sheet=sheet, by=intruder, scores=uniform_scores(template, 5))
        with pytest.raises(PermissionDenied):
            services.sheet_submit(sheet=sheet, by=intruder)
    assert not CriterionScore.objects.exists()


# --- Closing ---------------------------------------------------------------------------------


def test_close_refused_with_missing_sheets_names_who_is_missing(template, supplier, staff, quality_staff, manager):
    evaluation = open_eval(supplier, template, [staff, quality_staff])
    score_and_submit(evaluation, staff, uniform_scores(template, 4))
    with pytest.raises(ValidationError) as exc:
        services.evaluation_close(evaluation=evaluation, by=manager)
    assert exc.value.messages == ["Cannot close yet: waiting for the sheets of Quinn Evans."]
    evaluation.refresh_from_db()
    assert evaluation.status == "open" and evaluation.snapshot == {} and evaluation.score is None


def test_close_computes_means_across_evaluators_and_freezes_snapshot(template, supplier, staff, quality_staff, manager):
    evaluation = open_eval(supplier, template, [staff, quality_staff])
    c = criteria_of(template)
    score_and_submit(
        evaluation,
        staff,
        {
            c["Quality"].pk: services.ScoreData(rating=5, evidence="zero defects"),
            c["Price"].pk: services.ScoreData(rating=3),
            c["On-time"].pk: services.ScoreData(kpi_value=D(95)),
        },
    )
    score_and_submit(
        evaluation,
        quality_staff,
        {
            c["Quality"].pk: services.ScoreData(is_na=True),
            c["Price"].pk: services.ScoreData(rating=5),
            c["On-time"].pk: services.ScoreData(kpi_value=D(85)),
        },
    )
    services.evaluation_close(evaluation=evaluation, by=manager)
    evaluation.refresh_from_db()
    # Quality: mean(100, N/A) = 100; Price: mean(50, 100) = 75; On-time: mean(75, 25) = 50.
    # (50·100 + 30·75 + 20·50) / 100 = 82.50 → B
    assert evaluation.status == "closed" and evaluation.revision == 1
    assert evaluation.score == D("82.50") and evaluation.standing == "B" and not evaluation.is_not_rated
    assert evaluation.closed_by == manager and evaluation.closed_at is not None
    means = {row["name"]: row["mean"] for row in evaluation.snapshot["criteria"]}
    assert means == {"Quality": "100.00", "Price": "75.00", "On-time": "50.00"}
    quality = evaluation.snapshot["criteria"][0]
    assert quality["inputs"][0]["evidence"] == "zero defects"
    assert evaluation.snapshot["evaluators"] == [staff.get_full_name(), "Quinn Evans"]
    assert PartnerScore.objects.get(partner=supplier, template=template).overall_score == D("82.50")


def test_snapshot_unchanged_after_template_edit(template, supplier, staff, manager):
    evaluation = closed_eval(supplier, template, staff, manager, rating=4)
    frozen = dict(Evaluation.objects.get(pk=evaluation.pk).snapshot)
    price = criteria_of(template)["Price"]
    price.name, price.weight = "Cost", D(10)
    price.save()
    band = template.bands.get(code="A")
    band.lower_bound = D(90)
    band.save()
    template.min_scored_weight = D(99)
    template.save()
    evaluation.refresh_from_db()
    assert evaluation.snapshot == frozen
    assert [r["name"] for r in evaluation.snapshot["criteria"]] == ["Quality", "Price", "On-time"]
    assert evaluation.score == D("75.00")


def test_close_not_rated_when_too_little_weight_scored(supplier, staff, manager):
    template = make_template(criteria=[manual("Quality", 50, allow_na=True), manual("Price", 50)])
    evaluation = open_eval(supplier, template, [staff])
    c = criteria_of(template)
    score_and_submit(
        evaluation,
        staff,
        {c["Quality"].pk: services.ScoreData(is_na=True), c["Price"].pk: services.ScoreData(rating=5)},
    )
    services.evaluation_close(evaluation=evaluation, by=manager)
    evaluation.refresh_from_db()
    assert evaluation.is_not_rated and evaluation.score is None and evaluation.standing == ""
    assert evaluation.scored_weight == D("50.00")
    assert PartnerScore.objects.get(partner=supplier).overall_score is None


@pytest.mark.parametrize("who", ["staff", "manager_sales", "supervisor"])
def test_only_department_managers_close(request, template, supplier, staff, who):
    evaluation = open_eval(supplier, template, [staff])
    score_and_submit(evaluation, staff, uniform_scores(template, 4))
    with pytest.raises(PermissionDenied):
        services.evaluation_close(evaluation=evaluation, by=request.getfixturevalue(who))
    assert Evaluation.objects.get(pk=evaluation.pk).status == "open"


def test_superuser_may_close(template, supplier, staff, admin_user):
    evaluation = open_eval(supplier, template, [staff])
    score_and_submit(evaluation, staff, uniform_scores(template, 4))
    services.evaluation_close(evaluation=evaluation, by=admin_user)
    assert Evaluation.objects.get(pk=evaluation.pk).status == "closed"


def test_overall_is_recency_weighted_over_closed_periods(template, supplier, staff, manager):
    # Q1 rating 2 (25), Q2 rating 4 (75), Q3 rating 5 (100); N = 4 → weights 4, 3, 2 newest first.
    for day, rating in [(dt.date(2025, 2, 1), 2), (dt.date(2025, 5, 1), 4), (dt.date(2025, 8, 1), 5)]:
        closed_eval(supplier, template, staff, manager, rating=rating, period=day)
    score = PartnerScore.objects.get(partner=supplier, template=template)
    assert score.overall_score == D("75.00")  # (4·100 + 3·75 + 2·25) / 9
    assert score.overall_standing == "B"
    assert score.latest_score == D("100.00") and score.latest_standing == "A"
    assert score.previous_overall_score == D("53.57")  # as of Q2: (4·75 + 3·25) / 7
    assert score.rated_periods == 3
    trend = list(Evaluation.objects.filter(partner=supplier).order_by("period_start").values_list("overall_score"))
    assert trend == [(D("25.00"),), (D("53.57"),), (D("75.00"),)]


def test_closing_an_older_period_late_recomputes_the_later_overall(template, supplier, staff, manager):
    closed_eval(supplier, template, staff, manager, rating=5, period=dt.date(2025, 8, 1))
    assert PartnerScore.objects.get(partner=supplier).overall_score == D("100.00")
    closed_eval(supplier, template, staff, manager, rating=1, period=dt.date(2025, 5, 1))
    score = PartnerScore.objects.get(partner=supplier)
    assert score.latest_evaluation.period_start == dt.date(2025, 7, 1)
    assert score.overall_score == D("57.14")  # (4·100 + 3·0) / 7


# --- Amending --------------------------------------------------------------------------------


def test_amend_needs_a_reason_and_changes_nothing_without_one(template, supplier, staff, manager):
    evaluation = closed_eval(supplier, template, staff, manager, rating=4)
    with pytest.raises(ValidationError, match="Give a reason"):
        services.evaluation_amend(evaluation=evaluation, by=manager, reason="  ")
    evaluation.refresh_from_db()
    assert evaluation.status == "closed" and not EvaluationAmendment.objects.exists()
    assert evaluation.sheets.get().is_submitted


def test_amend_reopens_keeps_previous_snapshot_and_reclose_makes_a_new_revision(template, supplier, staff, manager):
    evaluation = closed_eval(supplier, template, staff, manager, rating=4)
    old_snapshot = Evaluation.objects.get(pk=evaluation.pk).snapshot
    amendment = services.evaluation_amend(evaluation=evaluation, by=manager, reason="Price was mis-keyed")
    evaluation.refresh_from_db()
    assert evaluation.status == "open"
    assert amendment.previous_snapshot == old_snapshot and amendment.previous_score == D("75.00")
    assert amendment.revision == 1 and amendment.reason == "Price was mis-keyed"
    sheet = evaluation.sheets.get()
    assert not sheet.is_submitted
    # While reopened it leaves the overall score.
    assert PartnerScore.objects.get(partner=supplier).overall_score is None
    c = criteria_of(template)
    services.sheet_save(sheet=sheet, by=staff, scores={c["Price"].pk: services.ScoreData(rating=5)})
    services.sheet_submit(sheet=sheet, by=staff)
    services.evaluation_close(evaluation=evaluation, by=manager)
    evaluation.refresh_from_db()
    assert evaluation.revision == 2 and evaluation.snapshot["revision"] == 2
    assert evaluation.score == D("82.50")  # (50·75 + 30·100 + 20·75) / 100
    assert evaluation.history.filter(status="closed").count() >= 2
    assert evaluation.history.filter(history_change_reason="Price was mis-keyed").exists()


def test_amend_is_for_managers_of_the_department_only(template, supplier, staff, manager, manager_sales, supervisor):
    evaluation = closed_eval(supplier, template, staff, manager, rating=4)
    for who in (staff, manager_sales, supervisor):
        with pytest.raises(PermissionDenied):
            services.evaluation_amend(evaluation=evaluation, by=who, reason="because")
    assert Evaluation.objects.get(pk=evaluation.pk).status == "closed"
