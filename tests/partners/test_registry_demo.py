"""The registry's demo data (partners/demo/): partners of every family, contacts, interactions
and follow-ups, topped up to the target totals."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db.models import Count, Max, Q
from django.utils import timezone

from partners.models import Contact, Family, FollowUp, Interaction, Partner
from partners.partnerships.demo import PROSPECTS

# The partnership pipeline's seeder adds its prospects on top of the registry's totals.
PROSPECT_NAMES = [p.name for p in PROSPECTS]
DEMO_SIZE = (20, 60)  # every test here reads the one demo seeded for the module (tests/conftest.py)


def test_covers_all_families_with_kinds_owners_and_one_primary_contact(demo_seeded):
    assert Partner.objects.exclude(name__in=PROSPECT_NAMES).count() == 20
    families = dict(Partner.objects.values_list("family").annotate(n=Count("id")).order_by())
    assert set(families) == set(Family.values)
    assert families[Family.SUPPLIER] > families[Family.ASSOCIATION]
    for partner in Partner.objects.select_related("owner__profile"):
        assert partner.owner.profile.department_id == partner.department_id
    per_partner = Partner.objects.annotate(
        n=Count("contacts"), primaries=Count("contacts", filter=Q(contacts__is_primary=True))
    )
    assert all(1 <= p.n <= 3 and p.primaries == 1 for p in per_partner)
    assert Partner.history.exclude(name__in=PROSPECT_NAMES).count() == 20  # creation rows for the history page


def test_last_contacted_at_is_the_latest_interaction(demo_seeded):
    assert Interaction.objects.exclude(partner__name__in=PROSPECT_NAMES).count() == 60
    for partner in Partner.objects.annotate(latest=Max("interactions__occurred_at")):
        assert partner.last_contacted_at == partner.latest
    assert not Interaction.objects.filter(occurred_at__gt=timezone.now()).exists()
    for interaction in Interaction.objects.select_related("partner", "author__profile"):
        assert interaction.department_id == interaction.partner.department_id
        assert interaction.author.profile.department_id == interaction.department_id


def test_staff_dashboard_has_stale_partners_and_open_follow_ups(demo_seeded):
    staff = User.objects.get(username="staff")
    now, today = timezone.now(), timezone.localdate()
    suppliers = Partner.objects.filter(owner=staff, family=Family.SUPPLIER)
    assert suppliers.filter(last_contacted_at__lt=now - dt.timedelta(days=30)).exists()
    open_followups = FollowUp.objects.filter(owner=staff, done_at=None)
    assert open_followups.filter(due_on__range=(today, today + dt.timedelta(days=7))).count() >= 3
    assert open_followups.filter(due_on__lt=today).count() >= 2


def test_tops_up_to_the_target_totals_with_unique_names(demo_seeded, seed_demo):  # the demo at 20 / 60
    seed_demo(partners=35, interactions=100)
    assert Partner.objects.count() == 35
    assert Interaction.objects.count() == 100
    names = [(n.lower(), f) for n, f in Partner.objects.values_list("name", "family")]
    assert len(names) == len(set(names))


def test_demo_contacts_have_reserved_example_addresses(demo_seeded, seed_demo):
    seed_demo(partners=30, interactions=10)
    emails = list(Contact.objects.exclude(email="").values_list("email", flat=True))
    assert emails and all(e.endswith(".example") for e in emails)
