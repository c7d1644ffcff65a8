"""The pipeline's pages run a fixed number of queries whatever the data size (budget 15)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from partners.partnerships.models import Stage
from partners.partnerships.services import partnership_move
from partners.projects.services import project_create
from tests.factories import ContactFactory, InteractionFactory
from tests.partners.test_query_counts import BUDGET, count_queries
from tests.partnerships.assessing import assess, prospect


def grow(owner, manager, partner, n: int) -> None:
    """n more prospects at every stage, and more steps, contacts and interactions on ``partner``."""
    for i in range(n):
        assessed = prospect(owner)
        assess(assessed, owner, manager, rating=1 + i % 5)
        partnership_move(partner_id=assessed.pk, to_stage=Stage.ASSESSED, by=manager, note=f"Note {i}")
        if i % 2:
            partnership_move(partner_id=assessed.pk, to_stage=Stage.NEGOTIATING, by=manager)
        rejected = prospect(owner)
        partnership_move(partner_id=rejected.pk, to_stage=Stage.REJECTED, by=manager, reason=f"Reason {i}")
        prospect(owner)
        partnership_move(partner_id=partner.pk, to_stage=Stage.REJECTED, by=manager, reason=f"Round {i}")
        partnership_move(partner_id=partner.pk, to_stage=Stage.IDENTIFIED, by=manager, note=f"Again {i}")
        ContactFactory(partner=partner)
        interaction = InteractionFactory(partner=partner, author=owner)
        # A joint project (partners/projects): its card on the partner page adds no query.
        project = project_create(
            data={
                "title": f"Joint {i}",
                "kind": "joint",
                "owner": manager,
                "goal": "G",
                "starts_on": dt.date(2026, 1, 1),
            },
            partners=[partner],
            by=manager,
        )
        project.interactions.add(interaction)


PAGES = [
    ("partner page", lambda p: reverse("partners:detail", args=[p.pk])),
    ("partner history", lambda p: reverse("partners:history", args=[p.pk])),
    ("pipeline", lambda p: reverse("partnerships:pipeline")),
    ("pipeline filtered", lambda p: reverse("partnerships:pipeline") + "?stage=all&q=Partner&sort=-since"),
    ("pipeline rejected", lambda p: reverse("partnerships:pipeline") + "?stage=rejected"),
    ("move confirmation", lambda p: reverse("partnerships:move", args=[p.pk, Stage.ASSESSED])),
    ("reject confirmation", lambda p: reverse("partnerships:move", args=[p.pk, Stage.REJECTED])),
]


@pytest.mark.parametrize("assessed", [False, True], ids=["not assessed", "assessed"])
def test_pipeline_pages_query_counts_are_fixed(client, staff, manager, assessed):
    """Every page, counted with little data and again with more: the same count, within budget."""
    partner = prospect(staff, name="Counted Prospect")
    if assessed:
        assess(partner, staff, manager)
    client.force_login(manager)
    grow(staff, manager, partner, 2)
    small = {}
    for label, url_for in PAGES:
        client.get(url_for(partner))  # warm the caches a first page fills (standing labels)
        small[label] = count_queries(client, url_for(partner))
    grow(staff, manager, partner, 8)
    large = {label: count_queries(client, url_for(partner)) for label, url_for in PAGES}
    assert large == small, f"queries with little data {small}, with more {large}"
    assert max(large.values()) <= BUDGET, f"queries per page {large} (budget {BUDGET})"


def test_the_partner_page_is_within_budget_for_a_reader_in_chinese(
    client, staff, manager, django_assert_max_num_queries
):
    partner = prospect(staff)
    assess(partner, staff, manager)
    manager.profile.language = "zh-hans"
    manager.profile.save()
    client.force_login(manager)
    client.get(partner.get_absolute_url())
    with django_assert_max_num_queries(BUDGET):
        response = client.get(partner.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert "合作伙伴拓展流程" in body and "达到或高于通过分数线" in body
