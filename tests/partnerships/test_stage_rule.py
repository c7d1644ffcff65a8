"""The stage of a partner-family partner is decided once (``stage_of``) and the pipeline list's SQL
(``stage_expression``) says the same for every registry status and stored stage."""

from __future__ import annotations

import itertools

import pytest
from django.utils import timezone

from partners.models import Partner, Status
from partners.partnerships.models import Partnership, Stage, stage_expression, stage_of
from tests.partnerships.assessing import prospect

STORED = [None, *Stage.values]


@pytest.mark.django_db
def test_the_sql_and_the_python_rule_agree(staff):
    cases = {}
    for status, stored in itertools.product(Status.values, STORED):
        partner = prospect(staff, status=status)
        if stored is not None:
            Partnership.objects.create(partner=partner, stage=stored, rejection_reason="r", moved_at=timezone.now())
        cases[partner.pk] = stage_of(status=status, stored=stored)
    found = dict(Partner.objects.annotate(stage=stage_expression()).values_list("pk", "stage"))
    assert found == cases


def test_a_candidate_is_a_prospect_and_a_relationship_is_active():
    assert stage_of(status=Status.CANDIDATE, stored=None) == Stage.IDENTIFIED
    assert stage_of(status=Status.CANDIDATE, stored=Stage.NEGOTIATING) == Stage.NEGOTIATING
    # A rejected or ended relationship that the registry restarts as a candidate starts again.
    assert stage_of(status=Status.CANDIDATE, stored=Stage.REJECTED) == Stage.IDENTIFIED
    assert stage_of(status=Status.CANDIDATE, stored=Stage.ACTIVE) == Stage.IDENTIFIED
    for status in (Status.ACTIVE, Status.PROBATION, Status.SUSPENDED):
        assert stage_of(status=status, stored=None) == Stage.ACTIVE
    assert stage_of(status=Status.TERMINATED, stored=Stage.REJECTED) == Stage.REJECTED
    assert stage_of(status=Status.TERMINATED, stored=Stage.ACTIVE) is None  # an ended relationship
