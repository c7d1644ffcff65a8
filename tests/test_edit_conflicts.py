"""Lost updates (issue #10 §6): every edit form carries the version it was rendered from.

Two colleagues open the same record; the first saves; the second's save is refused with a
message that names what changed, nothing of it is written, and their input is still in the
form; a second, knowing submit (with the refreshed version) then goes through."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crm.concurrency import StaleEdit, version_of
from partners import services as partner_services
from partners.associations import services as association_services
from partners.associations.models import AssociationEvent, StandardWork, Submission
from partners.cases import services as case_services
from partners.cases.models import Case
from partners.customers import services as customer_services
from partners.customers.models import Campaign, Gift, Need
from partners.models import Contact, Interaction, Partner
from partners.suppliers import services as supplier_services
from partners.suppliers.models import QualificationDocument
from tests.edit_forms import version_in
from tests.factories import ContactFactory, InteractionFactory, PartnerFactory, UserFactory, attended_event


def form_values(response, key: str = "form") -> dict:
    """What a browser would post back for the rendered form, unchanged."""
    form = response.context[key]
    data = {}
    for bf in form:
        if isinstance(bf.field, forms.FileField):
            continue  # a file is not sent again: the stored one stays
        value = bf.value()
        if isinstance(value, bool):
            if value:
                data[bf.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bf.html_name] = [str(v) for v in value]
        elif value is None:
            data[bf.html_name] = ""
        else:
            data[bf.html_name] = bf.field.widget.format_value(value) or ""
    return data


@dataclass
class Edit:
    url: str
    model: type
    pk: int
    a_field: str  # what the first user changes, and the label the refusal names
    a_value: str
    a_label: str
    b_field: str  # what the second user changes
    b_value: str
    first: Client
    second: Client


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _partner(db):
    owner = UserFactory(username="owner", role="Staff", dept="procurement")
    boss = UserFactory(username="boss", role="Manager", dept="procurement")
    partner = PartnerFactory(name="Acme Components", owner=owner, region="North")
    return Edit(
        reverse("partners:edit", args=[partner.pk]),
        Partner,
        partner.pk,
        "name",
        "Acme Two",
        "Name",
        "region",
        "East by B",
        _client(owner),
        _client(boss),
    )


def _contact(db):
    owner = UserFactory(username="owner", role="Staff", dept="procurement")
    boss = UserFactory(username="boss", role="Manager", dept="procurement")
    contact = ContactFactory(partner=PartnerFactory(owner=owner), name="Zhou", title="Buyer")
    return Edit(
        reverse("partners:contact_edit", args=[contact.pk]),
        Contact,
        contact.pk,
        "name",
        "Zhou Wei",
        "Name",
        "title",
        "Head buyer by B",
        _client(owner),
        _client(boss),
    )


def _interaction(db):
    owner = UserFactory(username="owner", role="Staff", dept="procurement")
    boss = UserFactory(username="boss", role="Manager", dept="procurement")
    partner = PartnerFactory(owner=owner)
    interaction = InteractionFactory(
        partner=partner, author=owner, occurred_at=timezone.now().replace(second=0, microsecond=0)
    )
    return Edit(
        reverse("partners:interaction_edit", args=[interaction.pk]),
        Interaction,
        interaction.pk,
        "subject",
        "Price talk A",
        "Subject",
        "outcome",
        "Outcome by B",
        _client(owner),
        _client(boss),
    )


def _case(db):
    owner = UserFactory(username="owner", role="Staff", dept="procurement")
    boss = UserFactory(username="boss", role="Manager", dept="procurement")
    partner = PartnerFactory(owner=owner)
    case = case_services.case_open(
        kind="complaint", channel="phone", subject="Late pallets", description="Two weeks", partner=partner
    )
    return Edit(
        reverse("cases:case_edit", args=[case.pk]),
        Case,
        case.pk,
        "subject",
        "Late pallets again",
        "Subject",
        "description",
        "Description by B",
        _client(owner),
        _client(boss),
    )


def _need(db):
    owner = UserFactory(username="owner", role="Staff", dept="procurement")
    boss = UserFactory(username="boss", role="Manager", dept="procurement")
    partner = PartnerFactory(owner=owner, family="customer", kind="company")
    need = Need.objects.create(
        partner=partner, summary="Faster delivery", recorded_by=owner, recorded_at=timezone.now()
    )
    return Edit(
        reverse("customers:need_edit", args=[need.pk]),
        Need,
        need.pk,
        "summary",
        "Delivery in 3 days",
        "Need",
        "details",
        "Details by B",
        _client(owner),
        _client(boss),
    )


def _campaign(db):
    author = UserFactory(username="owner", role="Staff", dept="sales")
    boss = UserFactory(username="boss", role="Manager", dept="sales")
    campaign = Campaign.objects.create(name="Autumn news", subject_en="New", body_en="Text", created_by=author)
    return Edit(
        reverse("customers:campaign_edit", args=[campaign.pk]),
        Campaign,
        campaign.pk,
        "name",
        "Winter news",
        "Name",
        "subject_en",
        "Subject by B",
        _client(author),
        _client(boss),
    )


def _qualification(db):
    owner = UserFactory(username="owner", role="Staff", dept="procurement")
    boss = UserFactory(username="boss", role="Manager", dept="procurement")
    document = QualificationDocument.objects.create(
        partner=PartnerFactory(owner=owner), doc_type="iso9001", number="CN-1", issuer="CQC"
    )
    return Edit(
        reverse("suppliers:qualification_edit", args=[document.pk]),
        QualificationDocument,
        document.pk,
        "number",
        "CN-2",
        "Number",
        "issuer",
        "Issuer by B",
        _client(owner),
        _client(boss),
    )


def _association(owner):
    return PartnerFactory(owner=owner, family="association", kind="organisation", name="Steel Chamber")


def _seminar(owner) -> AssociationEvent:
    """A seminar on tariffs that ``owner`` recorded and attended."""
    return attended_event(_association(owner), "Tariffs", timezone.localdate(), owner, [owner])


def _event(db):
    owner = UserFactory(username="owner", role="Staff", dept="procurement")
    boss = UserFactory(username="boss", role="Manager", dept="procurement")
    event = _seminar(owner)
    return Edit(
        reverse("associations:record_edit", args=["event", event.pk]),
        AssociationEvent,
        event.pk,
        "topic",
        "Tariffs 2027",
        "Topic",
        "takeaways",
        "Takeaways by B",
        _client(owner),
        _client(boss),
    )


def _standard(db):
    owner = UserFactory(username="owner", role="Staff", dept="procurement")
    boss = UserFactory(username="boss", role="Manager", dept="procurement")
    standard = StandardWork.objects.create(
        association=_association(owner), title="GB/T 1", our_role="drafting", stage="draft"
    )
    return Edit(
        reverse("associations:record_edit", args=["standard", standard.pk]),
        StandardWork,
        standard.pk,
        "title",
        "GB/T 2",
        "Standard or rule",
        "notes",
        "Notes by B",
        _client(owner),
        _client(boss),
    )


def _submission(db):
    owner = UserFactory(username="owner", role="Staff", dept="procurement")
    boss = UserFactory(username="boss", role="Manager", dept="procurement")
    submission = Submission.objects.create(
        association=_association(owner), kind="problem", subject="Dumping", body="Prices", status="draft"
    )
    return Edit(
        reverse("associations:record_edit", args=["submission", submission.pk]),
        Submission,
        submission.pk,
        "subject",
        "Dumping of steel",
        "Subject",
        "response",
        "Response by B",
        _client(owner),
        _client(boss),
    )


EDITS = [
    _partner,
    _contact,
    _interaction,
    _case,
    _need,
    _campaign,
    _qualification,
    _event,
    _standard,
    _submission,
]


@pytest.mark.parametrize("make", EDITS, ids=lambda f: f.__name__.strip("_"))
def test_the_second_of_two_concurrent_saves_is_refused_and_names_what_changed(db, make):
    edit = make(db)
    page_a, page_b = edit.first.get(edit.url), edit.second.get(edit.url)
    original_b = str(getattr(edit.model.objects.get(pk=edit.pk), edit.b_field))

    first = edit.first.post(edit.url, {**form_values(page_a), edit.a_field: edit.a_value})
    assert first.status_code == 302

    mine = {**form_values(page_b), edit.b_field: edit.b_value}
    refused = edit.second.post(edit.url, mine)
    body = refused.content.decode()
    assert refused.status_code == 200
    assert "Someone else changed this record since you opened it" in body
    assert f"{edit.a_label} is now: {edit.a_value}" in body
    row = edit.model.objects.get(pk=edit.pk)
    assert str(getattr(row, edit.a_field)) == edit.a_value  # the first save stands
    assert str(getattr(row, edit.b_field)) == original_b  # nothing of the stale save was written
    assert edit.b_value in body  # the second user's input is still in the form
    refreshed = version_in(refused)
    assert refreshed == version_of(row) != mine["version"]

    # Having seen what changed, the second user saves again, knowingly.
    again = edit.second.post(edit.url, {**form_values(refused), "version": refreshed})
    assert again.status_code == 302
    assert str(getattr(edit.model.objects.get(pk=edit.pk), edit.b_field)) == edit.b_value


@pytest.mark.parametrize("make", EDITS, ids=lambda f: f.__name__.strip("_"))
def test_an_edit_without_a_version_is_a_form_error(db, make):
    edit = make(db)
    data = form_values(edit.first.get(edit.url))
    for version in (None, "yesterday"):
        if version is None:
            data.pop("version")
        else:
            data["version"] = version
        response = edit.first.post(edit.url, {**data, edit.a_field: edit.a_value})
        assert response.status_code == 200 and "This form is out of date" in response.content.decode()
    assert str(getattr(edit.model.objects.get(pk=edit.pk), edit.a_field)) != edit.a_value


def test_gift_decision_carries_a_version_and_a_second_decision_is_refused(db):
    recorder = UserFactory(username="owner", role="Staff", dept="procurement")
    first = _client(UserFactory(username="boss", role="Manager", dept="procurement"))
    second = _client(UserFactory(username="boss2", role="Manager", dept="procurement"))
    gift = Gift.objects.create(
        partner=PartnerFactory(owner=recorder),
        description="Tea set",
        value=Decimal("900"),
        date=timezone.localdate(),
        recorded_by=recorder,
        status=Gift.Status.PENDING,
    )
    url = reverse("customers:gift_decide", args=[gift.pk])
    page_a, page_b = first.get(url), second.get(url)
    assert version_in(page_a) == version_of(gift)
    assert first.post(url, {**form_values(page_a), "decision": "approve"}).status_code == 302
    response = second.post(url, {**form_values(page_b), "decision": "reject", "note": "No"}, follow=True)
    assert "This gift needs no decision." in response.content.decode()
    assert Gift.objects.get(pk=gift.pk).status == Gift.Status.APPROVED


# --- The services: a stale version raises and writes nothing -------------------------------------


def _stale(instance, **changes):
    """The version a form showed, then a colleague's save of ``changes``."""
    version = version_of(instance)
    for name, value in changes.items():
        setattr(instance, name, value)
    instance.save()
    return version


