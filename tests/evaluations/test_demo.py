"""seed_demo's scorecard history (evaluations/demo/): what the engine would have computed."""

from __future__ import annotations

import random
from collections import defaultdict
from io import StringIO

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from crm.selectors import actions_for_source
from evaluations import scoring, selectors, services
from evaluations.demo import HISTORY_PERIODS, periodic_template
from evaluations.models import (
    Consequence,
    CorrectiveActionPlan,
    CriterionScore,
    Decision,
    Evaluation,
    EvaluatorSheet,
    Incentive,
    PartnerScore,
)
from evaluations.services.evaluations import _freeze
from partners.models import Family, Partner, Status
from tests.evaluations.factories import uniform_scores

SCORE_FIELDS = [
    "overall_score",
    "overall_standing",
    "previous_overall_score",
    "latest_evaluation_id",
    "latest_score",
    "latest_standing",
    "rated_periods",
]


DEMO_SIZE = (40, 100)  # the module's demo (tests/conftest.py's demo_seeded), seeded once


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", partners=40, interactions=100, force=True, stdout=out)
    return out.getvalue()


def evaluated_suppliers():
    return Partner.objects.filter(family=Family.SUPPLIER, status__in=(Status.ACTIVE, Status.PROBATION))


def supplier_evaluations():
    """The supplier scorecards' history (the pipeline's prospects have partner assessments too)."""
    return Evaluation.objects.filter(template__family=Family.SUPPLIER)


def closed():
    return supplier_evaluations().filter(status=Evaluation.Status.CLOSED)


def test_active_suppliers_get_eight_quarters_of_closed_history_and_an_open_current_one(demo_seeded):
    output = demo_seeded
    template = periodic_template()
    suppliers = list(evaluated_suppliers())
    assert suppliers
    current, _end = scoring.period_for(timezone.localdate(), "quarterly")
    starts = sorted(set(closed().values_list("period_start", flat=True)))
    assert len(starts) >= HISTORY_PERIODS
    assert starts[-1] < current
    assert (current - starts[0]).days > 700  # two years back
    per_supplier = dict(closed().values_list("partner").annotate(n=Count("id")).order_by())
    for supplier in suppliers:
        # Eight closed quarters; a few have the last one still open (late).
        assert per_supplier[supplier.pk] in (HISTORY_PERIODS, HISTORY_PERIODS - 1)
        now_open = Evaluation.objects.get(partner=supplier, template=template, period_start=current)
        assert now_open.status == Evaluation.Status.OPEN
        evaluators = set(now_open.sheets.values_list("evaluator_id", flat=True))
        assert supplier.owner_id in evaluators
    # Only active/probation suppliers, and every open current evaluation waits for sheets.
    assert not supplier_evaluations().exclude(partner__in=suppliers).exists()
    assert EvaluatorSheet.objects.filter(evaluation__period_start=current, submitted_at__isnull=True).exists()
    assert not closed().filter(sheets__submitted_at__isnull=True).exists()
    assert not closed().filter(closed_at__gt=timezone.now()).exists()
    assert "evaluations" in output


def test_stored_results_are_what_the_engine_computes_from_the_sheets(demo_seeded):
    picked = random.Random(1).sample(list(closed().values_list("pk", flat=True)), 12)
    for evaluation in Evaluation.objects.filter(pk__in=picked).select_related("template"):
        criteria = list(evaluation.template.criteria.all())
        bands = [b.band() for b in evaluation.template.bands.all()]
        by_criterion = defaultdict(list)
        for s in CriterionScore.objects.filter(sheet__evaluation=evaluation).select_related("criterion"):
            given = scoring.ScoreInput(rating=s.rating, kpi_value=s.kpi_value, is_na=s.is_na)
            by_criterion[s.criterion_id].append(scoring.criterion_score(s.criterion.spec(), given))
        means = {c.pk: scoring.criterion_mean(by_criterion[c.pk]) for c in criteria}
        result = scoring.period_score(
            [(c.weight, means[c.pk]) for c in criteria], min_scored_weight=evaluation.template.min_scored_weight
        )
        assert evaluation.score == result.score
        assert evaluation.scored_weight == result.scored_weight
        assert evaluation.standing == scoring.standing_for(result.score, bands).code
        assert {row["key"]: row["mean"] for row in evaluation.snapshot["criteria"]} == {
            k: None if v is None else str(v) for k, v in means.items()
        }
        # The whole snapshot is the one evaluation_close would freeze from these sheets.
        sheets = list(evaluation.sheets.select_related("evaluator").order_by("pk"))
        evaluation.revision -= 1
        assert _freeze(evaluation, sheets) == evaluation.snapshot


