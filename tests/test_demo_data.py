"""What ``seed_demo`` holds, app by app: one demo seeded once for this module (not once or
twice per app's test, which cost the suite about 20 seeds), read by each test; each test's
own writes are undone after it. The last test runs the seeding again: nothing is added.

The demo's size-dependent behaviour (topping up to the targets, the registry's families and
scorecard history) is tested in tests/partners/test_registry_demo.py,
tests/evaluations/test_demo.py and tests/crm/test_seed_demo.py, at their own sizes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db.models import Count, F
from django.test import TestCase
from django.utils import timezone

from evaluations.models import Evaluation, Purpose
from evaluations.surveys.models import Survey, SurveyInvitation, SurveyResponse
from evaluations.surveys.periods import quarter_of
from partners.agreements.models import Agreement, AgreementDocument, ExecutionReview, Obligation
from partners.cases.models import Case
from partners.customers.models import Campaign, Gift, GreetingTemplate, Holiday, Need
from partners.models import Family, Partner, Status
from partners.partnerships.demo import PROSPECTS
from partners.partnerships.models import Partnership, Stage
from partners.partnerships.selectors import partner_stage, partnership_for
from partners.projects.models import Milestone, Project
from partners.suppliers.models import QualificationDocument
from supervision import report_exports
from supervision.models import AnnualReport
from tests.conftest import run_seed_demo
from tests.shared_rows import module_rows

DEMO_SIZE = (60, 80)


@pytest.fixture(scope="module")
def _demo_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """tests/conftest.py's, but the tasks enqueued on commit run as the seeding commits (the
    annual report's files are made by the task its publication enqueues)."""
    media = tmp_path_factory.mktemp("demo-media")
    with module_rows(django_db_blocker, media):
        with TestCase.captureOnCommitCallbacks(execute=True):
            output = run_seed_demo(*DEMO_SIZE)
        yield output, media


def test_history_emails_nobody(demo_seeded):
    from crm.models import OutboundEmail

    assert not OutboundEmail.objects.filter(kind__in=["case_reply", "survey_invitation", "campaign"]).exists()


def test_corrective_actions_in_every_state(demo_seeded):
    """Open, overdue, awaiting verification and verified (by the supervision group), both
    languages' texts, raised by scorecard plans and supervision findings."""
    from crm.models import CorrectiveAction, corrective_action_overdue_q

    actions = CorrectiveAction.objects.select_related("verified_by", "source_type")
    states = set(actions.values_list("state", flat=True))
    assert {"open", "responded", "verified"} <= states
    assert actions.filter(corrective_action_overdue_q(timezone.localdate())).exists()
    assert actions.filter(state="open", due_on__gte=timezone.localdate()).exists()
    for action in actions.filter(state="verified"):
        assert action.verified_by.groups.filter(name="Supervision").exists()
        assert action.verified_by_id != action.owner_id and action.response
    # Raised by scorecard plans and, since issue #11, by supervision findings and the
    # published annual report's improvement plan.
    assert {a.source_type.model for a in actions} == {"correctiveactionplan", "finding", "reportplanitem"}


def test_a_year_of_cases_on_time_and_late(demo_seeded):
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"closed", "in_progress"} <= statuses
    assert Case.objects.filter(resolved_at__lte=F("resolution_due_at")).exists()
    assert Case.objects.filter(resolved_at__gt=F("resolution_due_at")).exists()


def test_agreements_have_every_part(demo_seeded):
    counts = [m.objects.count() for m in (Agreement, AgreementDocument, ExecutionReview, Obligation)]
    assert all(counts), counts
    # Obligations of ours are their owners' follow-ups.
    assert not Obligation.objects.filter(party="ours", followup__isnull=True).exists()
    assert AgreementDocument.objects.first().file.open("rb").read(5) == b"%PDF-"


def test_customer_care(demo_seeded):
    assert GreetingTemplate.objects.count() == 2
    assert Gift.objects.count() >= 20 and Gift.objects.filter(status="pending").exists()
    # Every manager of a department with partners has one of its gifts waiting (issue #12).
    for manager in User.objects.filter(groups__name="Manager").select_related("profile"):
        if not Partner.objects.filter(department=manager.profile.department).exists():
            continue
        waiting = Gift.objects.filter(status="pending", partner__department=manager.profile.department)
        assert waiting.exclude(recorded_by=manager).exists(), manager.username
    assert not Gift.objects.filter(decided_by=F("recorded_by")).exists()  # P3.1: nobody approves their own
    assert Need.objects.filter(recorded_at__lt=timezone.now() - dt.timedelta(days=600)).exists()
    assert Need.tags.through.objects.count() >= Need.objects.count()
    assert set(Campaign.objects.values_list("status", flat=True)) == {"sent", "draft"}
    assert Holiday.objects.filter(date__year=2027).count() == 3


