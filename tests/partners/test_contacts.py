"""Contacts (primary, consent, validation) and supplier qualification documents."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from partners.models import Contact
from tests.edit_forms import post_edit
from tests.factories import ContactFactory


def test_add_contact_and_make_primary_demotes_previous(client, staff, supplier):
    old = ContactFactory(partner=supplier, name="Old Primary", is_primary=True)
    client.force_login(staff)
    response = client.post(
        reverse("partners:contact_create", args=[supplier.pk]),
        {
            "name": "Wang Fang",
            "title": "Buyer",
            "email": "wang@example.cn",
            "phone": "+86 21 5555 0101",
            "preferred_language": "zh-hans",
            "greetings_consent": "on",
            "is_primary": "on",
        },
    )
    assert response.status_code == 302
    new = Contact.objects.get(name="Wang Fang")
    old.refresh_from_db()
    assert new.is_primary and not old.is_primary
    assert new.greetings_consent and not new.marketing_consent
    assert old.history.count() == 2  # the demotion is recorded


def test_contact_validation_messages(client, staff, supplier):
    client.force_login(staff)
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("partners:contact_create", args=[supplier.pk]),
        {"name": "", "email": "not-an-email", "phone": "call me", "birthday": future},
    )
    body = response.content.decode()
    assert "This field is required." in body
    assert "Enter a valid email address." in body
    assert "Enter a phone number" in body
    assert "A birthday cannot be in the future." in body
    assert not Contact.objects.exists()


def test_contact_delete_asks_first(client, staff, supplier):
    contact = ContactFactory(partner=supplier, name="Leaving Soon")
    client.force_login(staff)
    assert "Delete Leaving Soon?" in client.get(reverse("partners:contact_delete", args=[contact.pk])).content.decode()
    assert Contact.objects.filter(pk=contact.pk).exists()
    client.post(reverse("partners:contact_delete", args=[contact.pk]))
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert Contact.history.filter(id=contact.pk, history_type="-").exists()


def test_tag_changes_appear_in_history(client, staff, supplier):
    client.force_login(staff)
    post_edit(
        client,
        reverse("partners:edit", args=[supplier.pk]),
        {"name": supplier.name, "kind": supplier.kind, "status": "active", "tier": "3", "tag_names": "ISO9001"},
    )
    body = client.get(reverse("partners:history", args=[supplier.pk])).content.decode()
    assert "ISO9001" in body


def test_history_shows_people_not_ids(client, staff, manager, supplier):
    client.force_login(manager)
    post_edit(
        client,
        reverse("partners:edit", args=[supplier.pk]),
        {"name": supplier.name, "kind": supplier.kind, "status": "active", "tier": "3", "owner": manager.pk},
    )
    supplier.refresh_from_db()
    assert supplier.owner == manager
    body = client.get(reverse("partners:history", args=[supplier.pk])).content.decode()
    assert f"{staff.get_full_name()}</del> → <ins>{manager.get_full_name()}" in body


def test_a_form_opened_before_an_unsubscribe_cannot_switch_consent_back_on(client, staff, supplier):
    from partners.models import Contact

    contact = Contact.objects.create(partner=supplier, name="Zhou", email="zhou@acme.example", marketing_consent=True)
    client.force_login(staff)
    url = reverse("partners:contact_edit", args=[contact.pk])
    page = client.get(url).content.decode()
    version = contact.updated_at.isoformat()
    assert f'value="{version}"' in page
    # Meanwhile the contact unsubscribes.
    contact.marketing_consent = False
    contact.save(update_fields=["marketing_consent", "updated_at"])
    stale = {"name": "Zhou Wei", "email": "zhou@acme.example", "marketing_consent": "on", "version": version}
    response = client.post(url, stale)
    body = response.content.decode()
    assert response.status_code == 200 and "changed this record since you opened it" in body
    assert "Consents to product news and promotions is now: no" in body
    contact.refresh_from_db()
    assert contact.marketing_consent is False and contact.name == "Zhou"
    # A fresh form saves, and writes only what changed.
    fresh = {**stale, "marketing_consent": "", "version": contact.updated_at.isoformat()}
    assert client.post(url, fresh).status_code == 302
    contact.refresh_from_db()
    assert contact.name == "Zhou Wei" and contact.marketing_consent is False