def test_partner_update_refuses_a_stale_version_and_keeps_the_status_rule(db):
    partner = PartnerFactory(name="Acme", region="North")
    version = _stale(partner, name="Acme Two")
    with pytest.raises(StaleEdit) as refused:
        partner_services.partner_update(pk=partner.pk, changed={"region": "South"}, version=version)
    assert [(c.label, c.value) for c in refused.value.changes] == [("Name", "Acme Two")]
    assert Partner.objects.get(pk=partner.pk).region == "North"
    partner_services.partner_update(pk=partner.pk, changed={"region": "South"}, version=version_of(partner))
    assert Partner.objects.get(pk=partner.pk).region == "South"


def test_contact_update_refuses_a_stale_version(db):
    contact = ContactFactory(name="Zhou", marketing_consent=True)
    version = _stale(contact, marketing_consent=False)
    with pytest.raises(StaleEdit) as refused:
        partner_services.contact_update(pk=contact.pk, changed={"marketing_consent": True}, version=version)
    assert [c.value for c in refused.value.changes] == ["no"]
    assert Contact.objects.get(pk=contact.pk).marketing_consent is False


def test_interaction_update_refuses_a_stale_version(db):
    interaction = InteractionFactory(subject="Call")
    version = _stale(interaction, subject="Visit")
    with pytest.raises(StaleEdit):
        partner_services.interaction_update(pk=interaction.pk, changed={"outcome": "x"}, version=version)
    assert Interaction.objects.get(pk=interaction.pk).outcome != "x"


