"""seed_evaluations on a registry of its own: a supplier's history starts at its registration.
(Apart from tests/evaluations/test_demo.py, whose tests share one seeded demo.)"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from evaluations.demo import HISTORY_PERIODS, seed_evaluations
from evaluations.models import Decision, Evaluation, PartnerScore
from partners.models import Partner
from tests.factories import PartnerFactory


def test_since_registration_starts_at_the_supplier_registration(db, staff, manager):
    today = timezone.localdate()
    old, new = PartnerFactory(owner=staff), PartnerFactory(owner=staff)
    Partner.objects.filter(pk=new.pk).update(created_at=timezone.now() - dt.timedelta(days=200))
    Partner.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=1500))
    counts = seed_evaluations(rng=random.Random(5), today=today, since_registration=True)
    assert counts["evaluations"] == Evaluation.objects.count()
    registered = (timezone.localtime() - dt.timedelta(days=200)).date()
    first_new = Evaluation.objects.filter(partner=new).order_by("period_start").first()
    assert first_new.period_start <= registered <= first_new.period_end
    assert Evaluation.objects.filter(partner=old).count() == HISTORY_PERIODS + 1
    assert Decision.objects.filter(evaluation__partner=old, approver=manager).count() >= HISTORY_PERIODS - 1
    assert PartnerScore.objects.get(partner=new).overall_score > Decimal(0)
