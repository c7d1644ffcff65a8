"""The customers app's demo data (partners/customers/demo.py): greetings, gifts, needs, campaigns."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils import timezone

from partners.customers.models import Campaign, Gift, GreetingTemplate, Holiday, Need


def test_seeds_customer_care_once(seed_demo):
    seed_demo(partners=60, interactions=60)
    assert GreetingTemplate.objects.count() == 2
    assert Gift.objects.count() >= 20 and Gift.objects.filter(status="pending").exists()
    # Every manager of a department with partners has one of its gifts waiting (issue #12).
    from django.contrib.auth.models import User

    from partners.models import Partner

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
    models = [GreetingTemplate, Gift, Need, Campaign, Need.tags.through]
    before = {m.__name__: m.objects.count() for m in models}
    seed_demo(partners=60, interactions=60)
    assert {m.__name__: m.objects.count() for m in models} == before