def test_case_update_refuses_a_stale_version(db):
    case = case_services.case_open(
        kind="complaint", channel="phone", subject="Late", description="d", partner=PartnerFactory()
    )
    user = UserFactory(username="u", role="Staff", dept="procurement")
    version = _stale(case, subject="Late again")
    with pytest.raises(StaleEdit):
        case_services.case_update(case=case, user=user, version=version, description="changed")
    assert Case.objects.get(pk=case.pk).description == "d"


def test_need_update_refuses_a_stale_version(db):
    user = UserFactory(username="u", role="Staff", dept="procurement")
    need = Need.objects.create(partner=PartnerFactory(), summary="A", recorded_by=user, recorded_at=timezone.now())
    version = _stale(need, summary="B")
    with pytest.raises(StaleEdit):
        customer_services.need_update(pk=need.pk, changed={"details": "x", "tag_names": ["price"]}, version=version)
    assert Need.objects.get(pk=need.pk).details == "" and not need.tags.exists()


def test_campaign_update_refuses_a_stale_version(db):
    user = UserFactory(username="u", role="Staff", dept="sales")
    campaign = Campaign.objects.create(name="A", subject_en="S", body_en="B", created_by=user)
    version = _stale(campaign, name="B")
    with pytest.raises(StaleEdit) as refused:
        customer_services.campaign_update(pk=campaign.pk, changed={"body_en": "x"}, version=version)
    assert [(c.label, c.value) for c in refused.value.changes] == [("Name", "B")]
    assert Campaign.objects.get(pk=campaign.pk).body_en == "B"