def test_snapshot_has_the_shape_evaluation_close_produces(demo_seeded):
    current, _end = scoring.period_for(timezone.localdate(), "quarterly")
    evaluation = supplier_evaluations().filter(period_start=current).order_by("pk").first()
    for sheet in evaluation.sheets.select_related("evaluator"):
        if not sheet.is_submitted:
            services.sheet_save(sheet=sheet, by=sheet.evaluator, scores=uniform_scores(evaluation.template, 4))
            services.sheet_submit(sheet=sheet, by=sheet.evaluator)
    closed_now = services.evaluation_close(
        evaluation=evaluation, by=User.objects.get(username="admin"), early_reason="Checking the snapshot"
    )
    seeded = closed().exclude(pk=closed_now.pk).first().snapshot
    assert set(seeded) == set(closed_now.snapshot)
    assert set(seeded["criteria"][0]) == set(closed_now.snapshot["criteria"][0])
    assert set(seeded["criteria"][0]["inputs"][0]) == set(closed_now.snapshot["criteria"][0]["inputs"][0])


def test_partner_scores_are_what_partner_score_refresh_computes_and_the_ranking_shows_them(demo_seeded):
    template = periodic_template()
    before = {
        s.partner_id: [getattr(s, f) for f in SCORE_FIELDS] for s in PartnerScore.objects.filter(template=template)
    }
    per_period = dict(closed().values_list("pk", "overall_score"))
    assert set(before) == set(evaluated_suppliers().values_list("pk", flat=True))
    for partner_id in before:
        services.partner_score_refresh(partner_id=partner_id, template=template)
    after = {
        s.partner_id: [getattr(s, f) for f in SCORE_FIELDS] for s in PartnerScore.objects.filter(template=template)
    }
    assert after == before
    assert dict(closed().values_list("pk", "overall_score")) == per_period
    assert all(row[0] is not None and row[2] is not None for row in before.values())  # overall and movement

    rows = selectors.ranking(template=template)
    assert len(rows) == len(before)
    assert rows[0].overall_score >= rows[-1].overall_score
    assert sum(selectors.standing_distribution(template=template).values()) == len(before)
    assert selectors.biggest_movers(template=template)
    # The trend on the scorecard page: one point per closed quarter.
    partner = Partner.objects.get(pk=rows[0].partner_id)
    assert len(selectors.supplier_scorecard(partner=partner).trend) >= HISTORY_PERIODS - 1


def test_decisions_follow_the_rules_of_decision_record(demo_seeded):
    assert not closed().annotate(n=Count("decisions")).exclude(n=1).exists()
    manager = User.objects.get(username="manager")
    for decision in Decision.objects.select_related("evaluation__partner__department", "approver"):
        evaluation = decision.evaluation
        assert decision.revision == evaluation.revision == 1
        assert decision.decided_at >= evaluation.closed_at
        if evaluation.partner.department.code == "procurement":
            assert decision.approver == manager
        else:  # no manager in R&D or Quality: a superuser approves
            assert decision.approver.is_superuser
        consequence = evaluation.consequence
        if consequence in (Consequence.CORRECTIVE_ACTION, Consequence.PROBATION_OR_EXIT_REVIEW):
            assert decision.outcome in (Decision.Outcome.ADJUST_TERMS, Decision.Outcome.PROBATION)
            assert actions_for_source(CorrectiveActionPlan.objects.get(evaluation=evaluation)).count() in (1, 2)
        else:
            assert decision.outcome in (Decision.Outcome.CONTINUE, Decision.Outcome.REWARD)
            assert not CorrectiveActionPlan.objects.filter(evaluation=evaluation).exists()
        if decision.outcome == Decision.Outcome.REWARD:
            assert consequence == Consequence.INCENTIVE_ELIGIBLE
            assert evaluation.incentives.get().status == Incentive.Status.APPROVED
    assert not Incentive.objects.exclude(evaluation__standing="A").exists()
    # Active suppliers are not left on a probation decision (the partner status follows it).
    for score in PartnerScore.objects.filter(template__family=Family.SUPPLIER).select_related(
        "latest_evaluation", "partner"
    ):
        latest = score.latest_evaluation.decisions.get()
        if score.partner.status == Status.ACTIVE:
            assert latest.outcome != Decision.Outcome.PROBATION


def test_second_run_creates_no_evaluations(demo_seeded):
    models = [Evaluation, EvaluatorSheet, CriterionScore, Decision, CorrectiveActionPlan, Incentive, PartnerScore]
    before = {m.__name__: m.objects.count() for m in models} | {"history": Evaluation.history.count()}
    output = seed()
    assert {m.__name__: m.objects.count() for m in models} | {"history": Evaluation.history.count()} == before
    assert "0 evaluations" in output


def test_demo_manager_configures_scorecard_templates_in_admin(db, client, settings):
    from django.contrib.auth.models import User
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", partners=8, interactions=10, verbosity=0)
    manager = User.objects.get(username="manager")
    client.force_login(manager)
    assert client.get("/admin/evaluations/scorecardtemplate/").status_code == 200
    # The registry is edited in the app (department rules); the admin only shows it.
    from partners.models import Partner

    other = Partner.objects.exclude(department__code="procurement").first()
    assert client.get(f"/admin/partners/partner/{other.pk}/change/").status_code == 200
    response = client.post(f"/admin/partners/partner/{other.pk}/change/", {"name": "Hijacked"})
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.name != "Hijacked"
