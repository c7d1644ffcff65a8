"""A form is carried out once per render (issue #10 §7): a double click or a resent POST
carries the same token and gets the first result; nothing is created or e-mailed twice."""

from __future__ import annotations

import re

from django.core import mail
from django.urls import reverse

from crm.models import FormSubmission, OutboundEmail
from crm.scheduler import scan_run
from partners.cases.models import CaseNote
from partners.cases.services import case_open
from partners.models import Interaction
from tests.factories import ContactFactory
from tests.partners.test_interactions import _payload


def _token(page: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


def test_a_double_click_logs_one_interaction(client, staff, supplier):
    client.force_login(staff)
    url = reverse("partners:interaction_create", args=[supplier.pk])
    token = _token(client.get(url).content.decode())
    first = client.post(url, {**_payload(), "form_token": token})
    second = client.post(url, {**_payload(), "form_token": token})
    third = client.post(url, {**_payload(), "form_token": token}, HTTP_HX_REQUEST="true")
    assert Interaction.objects.count() == 1
    assert first.status_code == second.status_code == 302 and second["Location"] == first["Location"]
    assert third.status_code == 204 and third["HX-Redirect"] == first["Location"]


def test_each_render_gets_its_own_token(client, staff, supplier):
    client.force_login(staff)
    url = reverse("partners:interaction_create", args=[supplier.pk])
    assert _token(client.get(url).content.decode()) != _token(client.get(url).content.decode())


def test_a_reply_sent_twice_reaches_the_customer_once(client, settings, staff, supplier):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    contact = ContactFactory(partner=supplier, email="buyer@acme.example")
    case = case_open(
        partner=supplier, contact=contact, kind="complaint", channel="phone", subject="Late", description="x"
    )
    client.force_login(staff)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    token = _token(page)
    data = {"kind": "reply", "body": "We are on it.", "form_token": token}
    for _ in range(3):
        client.post(reverse("cases:case_note", args=[case.pk]), data)
    assert CaseNote.objects.filter(case=case, kind=CaseNote.Kind.REPLY).count() == 1
    assert OutboundEmail.objects.filter(to_address="buyer@acme.example").count() == 1


def test_a_refused_form_frees_its_token_for_the_corrected_submission(client, staff, supplier):
    client.force_login(staff)
    url = reverse("partners:interaction_create", args=[supplier.pk])
    token = _token(client.get(url).content.decode())
    refused = client.post(url, {**_payload(**{"log-subject": ""}), "form_token": token})
    assert refused.status_code == 200 and not Interaction.objects.exists()
    assert client.post(url, {**_payload(), "form_token": token}).status_code == 302
    assert Interaction.objects.count() == 1


def test_tokens_are_forgotten_after_a_day(db, staff):
    import datetime as dt

    from django.utils import timezone

    FormSubmission.objects.create(token="x" * 32, path="/")
    assert scan_run("form_submissions", now=timezone.now() + dt.timedelta(days=2)).effects == 1
    assert not FormSubmission.objects.exists()
    assert not mail.outbox
