"""seed_demo's partnership pipeline (partners/partnerships/demo.py, evaluations/demo/assessments.py):
prospects at every stage, assessed on the bilingual partner assessment scorecard (P4.3.1)."""

from __future__ import annotations

from collections import Counter

from django.utils import translation

from evaluations.models import Criterion, Evaluation, Purpose
from partners.models import Family, Partner, Status
from partners.partnerships.demo import PROSPECTS
from partners.partnerships.models import Partnership, Stage
from partners.partnerships.selectors import partner_stage, partnership_for
from tests.partnerships.assessing import assessment_template


def prospects() -> list[Partner]:
    return list(Partner.objects.filter(family=Family.PARTNER, name__in=[p.name for p in PROSPECTS]))


def test_seeds_prospects_at_every_stage_with_their_assessments_once(seed_demo):
    seed_demo(partners=20, interactions=60)
    seeded = prospects()
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

    before = (Partner.objects.count(), Evaluation.objects.count(), Partnership.history.count())
    seed_demo(partners=20, interactions=60)
    assert (Partner.objects.count(), Evaluation.objects.count(), Partnership.history.count()) == before


def test_the_assessment_scorecard_reads_in_both_languages(db):
    template = assessment_template()
    criteria = list(Criterion.objects.filter(template=template).order_by("order"))
    assert [c.name for c in criteria] == [
        "Industry position",
        "Technical strength",
        "Market channels",
        "Corporate culture",
    ]
    assert all(c.name_zh and c.description_zh and all(c.anchors_zh) for c in criteria)
    with translation.override("zh-hans"):
        assert template.display_name == "合作伙伴评估"
        assert [c.display_name for c in criteria] == ["行业地位", "技术实力", "市场渠道", "企业文化"]
    with translation.override("en"):
        assert template.display_name == "Partner assessment"