def test_qualification_update_refuses_a_stale_version(db):
    document = QualificationDocument.objects.create(partner=PartnerFactory(), doc_type="iso9001", number="1")
    version = _stale(document, expires_on=dt.date(2030, 1, 1))
    with pytest.raises(StaleEdit):
        supplier_services.qualification_update(pk=document.pk, changed={"number": "2"}, version=version)
    assert QualificationDocument.objects.get(pk=document.pk).number == "1"


def test_gift_decide_refuses_a_stale_version(db):
    user = UserFactory(username="u", role="Manager", dept="procurement")
    gift = Gift.objects.create(
        partner=PartnerFactory(),
        description="Tea set",
        value=Decimal("900"),
        date=timezone.localdate(),
        recorded_by=user,
        status=Gift.Status.PENDING,
    )
    version = _stale(gift, value=Decimal("1900"))
    with pytest.raises(StaleEdit):
        customer_services.gift_decide(gift=gift, approve=True, note="", user=user, version=version)
    assert Gift.objects.get(pk=gift.pk).status == Gift.Status.PENDING


def test_association_record_update_refuses_a_stale_version(db):
    owner = UserFactory(username="u", role="Staff", dept="procurement")
    other = UserFactory(username="v", role="Staff", dept="procurement")
    event = _seminar(owner)
    version = _stale(event, location="Beijing")
    with pytest.raises(StaleEdit) as refused:
        association_services.record_update(
            model=AssociationEvent,
            pk=event.pk,
            changed={"topic": "Quotas", "attendees": [other]},
            fields=["topic", "location"],
            version=version,
            by=owner,
        )
    assert [(c.label, c.value) for c in refused.value.changes] == [("Location", "Beijing")]
    event.refresh_from_db()
    assert event.topic == "Tariffs" and list(event.attendees.all()) == [owner]
    association_services.record_update(
        model=AssociationEvent,
        pk=event.pk,
        changed={"topic": "Quotas"},
        fields=["topic", "location"],
        version=version_of(event),
        by=owner,
    )
    event.refresh_from_db()
    assert (event.topic, event.location, list(event.attendees.all())) == ("Quotas", "Beijing", [owner])
