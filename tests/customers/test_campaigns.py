"""Campaigns (P4.2.3): only consenting contacts, an unsubscribe link honoured at once."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from crm.models import OutboundEmail
from crm.notifications import email_send
from crm.scheduler import scan_run
from partners.customers.models import Campaign, CampaignRecipient
from partners.customers.services import campaign_deliver
from partners.models import Contact, Tag
from tests.factories import ContactFactory, PartnerFactory, department


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RAPPORT_BASE_URL = "https://rapport.example"
    # The rate limit counts in the (process-wide) cache: each test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def audience(staff_sales):
    """Two key customers' contacts: consenting (en, zh), not consenting, without email; and an
    archived customer's consenting contact and a supplier's."""
    sales = department("sales")
    retail = PartnerFactory(name="Retail Co", family="customer", tier=1, owner=staff_sales, department=sales)
    other = PartnerFactory(name="Other Co", family="customer", tier=3, owner=staff_sales, department=sales)
    archived = PartnerFactory(family="customer", tier=1, owner=staff_sales, department=sales)
    archived.archived_at = archived.created_at
    archived.save()
    return {
        "en": ContactFactory(partner=retail, name="Alice", marketing_consent=True, preferred_language="en"),
        "zh": ContactFactory(partner=other, name="王芳", marketing_consent=True, preferred_language="zh-hans"),
        "no": ContactFactory(partner=retail, name="Bob", marketing_consent=False),
        "noemail": ContactFactory(partner=retail, name="Carl", marketing_consent=True, email=""),
        "archived": ContactFactory(partner=archived, marketing_consent=True),
        "supplier": ContactFactory(partner=PartnerFactory(family="supplier"), marketing_consent=True),
    }


@pytest.fixture
def campaign(manager_sales):
    return Campaign.objects.create(
        name="Autumn news",
        subject_en="New products for {company}",
        body_en="Dear {name},\n<script>alert(1)</script> see our new range.",
        subject_zh="新品上市",
        body_zh="{name}您好，新品上市。",
        created_by=manager_sales,
    )


def confirm(client, campaign):
    """POST the confirmation page as a browser does (with the version it showed)."""
    campaign.refresh_from_db()
    return client.post(
        reverse("customers:campaign_send", args=[campaign.pk]), {"version": campaign.updated_at.isoformat()}
    )


def send(client, user, campaign, capture):
    client.force_login(user)
    with capture(execute=True):
        return confirm(client, campaign)


def links(email: OutboundEmail) -> list[str]:
    return re.findall(r"https://rapport\.example(/u/[^/\s\"]+/)", email.body_text)


def test_manager_confirms_then_sends_only_to_consenting_contacts_with_email(
    client, manager_sales, campaign, audience, django_capture_on_commit_callbacks
):
    client.force_login(manager_sales)
    page = client.get(reverse("customers:campaign_send", args=[campaign.pk]))
    assert page.status_code == 200 and page.context["count"] == 2
    assert not CampaignRecipient.objects.exists()  # GET only asks
    response = send(client, manager_sales, campaign, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "sent" and campaign.sent_by == manager_sales and campaign.sent_at
    emails = {e.to_address: e for e in OutboundEmail.objects.filter(kind="campaign")}
    assert set(emails) == {audience["en"].email, audience["zh"].email}
    assert {m.to[0] for m in mail.outbox} == set(emails)
    english, chinese = emails[audience["en"].email], emails[audience["zh"].email]
    assert english.subject == "New products for Retail Co" and chinese.subject == "新品上市"
    assert chinese.language == "zh-hans" and "王芳您好" in chinese.body_text
    assert "&lt;script&gt;" in english.body_html and "<script>" not in english.body_html
    assert len(links(english)) == 1 and links(english)[0] in english.body_html
    # Sending again sends nothing more.
    send(client, manager_sales, campaign, django_capture_on_commit_callbacks)
    assert OutboundEmail.objects.filter(kind="campaign").count() == 2
    assert campaign_deliver(campaign_id=campaign.pk) == 0


def test_staff_cannot_send_a_campaign(client, staff_sales, campaign, audience):
    client.force_login(staff_sales)
    assert client.get(reverse("customers:campaign_send", args=[campaign.pk])).status_code == 403
    assert client.post(reverse("customers:campaign_send", args=[campaign.pk])).status_code == 403
    assert Campaign.objects.get().status == "draft"


def test_segment_by_tier_tag_and_industry(client, manager_sales, campaign, audience):
    tag = Tag.objects.create(name="华东")
    audience["en"].partner.tags.add(tag)
    campaign.tiers = [1]
    campaign.save()
    client.force_login(manager_sales)
    assert client.get(reverse("customers:campaign_send", args=[campaign.pk])).context["count"] == 1
    campaign.tiers = []
    campaign.industry = "Mining"
    campaign.save()
    assert client.get(reverse("customers:campaign_send", args=[campaign.pk])).context["count"] == 0
    campaign.industry = ""
    campaign.save()
    campaign.tags.add(tag)
    assert client.get(reverse("customers:campaign_detail", args=[campaign.pk])).context["audience_count"] == 1


def test_unsubscribe_link_asks_then_withdraws_consent_and_cancels_queued_emails(
    client, manager_sales, campaign, audience, django_capture_on_commit_callbacks
):
    client.force_login(manager_sales)
    confirm(client, campaign)  # emails stored, none sent yet
    campaign_deliver(campaign_id=campaign.pk)
    alice = OutboundEmail.objects.get(to_address=audience["en"].email)
    url = links(alice)[0]
    client.logout()
    page = client.get(url)
    assert page.status_code == 200 and "Stop receiving" in page.content.decode()
    assert Contact.objects.get(pk=audience["en"].pk).marketing_consent  # GET changes nothing
    response = client.post(url)
    assert response.status_code == 200 and "You are unsubscribed" in response.content.decode()
    contact = Contact.objects.get(pk=audience["en"].pk)
    assert contact.marketing_consent is False
    assert contact.history.first().marketing_consent is False  # P3.1: recorded in the history
    assert CampaignRecipient.objects.get(contact=contact).unsubscribed_at is not None
    # The queued email to Alice is not sent; the other one is.
    assert email_send(email_id=alice.pk) is False
    alice.refresh_from_db()
    assert alice.state == "cancelled" and "unsubscribed" in alice.last_error
    other = OutboundEmail.objects.get(to_address=audience["zh"].email)
    assert email_send(email_id=other.pk) is True
    assert [m.to[0] for m in mail.outbox] == [audience["zh"].email]
    # Opening the link again says so; posting again is harmless.
    assert "You are unsubscribed" in client.get(url).content.decode()
    assert client.post(url).status_code == 200
    # A second campaign skips her.
    second = Campaign.objects.create(name="Winter", subject_en="S", body_en="B", created_by=manager_sales)
    send(client, manager_sales, second, django_capture_on_commit_callbacks)
    assert list(second.recipients.values_list("contact__name", flat=True)) == ["王芳"]


def test_consent_withdrawn_between_sending_and_delivery_is_honoured(
    client, manager_sales, campaign, audience, django_capture_on_commit_callbacks
):
    client.force_login(manager_sales)
    confirm(client, campaign)
    Contact.objects.filter(pk=audience["en"].pk).update(marketing_consent=False)
    with django_capture_on_commit_callbacks(execute=True):
        scan_run("campaigns")
    assert list(OutboundEmail.objects.values_list("to_address", flat=True)) == [audience["zh"].email]


# "%00" in a link is refused with a 400 before any view: tests/crm/test_nul_bytes.py.
@pytest.mark.parametrize("token", ["x", "A" * 43, "A" * 500])
def test_tampered_or_unknown_link_shows_a_neutral_page(client, token, campaign, audience, manager_sales):
    client.force_login(manager_sales)
    confirm(client, campaign)
    client.logout()
    for method in (client.get, client.post):
        response = method(f"/u/{token}/")
        body = response.content.decode()
        assert response.status_code == 404
        assert "not valid" in body and "Alice" not in body and "Retail" not in body
    assert Contact.objects.filter(marketing_consent=True).count() == 5


def test_unsubscribe_posts_are_rate_limited_and_size_limited(client, campaign, audience, manager_sales):
    client.force_login(manager_sales)
    confirm(client, campaign)
    client.logout()
    codes = [client.post("/u/unknown/").status_code for _ in range(21)]
    assert codes[:20] == [404] * 20 and codes[20] == 429
    cache.clear()
    response = client.post("/u/unknown/", {"x": "y" * 10000})
    assert response.status_code == 400


def test_campaign_form_errors_and_draft_editing(client, staff_sales, manager_sales):
    client.force_login(staff_sales)
    response = client.post(reverse("customers:campaign_create"), {"name": "", "tiers": ["9"], "family": "x"})
    assert response.status_code == 200
    assert {"name", "subject_en", "body_en", "tiers", "family"} <= set(response.context["form"].errors)
    response = client.post(
        reverse("customers:campaign_create"),
        {
            "name": "News",
            "subject_en": "S",
            "body_en": "B",
            "family": "customer",
            "tiers": ["1", "2"],
            "subject_zh": "只有标题",
        },
    )
    assert response.status_code == 200 and "body_zh" in response.context["form"].errors
    response = client.post(
        reverse("customers:campaign_create"),
        {"name": "News", "subject_en": "S", "body_en": "B", "family": "customer", "tiers": ["1", "2"]},
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and campaign.tiers == [1, 2] and campaign.created_by == staff_sales
    client.get(reverse("customers:campaign_list"))
    campaign.status = "sent"
    campaign.save()
    response = client.post(reverse("customers:campaign_edit", args=[campaign.pk]), {"name": "Changed"})
    assert response.status_code == 302
    assert Campaign.objects.get().name == "News"


def test_unsubscribe_page_keeps_the_token_private_and_speaks_the_contacts_language(
    client, manager_sales, campaign, audience
):
    client.force_login(manager_sales)
    confirm(client, campaign)
    client.logout()
    recipient = CampaignRecipient.objects.get(contact=audience["zh"])
    from partners.customers.services import unsubscribe_token

    response = client.get(f"/u/{unsubscribe_token(recipient)}/")
    assert response["Referrer-Policy"] == "same-origin" and "noindex" in response["X-Robots-Tag"]
    assert response["Content-Language"] == "zh-hans"
    assert "王芳" not in response.content.decode()  # names no one
    assert len(recipient.token_hash) == 64 and unsubscribe_token(recipient) not in recipient.token_hash


def test_an_empty_audience_sends_nothing_and_keeps_the_draft(client, manager_sales, campaign):
    client.force_login(manager_sales)
    response = client.post(
        reverse("customers:campaign_send", args=[campaign.pk]),
        {"version": campaign.updated_at.isoformat()},
        follow=True,
    )
    assert "nothing was sent" in response.content.decode()
    assert Campaign.objects.get().status == "draft"


def test_a_draft_changed_after_the_confirmation_page_is_not_sent(client, manager_sales, campaign, audience):
    client.force_login(manager_sales)
    page = client.get(reverse("customers:campaign_send", args=[campaign.pk]))
    version = campaign.updated_at.isoformat()
    assert f'value="{version}"' in page.content.decode()
    campaign.body_en = "Something else entirely"
    campaign.save()
    response = client.post(reverse("customers:campaign_send", args=[campaign.pk]), {"version": version})
    assert response.status_code == 302 and response["Location"].endswith("/send/")
    campaign.refresh_from_db()
    assert campaign.status == "draft" and not OutboundEmail.objects.exists()


def test_only_the_author_and_managers_edit_a_draft(client, staff_sales, campaign):
    client.force_login(staff_sales)
    assert client.get(reverse("customers:campaign_edit", args=[campaign.pk])).status_code == 403


def test_mail_programs_get_a_one_click_unsubscribe_header_that_works_without_csrf(
    client, manager_sales, campaign, audience, django_capture_on_commit_callbacks
):
    from django.test import Client

    send(client, manager_sales, campaign, django_capture_on_commit_callbacks)
    message = next(m for m in mail.outbox if m.to == [audience["en"].email])
    header = message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = re.fullmatch(r"<https://rapport\.example(/u/[^/]+/)>", header).group(1)
    strict = Client(enforce_csrf_checks=True)
    # A forged form POST without the CSRF token is refused ...
    assert strict.post(path, {"anything": "1"}).status_code == 403
    contact = audience["en"]
    contact.refresh_from_db()
    assert contact.marketing_consent is True
    # ... the mail program's RFC 8058 one-click POST works.
    response = strict.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.marketing_consent is False
