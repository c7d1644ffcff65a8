"""A database made before the apps moved (issue #9 §3) migrates forward with nothing lost.

Cases and surveys left ``supervision``, customer care and qualification documents left
``partners``. django-test-migrations migrates an empty test database back to the last
migrations before the move, rows are written there with the models as they were, and after
migrating forward every row, relation, history row, many-to-many link and granted permission
is found under the new apps. Run on SQLite by ``make test`` and on PostgreSQL by CI.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

BEFORE = [
    ("crm", "0007_outbound_email_headers"),
    ("partners", "0005_customer_care"),
    ("evaluations", "0002_default_templates"),
    ("supervision", "0006_response_case_index"),
]
AFTER = [
    ("suppliers", "0002_take_over_tables"),
    ("customers", "0002_take_over_tables"),
    ("cases", "0003_take_over_tables"),
    ("surveys", "0002_take_over_tables"),
]
NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def _history(apps, label: str, obj, user, **extra):
    """One history row for ``obj``, as django-simple-history writes it."""
    model = apps.get_model(label)
    fields = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname != "updated_at"}
    fields.pop("id")
    return model.objects.create(
        id=obj.pk, history_date=NOW, history_type="+", history_user_id=user.pk, **fields, **extra
    )


def _seed_before(apps) -> dict:
    User = apps.get_model("auth", "User")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Department = apps.get_model("crm", "Department")
    Partner = apps.get_model("partners", "Partner")
    Contact = apps.get_model("partners", "Contact")
    Tag = apps.get_model("partners", "Tag")

    user = User.objects.create(username="keeper")
    department = Department.objects.get(code="sales")
    supplier = Partner.objects.create(
        name="Old Supplier", family="supplier", kind="manufacturer", owner=user, department=department
    )
    customer = Partner.objects.create(
        name="Old Customer", family="customer", kind="company", owner=user, department=department
    )
    contact = Contact.objects.create(partner=customer, name="Li Lei", email="li@old.example")
    tag = Tag.objects.create(name="Strategic")

    # Suppliers: a qualification document with its history; the Staff role may change it.
    Document = apps.get_model("partners", "QualificationDocument")
    document = Document.objects.create(partner=supplier, doc_type="iso9001", number="Q-7")
    _history(apps, "partners.HistoricalQualificationDocument", document, user)
    staff = Group.objects.get(name="Staff")
    assert staff.permissions.filter(codename="change_qualificationdocument").exists()

    # Customer care, with the many-to-many tags and their history.
    NeedTag = apps.get_model("partners", "NeedTag")
    need_tag = NeedTag.objects.create(name="Delivery")
    Need = apps.get_model("partners", "Need")
    need = Need.objects.create(partner=customer, summary="Faster delivery", recorded_by=user, recorded_at=NOW)
    need.tags.add(need_tag)
    need_history = _history(apps, "partners.HistoricalNeed", need, user)
    apps.get_model("partners", "HistoricalNeed_tags").objects.create(
        id=need.tags.through.objects.get().pk, history=need_history, need=need, needtag=need_tag
    )
    Holiday = apps.get_model("partners", "Holiday")
    holiday = Holiday.objects.create(name_en="Lantern Festival", date=dt.date(2027, 2, 20))
    template = apps.get_model("partners", "GreetingTemplate").objects.create(
        name="Lantern", occasion="holiday", subject_en="Happy Lantern Festival", body_en="Best wishes"
    )
    apps.get_model("partners", "Greeting").objects.create(
        partner=customer, contact=contact, occasion="holiday", holiday=holiday, template=template, date=holiday.date
    )
    Gift = apps.get_model("partners", "Gift")
    gift = Gift.objects.create(
        partner=customer, description="Tea set", value=Decimal("800.00"), date=NOW.date(), recorded_by=user
    )
    _history(apps, "partners.HistoricalGift", gift, user)
    campaign = apps.get_model("partners", "Campaign").objects.create(
        name="Spring news", subject_en="News", body_en="Hello", created_by=user
    )
    campaign.tags.add(tag)
    apps.get_model("partners", "CampaignRecipient").objects.create(
        campaign=campaign, contact=contact, email=contact.email, language="en", nonce="n", token_hash="h"
    )

    # Surveys: a survey sent, answered; a case the low score opened, with its timeline.
    SurveyTemplate = apps.get_model("supervision", "SurveyTemplate")
    survey_template = SurveyTemplate.objects.get(name="Customer satisfaction")
    question = survey_template.questions.order_by("order").first()
    survey = apps.get_model("supervision", "Survey").objects.create(
        template=survey_template,
        title="Customer satisfaction 2026-Q2",
        family="customer",
        period="2026-Q2",
        created_by=user,
        sent_at=NOW,
    )
    invitation = apps.get_model("supervision", "SurveyInvitation").objects.create(
        survey=survey,
        partner=customer,
        contact=contact,
        email=contact.email,
        language="zh-hans",
        family="customer",
        period="2026-Q2",
        nonce="nonce",
        token_hash="hash",
        expires_at=NOW + dt.timedelta(days=30),
        responded_at=NOW,
    )
    response = apps.get_model("supervision", "SurveyResponse").objects.create(
        invitation=invitation,
        survey=survey,
        partner=customer,
        contact=contact,
        family="customer",
        period="2026-Q2",
        language="zh-hans",
        submitted_at=NOW,
    )
    apps.get_model("supervision", "Answer").objects.create(response=response, question=question, kind="nps", score=3)
    Case = apps.get_model("supervision", "Case")
    case = Case.objects.create(
        reference="C-2026-00042",
        partner=customer,
        contact=contact,
        family="customer",
        kind="complaint",
        channel="survey",
        subject="Low satisfaction score",
        description="NPS 3",
        opened_at=NOW,
        response_due_at=NOW + dt.timedelta(hours=4),
        resolution_due_at=NOW + dt.timedelta(days=2),
        survey_response=response,
        assignee=user,
    )
    _history(apps, "supervision.HistoricalCase", case, user)
    apps.get_model("supervision", "CaseNote").objects.create(
        case=case, kind="note", author=user, body="Called", created_at=NOW
    )
    sla_targets = apps.get_model("supervision", "SlaTarget").objects.count()
    permission_ids = set(
        Permission.objects.filter(content_type__app_label__in=["partners", "supervision"]).values_list("pk", flat=True)
    )
    return {"sla_targets": sla_targets, "permission_ids": permission_ids}


@pytest.mark.django_db
def test_existing_rows_survive_the_move_to_the_new_apps(migrator):
    old = migrator.apply_initial_migration(BEFORE)
    before = _seed_before(old.apps)
    new = migrator.apply_tested_migration(AFTER).apps

    # Suppliers.
    document = new.get_model("suppliers", "QualificationDocument").objects.get(number="Q-7")
    assert document.partner.name == "Old Supplier"
    assert new.get_model("suppliers", "HistoricalQualificationDocument").objects.get().number == "Q-7"
    staff = new.get_model("auth", "Group").objects.get(name="Staff")
    granted = staff.permissions.get(codename="change_qualificationdocument")
    assert granted.content_type.app_label == "suppliers"

    # Customer care, many-to-many links and history included.
    need = new.get_model("customers", "Need").objects.get()
    assert need.partner.name == "Old Customer" and list(need.tags.values_list("name", flat=True)) == ["Delivery"]
    need_history = new.get_model("customers", "HistoricalNeed").objects.get()
    assert need_history.summary == "Faster delivery"
    assert (
        new.get_model("customers", "HistoricalNeed_tags").objects.get(history=need_history).needtag.name == "Delivery"
    )
    greeting = new.get_model("customers", "Greeting").objects.get()
    assert (greeting.holiday.name_en, greeting.template.name, greeting.contact.name) == (
        "Lantern Festival",
        "Lantern",
        "Li Lei",
    )
    assert new.get_model("customers", "Gift").objects.get().value == Decimal("800.00")
    assert new.get_model("customers", "HistoricalGift").objects.get().description == "Tea set"
    campaign = new.get_model("customers", "Campaign").objects.get()
    assert list(campaign.tags.values_list("name", flat=True)) == ["Strategic"]
    assert new.get_model("customers", "CampaignRecipient").objects.get().campaign_id == campaign.pk

    # Surveys and cases, linked as before.
    response = new.get_model("surveys", "SurveyResponse").objects.get()
    assert response.invitation.survey.title == "Customer satisfaction 2026-Q2"
    assert response.answers.get().score == 3
    case = new.get_model("cases", "Case").objects.get()
    assert case.reference == "C-2026-00042" and case.survey_response_id == response.pk
    assert case.notes.get().body == "Called"
    assert new.get_model("cases", "HistoricalCase").objects.get().reference == "C-2026-00042"
    assert new.get_model("cases", "SlaTarget").objects.count() == before["sla_targets"] > 0

    # No permission row was lost or duplicated: the content types moved, the rows stayed.
    Permission = new.get_model("auth", "Permission")
    moved = Permission.objects.filter(pk__in=before["permission_ids"])
    assert moved.count() == len(before["permission_ids"])
    assert not new.get_model("contenttypes", "ContentType").objects.filter(app_label="supervision").exists()
