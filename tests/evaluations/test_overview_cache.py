"""Issue #15 §3: the scorecard overview's ranking, standings and movers are the same for every
viewer of the same filters: read once and kept in the shared cache, until a score, an
evaluation, an incentive, a partner or a department changes (evaluations.selectors.
overview_figures); what is each user's own (sheets to score, what awaits them) is read afresh."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations import services
from evaluations.models import PartnerScore
from tests.conftest import login
from tests.evaluations.factories import closed_eval, make_template
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def _overview(client, template) -> tuple[list[str], str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("evaluations:overview"), {"template": template.pk})
    assert response.status_code == 200
    return [r.name for r in response.context["rows"]], " ".join(q["sql"] for q in ctx.captured_queries)


def test_the_ranking_is_read_once_and_again_after_any_change(client, staff, manager, manager_sales):
    template = make_template()
    alpha = PartnerFactory(name="Alpha Steel", owner=staff)
    closed_eval(alpha, template, staff, manager, rating=5)
    login(client, manager)
    names, sql = _overview(client, template)
    assert names == ["Alpha Steel"] and '"evaluations_partnerscore"' in sql
    names, sql = _overview(client, template)
    assert names == ["Alpha Steel"]
    assert '"evaluations_partnerscore"' not in sql and '"evaluations_incentive"' not in sql  # kept
    assert 'FROM "evaluations_evaluatorsheet"' in sql  # my sheets to score: mine, read afresh

    # A close (a new score) shows at once, to every viewer.
    beta = PartnerFactory(name="Beta Bolts", owner=staff)
    evaluation = closed_eval(beta, template, staff, manager, rating=5, period=dt.date(2025, 8, 10))
    assert _overview(client, template)[0] == ["Alpha Steel", "Beta Bolts"]
    login(client, manager_sales)
    assert _overview(client, template)[0] == ["Alpha Steel", "Beta Bolts"]

    # So does a renamed partner, and an approved incentive.
    beta.name = "Aardvark Bolts"
    beta.save()
    login(client, manager)
    assert _overview(client, template)[0] == ["Aardvark Bolts", "Alpha Steel"]
    today = timezone.localdate()
    incentive = services.incentive_propose(
        evaluation=evaluation, by=manager, kind="order_priority", starts_on=today, ends_on=today + dt.timedelta(days=30)
    )
    services.incentive_approve(incentive=incentive, by=manager)
    response = client.get(reverse("evaluations:overview"), {"template": template.pk})
    assert response.context["rows"][0].incentives == [incentive.get_kind_display()]

    # A write that sends no signal is seen within the minute the figures are kept.
    PartnerScore.objects.filter(partner=alpha).update(overall_score=None)
    assert _overview(client, template)[0] == ["Aardvark Bolts", "Alpha Steel"]
