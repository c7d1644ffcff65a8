"""seed_demo: demo users, data across families, and idempotent top-ups."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from partners.models import Contact, Family, FollowUp, Interaction, Partner
from partners.suppliers.models import QualificationDocument

DEMO_ROLES = {
    "staff": ("Staff", "procurement"),
    "staff2": ("Staff", "sales"),
    "manager": ("Manager", "procurement"),
    "supervisor": ("Supervision", "general-office"),
}


def seed(partners: int = 20, interactions: int = 60) -> str:
    out = StringIO()
    # pytest-django runs with DEBUG=False, which the command refuses without --force.
    call_command("seed_demo", "--partners", partners, "--interactions", interactions, "--force", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [User, Partner, Contact, QualificationDocument, Interaction, FollowUp, Partner.tags.through]
    return {m.__name__: m.objects.count() for m in models} | {"history": Partner.history.count()}


def test_creates_demo_users_with_roles_departments_and_password(db, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "s3cret-demo")
    seed()
    for username, (role, dept) in DEMO_ROLES.items():
        user = User.objects.select_related("profile__department").get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.profile.department.code == dept
        assert user.first_name and user.last_name
        assert user.check_password("s3cret-demo")
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password("s3cret-demo")
    # Extra colleagues so owners vary, e.g. a Sales manager.
    assert User.objects.filter(username="manager2", groups__name="Manager", profile__department__code="sales").exists()


def test_covers_all_families_with_kinds_owners_and_one_primary_contact(db):
    seed()
    assert Partner.objects.count() == 20
    families = dict(Partner.objects.values_list("family").annotate(n=Count("id")).order_by())
    assert set(families) == set(Family.values)
    assert families[Family.SUPPLIER] > families[Family.ASSOCIATION]
    for partner in Partner.objects.select_related("owner__profile"):
        assert partner.owner.profile.department_id == partner.department_id
    per_partner = Partner.objects.annotate(
        n=Count("contacts"), primaries=Count("contacts", filter=Q(contacts__is_primary=True))
    )
    assert all(1 <= p.n <= 3 and p.primaries == 1 for p in per_partner)
    assert not QualificationDocument.objects.exclude(partner__family=Family.SUPPLIER).exists()
    assert QualificationDocument.objects.exists()
    assert Partner.history.count() == 20  # creation rows for the history page


def test_last_contacted_at_is_the_latest_interaction(db):
    seed()
    assert Interaction.objects.count() == 60
    for partner in Partner.objects.annotate(latest=Max("interactions__occurred_at")):
        assert partner.last_contacted_at == partner.latest
    assert not Interaction.objects.filter(occurred_at__gt=timezone.now()).exists()
    for interaction in Interaction.objects.select_related("partner", "author__profile"):
        assert interaction.department_id == interaction.partner.department_id
        assert interaction.author.profile.department_id == interaction.department_id


def test_staff_dashboard_has_stale_partners_and_open_follow_ups(db):
    seed()
    staff = User.objects.get(username="staff")
    now, today = timezone.now(), timezone.localdate()
    suppliers = Partner.objects.filter(owner=staff, family=Family.SUPPLIER)
    assert suppliers.filter(last_contacted_at__lt=now - dt.timedelta(days=30)).exists()
    open_followups = FollowUp.objects.filter(owner=staff, done_at=None)
    assert open_followups.filter(due_on__range=(today, today + dt.timedelta(days=7))).count() >= 3
    assert open_followups.filter(due_on__lt=today).count() >= 2


def test_second_run_creates_nothing_and_keeps_passwords(db):
    seed()
    before = counts()
    passwords = dict(User.objects.values_list("username", "password"))
    output = seed()
    assert counts() == before
    assert dict(User.objects.values_list("username", "password")) == passwords
    assert "0 partners" in output and "0 interactions" in output


def test_existing_users_are_left_untouched(db, staff):
    staff.set_password("my-own-password")
    staff.save()
    seed()
    staff.refresh_from_db()
    assert staff.check_password("my-own-password")
    assert list(staff.groups.values_list("name", flat=True)) == ["Staff"]


def test_tops_up_to_the_target_totals_with_unique_names(db):
    seed(partners=20, interactions=60)
    seed(partners=35, interactions=100)
    assert Partner.objects.count() == 35
    assert Interaction.objects.count() == 100
    names = [(n.lower(), f) for n, f in Partner.objects.values_list("name", "family")]
    assert len(names) == len(set(names))


def test_refuses_to_run_when_debug_is_off_without_force(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=False"):
        call_command("seed_demo", "--partners", 1, "--interactions", 1, stdout=StringIO())
    assert not Partner.objects.exists()


def test_seeds_two_years_of_survey_responses_and_a_year_of_cases(db):
    from evaluations.surveys.models import SurveyResponse
    from partners.cases.models import Case

    seed(partners=40, interactions=40)
    periods = SurveyResponse.objects.values("family").annotate(n=Count("period", distinct=True))
    assert {row["family"]: row["n"] for row in periods} == {"supplier": 8, "customer": 8, "partner": 8}
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"closed", "in_progress"} <= statuses
    assert Case.objects.filter(resolved_at__lte=F("resolution_due_at")).exists()
    assert Case.objects.filter(resolved_at__gt=F("resolution_due_at")).exists()
    before = (SurveyResponse.objects.count(), Case.objects.count())
    seed(partners=40, interactions=40)
    assert (SurveyResponse.objects.count(), Case.objects.count()) == before


def test_seeds_customer_care_once(db):
    from partners.customers.models import Campaign, Gift, GreetingTemplate, Holiday, Need

    seed(partners=60, interactions=60)
    assert GreetingTemplate.objects.count() == 2
    assert Gift.objects.count() == 20 and Gift.objects.filter(status="pending").exists()
    assert not Gift.objects.filter(decided_by=F("recorded_by")).exists()  # P3.1: nobody approves their own
    assert Need.objects.filter(recorded_at__lt=timezone.now() - dt.timedelta(days=600)).exists()
    assert Need.tags.through.objects.count() >= Need.objects.count()
    assert set(Campaign.objects.values_list("status", flat=True)) == {"sent", "draft"}
    assert Holiday.objects.filter(date__year=2027).count() == 3
    models = [GreetingTemplate, Gift, Need, Campaign, Need.tags.through]
    before = {m.__name__: m.objects.count() for m in models}
    seed(partners=60, interactions=60)
    assert {m.__name__: m.objects.count() for m in models} == before


def test_demo_history_emails_nobody(db):
    from crm.models import OutboundEmail

    seed(partners=40, interactions=40)
    assert not OutboundEmail.objects.filter(kind__in=["case_reply", "survey_invitation", "campaign"]).exists()


def test_demo_contacts_have_reserved_example_addresses(db):
    seed(partners=30, interactions=10)
    emails = list(Contact.objects.exclude(email="").values_list("email", flat=True))
    assert emails and all(e.endswith(".example") for e in emails)
