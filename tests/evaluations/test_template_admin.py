"""Template configuration in the admin: rules that span rows are checked before saving."""

from __future__ import annotations

import pytest
from django.urls import reverse

from evaluations.models import Evaluation, ScorecardTemplate

pytestmark = pytest.mark.django_db

ANCHORS = {f"anchor_{i}": f"level {i}" for i in range(1, 6)}


def payload(weights: list[int], bounds: list[int]) -> dict:
    data = {
        "name": "Admin template",
        "purpose": "periodic",
        "family": "supplier",
        "tier": "",
        "cadence": "quarterly",
        "pass_threshold": "70",
        "min_scored_weight": "60",
        "recency_periods": "4",
        "description": "",
        "is_active": "on",
        "criteria-TOTAL_FORMS": str(len(weights)),
        "criteria-INITIAL_FORMS": "0",
        "bands-TOTAL_FORMS": str(len(bounds)),
        "bands-INITIAL_FORMS": "0",
    }
    for i, weight in enumerate(weights):
        data.update(
            {
                f"criteria-{i}-name": f"Criterion {i}",
                f"criteria-{i}-weight": str(weight),
                f"criteria-{i}-kind": "manual_1_5",
                f"criteria-{i}-order": str(i),
                f"criteria-{i}-kpi_higher_is_better": "on",
                **{f"criteria-{i}-{k}": v for k, v in ANCHORS.items()},
            }
        )
    for i, (code, bound) in enumerate(zip("ABCD", bounds, strict=False)):
        data.update(
            {
                f"bands-{i}-code": code,
                f"bands-{i}-label": code,
                f"bands-{i}-lower_bound": str(bound),
                f"bands-{i}-consequence": "none",
            }
        )
    return data


def test_admin_refuses_weights_not_totalling_100(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("admin:evaluations_scorecardtemplate_add"), payload([60, 30], [85, 70, 50, 0]))
    assert response.status_code == 200
    assert "Criterion weights must total 100; they total 90." in response.content.decode()
    assert not ScorecardTemplate.objects.filter(name="Admin template").exists()


def test_admin_refuses_bands_with_a_gap(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("admin:evaluations_scorecardtemplate_add"), payload([60, 40], [85, 70, 50]))
    assert response.status_code == 200
    assert "The lowest band must start at 0" in response.content.decode()
    assert not ScorecardTemplate.objects.filter(name="Admin template").exists()


def test_admin_saves_a_valid_template(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("admin:evaluations_scorecardtemplate_add"), payload([60, 40], [85, 70, 50, 0]))
    assert response.status_code == 302
    template = ScorecardTemplate.objects.get(name="Admin template")
    assert template.criteria.count() == 2 and template.bands.count() == 4


def test_admin_pages_render(client, admin_user):
    client.force_login(admin_user)
    template = ScorecardTemplate.objects.get(name="Supplier periodic evaluation")
    for url in (
        reverse("admin:evaluations_scorecardtemplate_changelist"),
        reverse("admin:evaluations_scorecardtemplate_change", args=[template.pk]),
        reverse("admin:evaluations_evaluation_changelist"),
        reverse("admin:evaluations_decision_changelist"),
        reverse("admin:evaluations_incentive_changelist"),
    ):
        assert client.get(url).status_code == 200, url
    assert not Evaluation.objects.exists()
