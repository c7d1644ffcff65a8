"""Issue #15 §3: the scorecard overview's ranking, standings and movers are the same for every
viewer of the same filters: read once and kept in the shared cache, until a score, an
evaluation, an incentive, a partner or a department changes (evaluations.selectors.
overview_figures); what is each user's own (sheets to score, what awaits them) is read afresh."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations import selectors, services
from evaluations.models import PartnerScore, StandingBand
from tests.conftest import login
from tests.evaluations.factories import closed_eval, make_template
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def _ranking_html(client, template) -> str:
    response = client.get(reverse("evaluations:overview"), {"template": template.pk})
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index('id="ranking"') : page.index("</table>", page.index('id="ranking"'))]


def _overview(client, template) -> tuple[list[str], str]:
    """The ranking's names as the page shows them (its fragment may come from the cache), and
    the SQL the page ran."""
    with CaptureQueriesContext(connection) as ctx:
        ranking = _ranking_html(client, template)
    return re.findall(r'<td><a href="[^"]+">([^<]+)</a></td>', ranking), " ".join(
        q["sql"] for q in ctx.captured_queries
    )


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
    assert f'<span class="badge text-bg-success">{incentive.get_kind_display()}</span>' in _ranking_html(
        client, template
    )

    # A write that sends no signal is seen within the minute the figures are kept.
    PartnerScore.objects.filter(partner=alpha).update(overall_score=None)
    assert _overview(client, template)[0] == ["Aardvark Bolts", "Alpha Steel"]


def test_a_renamed_standing_shows_at_once_on_the_kept_ranking(client, staff, manager):
    """The ranking and the standings are rendered once per change of the figures: a band's new
    label is such a change (StandingBand is one of the overview's sources)."""
    template = make_template()
    alpha = PartnerFactory(name="Alpha Steel", owner=staff)
    closed_eval(alpha, template, staff, manager, rating=5)
    login(client, manager)
    label = selectors.standing_labels()["A"][0]
    assert f'<span class="badge standing standing-A" title="{label}">A</span>' in _ranking_html(client, template)
    for band in StandingBand.objects.filter(code="A"):  # whichever template the label is read from
        band.label = "Gold partner"
        band.save()
    assert '<span class="badge standing standing-A" title="Gold partner">A</span>' in _ranking_html(client, template)
    page = client.get(reverse("evaluations:overview"), {"template": template.pk}).content.decode()
    assert '<span class="standing-label fs-6 text-body-secondary">Gold partner</span>' in page  # the standings
