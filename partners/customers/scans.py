"""Scans of customer care (registered with crm.scheduler): greetings and campaigns (P4.2.3)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from crm.scheduler import scan

from .models import CampaignRecipient, GreetingTemplate
from .selectors import care_occasions
from .services import greeting_template_for, greeting_waits_for_the_day
from .tasks import campaign_deliver_task, greeting_prepare_task


@scan("care_greetings")
def care_greetings_scan(now: dt.datetime) -> int:
    """P4.2.3: birthdays (consenting contacts), company anniversaries and holidays of key and
    important customers within RAPPORT_GREETING_LEAD_DAYS → one task per occasion that has
    no greeting yet (the greeting's unique key makes a duplicate task harmless). An emailed
    greeting is left for its day, so the contact does not get it days early."""

    today = timezone.localdate(now)
    templates = list(GreetingTemplate.objects.filter(is_active=True).order_by("pk"))
    due = [
        o
        for o in care_occasions(start=today, end=today + dt.timedelta(days=settings.RAPPORT_GREETING_LEAD_DAYS))
        if o.greeting is None
        and not greeting_waits_for_the_day(
            template=greeting_template_for(occasion=o.occasion, holiday=o.holiday, templates=templates),
            contact=o.contact,
            day=o.date,
            today=today,
        )
    ]
    for o in due:
        greeting_prepare_task.delay(
            o.partner.pk,
            o.contact.pk if o.contact else None,
            o.occasion,
            o.date.isoformat(),
            o.holiday.pk if o.holiday else None,
            today.isoformat(),
        )
    return len(due)


@scan("campaigns")
def campaigns_scan(now: dt.datetime) -> int:
    """Sent campaigns with recipients whose email is not queued yet (the broker was down
    when the campaign was sent) → one delivery task per campaign."""

    ids = sorted(
        set(
            CampaignRecipient.objects.filter(queued_at__isnull=True, unsubscribed_at__isnull=True).values_list(
                "campaign_id", flat=True
            )
        )
    )
    for pk in ids:
        campaign_deliver_task.delay(pk)
    return len(ids)
