"""factory_boy factories for the test-suite."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from crm.models import Department, Profile
from partners.models import Contact, Family, FollowUp, Interaction, Partner, PartnerKind, Status


def department(code: str = "procurement") -> Department:
    # get_or_create: transactional (browser) tests flush the rows data migrations made.
    return Department.objects.get_or_create(code=code, defaults={"name": code.replace("-", " ").title()})[0]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw-for-tests-1")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])

    @factory.post_generation
    def dept(self, create, extracted, **kwargs):
        Profile.objects.update_or_create(
            user=self, defaults={"department": department(extracted) if extracted else None}
        )


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    family = Family.SUPPLIER
    kind = factory.LazyAttribute(
        lambda p: {
            "supplier": PartnerKind.MANUFACTURER,
            "customer": PartnerKind.COMPANY,
            "partner": PartnerKind.TECHNOLOGY,
            "association": PartnerKind.INDUSTRY_ASSOCIATION,
        }[p.family]
    )
    name = factory.Sequence(lambda n: f"Partner {n:05d}")
    status = Status.ACTIVE
    owner = factory.SubFactory(UserFactory, role="Staff", dept="procurement")
    department = factory.LazyFunction(lambda: department("procurement"))


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@partner.example")


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    partner = factory.SubFactory(PartnerFactory)
    kind = Interaction.Kind.MEETING
    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    subject = factory.Sequence(lambda n: f"Meeting {n}")
    author = factory.SelfAttribute("partner.owner")


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    partner = factory.SubFactory(PartnerFactory)
    description = factory.Sequence(lambda n: f"Send quote {n}")
    owner = factory.SelfAttribute("partner.owner")
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=3))


def registry_fillers(owner, *, names: str = "", contact_names: str = "", n: int = 3000) -> None:
    """``n`` filler partners, each with a contact and a tag, and the four tables' statistics
    (ANALYZE on PostgreSQL): with a handful of rows the planner rightly reads whole tables, and
    a test of which index serves a search would see no index at all."""
    from django.db import connection

    from partners.models import Tag

    fillers = Partner.objects.bulk_create(
        PartnerFactory.build(name=f"Filler partner {i} {names}".strip(), owner=owner) for i in range(n)
    )
    Contact.objects.bulk_create(
        ContactFactory.build(partner=fillers[i], name=f"Filler {i} {contact_names}".strip()) for i in range(n)
    )
    tags = Tag.objects.bulk_create(Tag(name=f"filler tag {i}") for i in range(n))
    Partner.tags.through.objects.bulk_create(Partner.tags.through(partner=fillers[i], tag=tags[i]) for i in range(n))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("partners_partner", "partners_contact", "partners_tag", "partners_partner_tags"):
                cursor.execute(f"ANALYZE {table}")


def attended_event(association, topic: str, day: dt.date, recorder, attendees, *, kind: str = "seminar"):
    """An association event (P4.4.1) on ``day`` that ``recorder`` recorded for their
    department and ``attendees`` of ours went to."""
    from partners.associations.models import AssociationEvent

    event = AssociationEvent.objects.create(
        association=association,
        kind=kind,
        topic=topic,
        purpose="policy",
        starts_on=day,
        recorded_by=recorder,
        department=recorder.profile.department,
    )
    event.attendees.set(attendees)
    return event


def ensure_reference_data() -> None:
    """Re-create what the data migrations made (roles, departments, templates, targets):
    transactional tests flush it on some databases."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Permission

    class MovedApps:
        """The data migrations name the apps the models lived in then (cases and surveys were
        in supervision): look a model up there, else in the app it moved to."""

        def get_model(self, app_label: str, model_name: str):
            try:
                return apps.get_model(app_label, model_name)
            except LookupError:
                for label in ("cases", "surveys", "customers", "suppliers"):
                    try:
                        return apps.get_model(label, model_name)
                    except LookupError:
                        continue
                raise

    moved = MovedApps()
    # In the order `migrate` runs them.
    importlib.import_module("crm.migrations.0002_departments").create(moved, None)
    importlib.import_module("crm.migrations.0013_department_name_zh").name_in_chinese(moved, None)
    importlib.import_module("partners.migrations.0005_customer_care").seed_holidays(moved, None)
    importlib.import_module("evaluations.migrations.0002_default_templates").create_templates(moved, None)
    importlib.import_module("evaluations.migrations.0007_scorecard_texts_zh").texts_in_chinese(moved, None)
    importlib.import_module("supervision.migrations.0002_default_templates").create(moved, None)
    importlib.import_module("evaluations.surveys.migrations.0006_association_template").create(moved, None)
    importlib.import_module("evaluations.surveys.migrations.0009_template_name_zh").name_in_chinese(moved, None)
    importlib.import_module("supervision.migrations.0004_default_sla_targets").create(moved, None)
    importlib.import_module("partners.cases.migrations.0007_default_intake_rule").create(moved, None)
    roles = importlib.import_module("partners.migrations.0002_roles")
    scorecards = importlib.import_module("evaluations.migrations.0002_default_templates")
    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0)
    evaluations = Permission.objects.filter(content_type__app_label="evaluations")
    for role in ("Staff", "Manager", "Supervision"):
        group, _created = Group.objects.get_or_create(name=role)
        granted = Permission.objects.filter(
            codename__in=roles.perms_for(role), content_type__app_label__in=["partners", "suppliers", "crm"]
        ) | evaluations.filter(codename__in=[f"view_{m}" for m in scorecards.READ_MODELS])
        if role == "Manager":
            granted |= evaluations.filter(
                codename__in=[f"{a}_{m}" for a in ("add", "change") for m in scorecards.MANAGER_CONFIG]
            )
        group.permissions.set(granted)
