"""The bilingual partner assessment scorecard (P4.3.1). The demo's prospects at every stage
(partners/partnerships/demo.py) are tested in tests/test_demo_data.py."""

from __future__ import annotations

from django.utils import translation

from evaluations.models import Criterion
from tests.partnerships.assessing import assessment_template


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
