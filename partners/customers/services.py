"""Writes of customer care: needs (P4.2.1), greetings and campaigns (P4.2.3), gifts (P3.1).

Consent rule (P3.4, P4.2.3): nothing is emailed to a contact who has not agreed to it —
greetings need ``greetings_consent``, campaigns ``marketing_consent``. The consent is
checked when the email is queued *and* again just before it is sent (``SEND_CHECKS`` in
crm/notifications.py), so withdrawing consent stops emails already in the queue.

Unsubscribe links: each campaign recipient has a random ``nonce``; the link's token is an
HMAC of it under SECRET_KEY and only the token's SHA-256 is stored, as for survey links
(evaluations/surveys/services.py).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from crm.concurrency import check_version
from crm.links import base_url
from crm.models import OutboundEmail
from crm.notifications import (
    CANCELLED_PREFIX,
    email_store,
    enqueue_safely,
    notify,
    object_ref,
    register_kind,
    user_language,
)
from partners.models import Contact, Family, FollowUp, Interaction, Partner
from partners.reminders import department_managers
from partners.selectors import contact_language

from . import tasks  # tasks import this module too: both use each other only at call time
from .models import Campaign, CampaignRecipient, Gift, Greeting, GreetingTemplate, Holiday, Need, NeedTag, Occasion
from .selectors import CARE_TIERS, gift_needs_approval, occurrence

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import User

GREETING_EMAIL_KIND = "greeting"

# The notices' wording, translated in each reader's language when shown (crm.notifications).
GREETING_DUE = register_kind("greeting_due", gettext_noop("Greeting to send on %(date)s: %(item)s (%(partner)s)"))
GIFT_APPROVAL = register_kind(
    "gift_approval", gettext_noop("Gift to approve: %(gift)s, %(value)s %(currency)s (%(partner)s)")
)
GIFT_DECIDED = register_kind(
    "gift_decided",
    lambda params: (
        gettext_noop("Gift approved: %(gift)s (%(partner)s)")
        if params.get("approved")
        else gettext_noop("Gift rejected: %(gift)s (%(partner)s)")
    ),
)
CAMPAIGN_EMAIL_KIND = "campaign"
TOKEN_SALT = "partners.campaign-unsubscribe"
TOKEN_MAX_LENGTH = 100


def fill_placeholders(text: str, *, contact: Contact | None, partner: Partner) -> str:
    """``{name}`` and ``{company}`` in a template's text: plain replacement (no format(), so
    a stray brace in the text cannot break or leak anything)."""
    return text.replace("{name}", contact.name if contact else partner.name).replace("{company}", partner.name)


# --- Needs (P4.2.1) -------------------------------------------------------------------------------


def _need_tags(names: Iterable[str]) -> list[NeedTag]:
    tags = []
    for name in names:
        tag = NeedTag.objects.filter(name__iexact=name).first() or NeedTag.objects.create(name=name)
        tags.append(tag)
    return tags


def _check_interaction(partner: Partner, interaction: Interaction | None) -> None:
    if interaction is not None and interaction.partner_id != partner.pk:
        raise ValueError("The interaction belongs to another partner.")


@transaction.atomic
def need_record(*, partner: Partner, data: dict, tag_names: list[str], recorded_by: User) -> Need:
    """Record what a customer needs or prefers (P4.2.1)."""
    _check_interaction(partner, data.get("interaction"))
    need = Need.objects.create(
        partner=partner,
        summary=data["summary"],
        details=data.get("details", ""),
        interaction=data.get("interaction"),
        status=data.get("status") or Need.Status.OPEN,
        recorded_by=recorded_by,
        recorded_at=timezone.now(),
    )
    need.tags.set(_need_tags(tag_names))
    return need


NEED_FIELDS = ("summary", "details", "interaction", "status")


@transaction.atomic
def need_update(*, pk: int, changed: dict, version: str | None = None, user: User | None = None) -> Need:
    """Apply the ``changed`` fields (and ``tag_names``) to need ``pk``, reloaded under a lock
    (``StaleEdit`` if it moved since ``version``)."""
    need = Need.objects.select_for_update(of=("self",)).select_related("partner").get(pk=pk)
    check_version(need, version, fields=list(NEED_FIELDS))
    if "interaction" in changed:
        _check_interaction(need.partner, changed["interaction"])
    fields = [name for name in NEED_FIELDS if name in changed]
    for name in fields:
        setattr(need, name, changed[name])
    if "tag_names" in changed:
        need.tags.set(_need_tags(changed["tag_names"]))
    if fields or "tag_names" in changed:
        need.save(update_fields=[*fields, "updated_at"])
    return need


def greeting_template_for(
    *, occasion: str, holiday: Holiday | None, templates: list[GreetingTemplate] | None = None
) -> GreetingTemplate | None:
    """The active template of the occasion; for a holiday, one named for it wins over a
    template for every holiday. ``templates``: the active templates, when already loaded."""
    if templates is None:
        templates = list(GreetingTemplate.objects.filter(is_active=True).order_by("pk"))
    candidates = [t for t in templates if t.occasion == occasion]
    if holiday is not None:
        named = [t for t in candidates if t.holiday_name and t.holiday_name.lower() == holiday.name_en.lower()]
        if named:
            return named[0]
    return next((t for t in candidates if not t.holiday_name), None)


def greeting_waits_for_the_day(
    *, template: GreetingTemplate | None, contact: Contact | None, day: dt.date, today: dt.date
) -> bool:
    """An emailed greeting leaves on the day itself, not when it is prepared ahead (a
    follow-up for the owner is created ahead, so they can plan a call or a card)."""
    return greeting_email_allowed(template=template, contact=contact) and day > today


def _occasion_still_due(
    *, partner: Partner, contact: Contact | None, occasion: str, day: dt.date, holiday: Holiday | None
) -> bool:
    """Re-check, when the task runs, what the scan saw (the data may have changed since)."""
    if partner.family != Family.CUSTOMER or partner.tier not in CARE_TIERS or partner.archived_at is not None:
        return False
    if partner.status == "terminated":
        return False
    if contact is not None and contact.partner_id != partner.pk:
        return False
    if occasion == Occasion.BIRTHDAY:
        return (
            contact is not None
            and contact.greetings_consent
            and contact.birthday is not None
            and occurrence(contact.birthday.month, contact.birthday.day, day) == day
        )
    if occasion == Occasion.ANNIVERSARY:
        since = partner.customer_since
        return since is not None and day.year > since.year and occurrence(since.month, since.day, day) == day
    if occasion == Occasion.HOLIDAY:
        return holiday is not None and holiday.date == day
    return False


def greeting_email_allowed(*, template: GreetingTemplate | None, contact: Contact | None) -> bool:
    """Only when the template says so and the contact agreed to greetings and has an address."""
    return bool(template and template.send_email and contact and contact.greetings_consent and contact.email)


def occasion_text(*, occasion: str, holiday: Holiday | None, language: str) -> str:
    with override(language):
        if holiday is not None:
            return holiday.name(language)
        return str(Occasion(occasion).label)


@transaction.atomic
def greeting_prepare(
    *,
    partner_id: int,
    contact_id: int | None,
    occasion: str,
    day: dt.date,
    holiday_id: int | None = None,
    today: dt.date | None = None,
) -> int:
    """Create the occasion's greeting once (unique key), then email it to a consenting
    contact when its template allows (on the day itself), otherwise give the owner a
    follow-up due on the day (ahead of it).

    Returns the number of effects created: 0 on a rerun, when no longer due, or when an
    email waits for its day.
    """
    today = today or timezone.localdate()
    partner = Partner.objects.select_related("owner").filter(pk=partner_id).first()
    contact = Contact.objects.filter(pk=contact_id).first() if contact_id else None
    holiday = Holiday.objects.filter(pk=holiday_id).first() if holiday_id else None
    if partner is None or (contact_id and contact is None):
        return 0
    if not _occasion_still_due(partner=partner, contact=contact, occasion=occasion, day=day, holiday=holiday):
        return 0
    template = greeting_template_for(occasion=occasion, holiday=holiday)
    if greeting_waits_for_the_day(template=template, contact=contact, day=day, today=today):
        return 0
    try:
        with transaction.atomic():
            greeting = Greeting.objects.create(
                partner=partner, contact=contact, occasion=occasion, holiday=holiday, date=day, template=template
            )
    except IntegrityError:
        return 0
    effects = 1
    if greeting_email_allowed(template=template, contact=contact):
        language = contact_language(contact)
        subject, body = template.texts(language)
        email = email_store(
            recipient=None,
            to_address=contact.email,
            language=language,
            kind=GREETING_EMAIL_KIND,
            obj_ref=object_ref(greeting),
            period=day.isoformat(),
            template="greeting",
            context={
                "subject": fill_placeholders(subject, contact=contact, partner=partner),
                "body": fill_placeholders(body, contact=contact, partner=partner),
            },
        )
        greeting.status = Greeting.Status.EMAILED
        greeting.save(update_fields=["status", "updated_at"])
        return effects + (email is not None)
    owner = partner.owner
    with override(user_language(owner)):
        what = occasion_text(occasion=occasion, holiday=holiday, language=user_language(owner))
        description = _("Send a greeting to %(who)s for %(occasion)s") % {
            "who": contact.name if contact else partner.name,
            "occasion": what,
        }
    greeting.followup = FollowUp.objects.create(partner=partner, description=description[:300], owner=owner, due_on=day)
    greeting.save(update_fields=["followup", "updated_at"])
    effects += 1
    effects += notify(
        recipient=owner,
        kind=GREETING_DUE,
        obj_ref=object_ref(greeting),
        period=day.isoformat(),
        params={"date": day, "item": description, "partner": partner.name},
        link=reverse("customers:care_calendar"),
    )
    return effects


@transaction.atomic
def greeting_mark(*, greeting: Greeting, status: str, user: User) -> bool:
    """The owner sent the greeting (done) or decided not to (skipped); its follow-up closes."""
    if status not in (Greeting.Status.DONE, Greeting.Status.SKIPPED) or greeting.status == status:
        return False
    now = timezone.now()
    greeting.status = status
    greeting.done_by = user
    greeting.done_at = now
    greeting.save(update_fields=["status", "done_by", "done_at", "updated_at"])
    if greeting.followup_id:
        followup = FollowUp.objects.filter(pk=greeting.followup_id, done_at__isnull=True).first()
        if followup is not None:
            followup.done_at, followup.done_by = now, user
            followup.save(update_fields=["done_at", "done_by", "updated_at"])
    return True


def greeting_email_still_allowed(email: OutboundEmail) -> bool:
    """SEND_CHECKS: the contact still consents and the greeting was not skipped meanwhile."""
    pk = email.object_ref.rpartition(":")[2]
    greeting = Greeting.objects.select_related("contact").filter(pk=pk if pk.isdigit() else 0).first()
    if greeting is None or greeting.contact is None or greeting.status == Greeting.Status.SKIPPED:
        return False
    contact = greeting.contact
    return contact.greetings_consent and contact.email.lower() == email.to_address.lower()


# --- Gifts (P3.1) ----------------------------------------------------------------------------------


@transaction.atomic
def gift_record(*, partner: Partner, data: dict, recorded_by: User) -> Gift:
    """Record a gift; above the threshold it waits for a manager of the partner's department,
    who is notified in the app."""
    value = Decimal(data["value"])
    pending = gift_needs_approval(value=value, currency=data["currency"])
    contact = data.get("contact")
    if contact is not None and contact.partner_id != partner.pk:
        raise ValueError("The contact belongs to another partner.")
    gift = Gift.objects.create(
        partner=partner,
        contact=contact,
        description=data["description"],
        value=value,
        currency=data["currency"],
        occasion=data.get("occasion", ""),
        direction=data["direction"],
        date=data["date"],
        recorded_by=recorded_by,
        status=Gift.Status.PENDING if pending else Gift.Status.NOT_REQUIRED,
    )
    if pending:
        for manager in department_managers(partner.department_id):
            if manager.pk == recorded_by.pk:
                continue
            notify(
                recipient=manager,
                kind=GIFT_APPROVAL,
                obj_ref=object_ref(gift),
                period="-",
                params={
                    "gift": gift.description,
                    "value": gift.value,
                    "currency": gift.currency,
                    "partner": partner.name,
                },
                link=reverse("customers:gift_decide", args=[gift.pk]),
            )
    return gift


class GiftAlreadyDecided(Exception):
    pass


# What the decision page shows of the gift: what a manager decides on.
GIFT_SHOWN_FIELDS = ("direction", "description", "value", "currency", "occasion", "date", "contact")


@transaction.atomic
def gift_decide(*, gift: Gift, approve: bool, note: str, user: User, version: str | None = None) -> Gift:
    """Approve or reject a pending gift, once (the row is locked; history keeps the change);
    whoever recorded it is told in the app. ``version``: the gift as the manager saw it
    (``StaleEdit`` if it changed since)."""
    locked = Gift.objects.select_for_update(of=("self",)).select_related("partner", "recorded_by").get(pk=gift.pk)
    if locked.status != Gift.Status.PENDING:
        raise GiftAlreadyDecided
    check_version(locked, version, fields=list(GIFT_SHOWN_FIELDS))
    locked.status = Gift.Status.APPROVED if approve else Gift.Status.REJECTED
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    recorder = locked.recorded_by
    if recorder.pk != user.pk:
        notify(
            recipient=recorder,
            kind=GIFT_DECIDED,
            obj_ref=object_ref(locked),
            period="-",
            params={"gift": locked.description, "partner": locked.partner.name, "approved": approve},
            link=reverse("customers:gift_list") + "?status=" + locked.status,
        )
    return locked


# --- Campaigns (P4.2.3) -----------------------------------------------------------------------------


def unsubscribe_token(recipient: CampaignRecipient) -> str:
    digest = salted_hmac(TOKEN_SALT, recipient.nonce, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def unsubscribe_url(recipient: CampaignRecipient) -> str:
    base = base_url()
    return base + reverse("customers:unsubscribe", kwargs={"token": unsubscribe_token(recipient)})


class CampaignAlreadySent(Exception):
    pass


CAMPAIGN_FIELDS = ("name", "subject_en", "body_en", "subject_zh", "body_zh", "family", "tiers", "industry")


@transaction.atomic
def campaign_update(*, pk: int, changed: dict, version: str | None = None, user: User | None = None) -> Campaign:
    """Apply the ``changed`` fields (``tags`` included) to draft campaign ``pk``, reloaded under
    a lock (``StaleEdit`` if it moved since ``version``; ``CampaignAlreadySent`` once sent)."""
    campaign = Campaign.objects.select_for_update().get(pk=pk)
    if campaign.status != Campaign.Status.DRAFT:
        raise CampaignAlreadySent
    check_version(campaign, version, fields=list(CAMPAIGN_FIELDS))
    fields = [name for name in CAMPAIGN_FIELDS if name in changed]
    for name in fields:
        setattr(campaign, name, changed[name])
    if "tags" in changed:
        campaign.tags.set(list(changed["tags"]))
    if fields or "tags" in changed:
        campaign.save(update_fields=[*fields, "updated_at"])
    return campaign


@transaction.atomic
def campaign_send(*, campaign: Campaign, user: User, contacts: Iterable[Contact]) -> int:
    """Mark the campaign sent (once: a conditional update) and add one recipient per
    consenting contact; their emails are queued by a task after commit. Returns recipients."""
    now = timezone.now()
    claimed = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.DRAFT).update(
        status=Campaign.Status.SENT, sent_at=now, sent_by=user, updated_at=now
    )
    if not claimed:
        raise CampaignAlreadySent
    recipients = []
    for contact in contacts:
        if not (contact.marketing_consent and contact.email):
            continue  # the audience query filters these; never trust a caller with consent
        nonce = secrets.token_urlsafe(32)
        recipient = CampaignRecipient(
            campaign=campaign,
            contact=contact,
            email=contact.email,
            language=contact_language(contact),
            nonce=nonce,
        )
        recipient.token_hash = token_hash(unsubscribe_token(recipient))
        recipients.append(recipient)
    CampaignRecipient.objects.bulk_create(recipients, batch_size=500)
    campaign.status, campaign.sent_at, campaign.sent_by = Campaign.Status.SENT, now, user
    transaction.on_commit(lambda: enqueue_safely(tasks.campaign_deliver_task, campaign.pk))
    return len(recipients)


def campaign_deliver(*, campaign_id: int) -> int:
    """Queue the email of every recipient not queued yet, each once (claim on queued_at).
    Recipients who unsubscribed or withdrew consent meanwhile are skipped. Returns emails."""
    campaign = Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.SENT).first()
    if campaign is None:
        return 0
    pending = CampaignRecipient.objects.filter(
        campaign=campaign, queued_at__isnull=True, unsubscribed_at__isnull=True
    ).select_related("contact", "contact__partner")
    queued = 0
    for recipient in pending.iterator(chunk_size=200):
        with transaction.atomic():
            claimed = CampaignRecipient.objects.filter(pk=recipient.pk, queued_at__isnull=True).update(
                queued_at=timezone.now()
            )
            contact = recipient.contact
            if not claimed or not contact.marketing_consent or not contact.email:
                continue
            subject, body = campaign.texts(recipient.language)
            partner = contact.partner
            email = email_store(
                recipient=None,
                to_address=recipient.email,
                language=recipient.language,
                kind=CAMPAIGN_EMAIL_KIND,
                obj_ref=object_ref(recipient),
                period="-",
                template="campaign",
                context={
                    "subject": fill_placeholders(subject, contact=contact, partner=partner),
                    "body": fill_placeholders(body, contact=contact, partner=partner),
                    "unsubscribe_url": unsubscribe_url(recipient),
                },
                # Mail programs show their own "Unsubscribe" button and, with the second
                # header, unsubscribe with one POST (RFC 2369, RFC 8058).
                headers={
                    "List-Unsubscribe": f"<{unsubscribe_url(recipient)}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
            queued += email is not None
    return queued


def campaign_email_still_allowed(email: OutboundEmail) -> bool:
    """SEND_CHECKS: the contact has not unsubscribed nor withdrawn marketing consent."""
    pk = email.object_ref.rpartition(":")[2]
    recipient = CampaignRecipient.objects.select_related("contact").filter(pk=pk if pk.isdigit() else 0).first()
    if recipient is None or recipient.unsubscribed_at is not None:
        return False
    return recipient.contact.marketing_consent


class TokenInvalid(Exception):
    """The link is unknown or was altered: the page says so and nothing else."""


def recipient_for_token(token: str) -> CampaignRecipient:
    if not token or len(token) > TOKEN_MAX_LENGTH:
        raise TokenInvalid
    recipient = CampaignRecipient.objects.select_related("contact").filter(token_hash=token_hash(token)).first()
    if recipient is None:
        raise TokenInvalid
    return recipient


@transaction.atomic
def unsubscribe(*, token: str) -> CampaignRecipient:
    """Withdraw the contact's consent to product news at once (P4.2.3): the contact's
    ``marketing_consent`` turns off (with history), and their campaign emails still in the
    queue are cancelled. Running it twice changes nothing more."""
    recipient = recipient_for_token(token)
    now = timezone.now()
    if recipient.unsubscribed_at is None:
        recipient.unsubscribed_at = now
        recipient.save(update_fields=["unsubscribed_at"])
    contact = recipient.contact
    if contact.marketing_consent:
        contact.marketing_consent = False
        contact.save(update_fields=["marketing_consent", "updated_at"])
    addresses = {recipient.email.lower(), contact.email.lower()} - {""}
    refs = [
        object_ref(r) for r in CampaignRecipient.objects.filter(contact=contact).only("pk")
    ]  # every campaign this contact received
    OutboundEmail.objects.filter(
        kind=CAMPAIGN_EMAIL_KIND, state=OutboundEmail.State.PENDING, object_ref__in=refs
    ).update(state=OutboundEmail.State.CANCELLED, last_error=CANCELLED_PREFIX + "the contact unsubscribed.")
    for address in addresses:
        OutboundEmail.objects.filter(
            kind=CAMPAIGN_EMAIL_KIND, state=OutboundEmail.State.PENDING, to_address__iexact=address
        ).update(state=OutboundEmail.State.CANCELLED, last_error=CANCELLED_PREFIX + "the contact unsubscribed.")
    return recipient