def test_prospects_at_every_stage_with_their_assessments(demo_seeded):
    """The partnership pipeline (P4.3.1), assessed on the bilingual partner assessment scorecard."""
    seeded = list(Partner.objects.filter(family=Family.PARTNER, name__in=[p.name for p in PROSPECTS]))
    assert len(seeded) == len(PROSPECTS)
    stages = Counter(partner_stage(p, partnership_for(p)) for p in seeded)
    assert stages == Counter(p.stage for p in PROSPECTS)
    assert set(stages) == set(Stage.values)

    assessments = Evaluation.objects.filter(template__purpose=Purpose.PARTNER_ASSESSMENT, partner__in=seeded)
    closed = assessments.filter(status=Evaluation.Status.CLOSED)
    assert closed.count() == sum(1 for p in PROSPECTS if p.ratings and not p.assessment_open)
    assert assessments.filter(status=Evaluation.Status.OPEN).count() == 1  # one in progress
    # Every prospect past "identified" was assessed first; the gate held for each move.
    for partner in seeded:
        row = partnership_for(partner)
        if row is not None and row.stage in (Stage.ASSESSED, Stage.NEGOTIATING, Stage.ACTIVE):
            assert closed.filter(partner=partner).exists(), partner.name
            assert closed.get(partner=partner).closed_at < row.moved_at
    # The registry status follows the pipeline; a rejection keeps its reason.
    by_name = {p.name: p for p in seeded}
    for spec in PROSPECTS:
        partner = by_name[spec.name]
        expected = {Stage.ACTIVE: Status.ACTIVE, Stage.REJECTED: Status.TERMINATED}.get(spec.stage, Status.CANDIDATE)
        assert partner.status == expected, spec.name
        if spec.stage == Stage.REJECTED:
            assert Partnership.objects.get(partner=partner).rejection_reason == spec.reason
        assert partner.contacts.filter(is_primary=True).count() == 1
        assert partner.interactions.exists()
    # Each move is a step of the history, dated in the past in order.
    meridian = by_name["Meridian Data Alliance Inc."]
    steps = list(Partnership.history.filter(partner_id=meridian.pk).order_by("history_date"))
    assert [s.stage for s in steps] == [Stage.IDENTIFIED, Stage.ASSESSED, Stage.NEGOTIATING]
    assert steps[-1].note.startswith("Term sheet")


def test_projects_of_both_families_with_milestones_done_due_and_overdue(demo_seeded):
    assert Project.objects.exists() and Milestone.objects.exists()
    assert set(Project.objects.values_list("partners__family", flat=True)) == {"partner", "association"}
    today = timezone.localdate()
    assert Milestone.objects.filter(done_on__isnull=False).exists()
    assert Milestone.objects.filter(done_on__isnull=True, due_on__lt=today).exists()
    assert Milestone.objects.filter(done_on__isnull=True, due_on__gte=today).exists()


def test_last_years_report_published_and_this_years_in_draft(demo_seeded, client):
    """Issue #11 §5: last year's published with its files, this year's in draft."""
    year = timezone.localdate().year
    last = AnnualReport.objects.get(year=year - 1)
    current = AnnualReport.objects.get(year=year)
    assert AnnualReport.objects.count() == 2
    assert current.state == AnnualReport.State.DRAFT and current.generation == AnnualReport.Generation.DONE
    assert last.items.count() == 2 and last.summary and last.summary_zh
    if report_exports.pdf_unavailable():
        assert last.state == AnnualReport.State.REVIEW
    else:
        assert last.state == AnnualReport.State.PUBLISHED
        assert last.pdf_en and last.pdf_zh and last.xlsx
        assert all(item.action_id for item in last.items.all())
        client.force_login(User.objects.get(username="manager"))
        assert client.get(last.get_absolute_url()).status_code == 200


def test_only_suppliers_get_qualification_documents(demo_seeded):
    assert QualificationDocument.objects.exists()
    assert not QualificationDocument.objects.exclude(partner__family=Family.SUPPLIER).exists()


def test_two_years_of_quarterly_survey_responses(demo_seeded):
    periods = SurveyResponse.objects.values("family").annotate(n=Count("period_start", distinct=True))
    assert {row["family"]: row["n"] for row in periods} == {
        "supplier": 8,
        "customer": 8,
        "partner": 8,
        "association": 8,
    }
    # Every survey is about a real quarter, the last one this quarter; invitations and
    # responses are about their survey's quarter.
    surveys = list(Survey.objects.filter(after_case=False))
    assert {s.period_kind for s in surveys} == {"quarter"}
    assert max(s.period for s in surveys) == quarter_of(timezone.localdate())
    for model in (SurveyInvitation, SurveyResponse):
        rows = model.objects.values_list("period_kind", "period_start", "period_end", "survey__period_start")
        assert all(kind == "quarter" and start == survey_start for kind, start, _end, survey_start in rows)
    # A title in each language: "Association satisfaction 2025-Q1", "行业协会满意度 2025年第一季度".
    association = Survey.objects.filter(family="association").order_by("period_start").last()
    period = association.period
    zh_quarter = "一二三四"[period.quarter - 1]
    assert association.title == f"Association satisfaction {period.label}"
    assert association.title_zh == f"行业协会满意度 {period.year}年第{zh_quarter}季度"


def test_a_second_run_adds_nothing_anywhere_and_keeps_passwords(demo_seeded):
    """Every table, history included, holds as many rows after seeding again."""

    def counts() -> dict[str, int]:
        return {m._meta.label: m._base_manager.count() for m in apps.get_models(include_auto_created=True)}

    before = counts()
    passwords = dict(User.objects.values_list("username", "password"))
    output = run_seed_demo(*DEMO_SIZE)
    after = counts()
    assert {k: (before[k], v) for k, v in after.items() if v != before[k]} == {}
    assert dict(User.objects.values_list("username", "password")) == passwords
    assert "0 users" in output and "0 partners" in output and "0 interactions" in output
    assert "Demo logins" not in output
