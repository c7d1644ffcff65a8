"""Scans of the partner registry (registered with crm.scheduler). Each finds what is due
in the database and fans out one small task per id; the effects' unique keys make reruns
and duplicate deliveries harmless (P3.3 nothing falls through)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from crm.models import Notification, OutboundEmail
from crm.scheduler import scan

from .models import FollowUp


@scan("followups")
def followups_scan(now: dt.datetime) -> int:
    """Follow-ups due today or overdue → one reminder task per follow-up; after
    RAPPORT_DIGEST_HOUR (local time) one digest task per owner.

    "Today" is the local date in settings.TIME_ZONE: a follow-up due on 28 November is
    due from 00:00 Asia/Shanghai, which is 16:00 UTC on the 27th. Returns tasks enqueued.
    """
    from .tasks import followup_digest_task, followup_remind_task

    today = timezone.localdate(now)
    due = FollowUp.objects.filter(done_at__isnull=True, due_on__lte=today, owner__is_active=True)
    rows = list(
        # A rerun enqueues only what has no reminder yet.
        due.exclude(Q(due_on=today), _reminder_sent("followup_due"))
        .exclude(Q(due_on__lt=today), _reminder_sent("followup_overdue"))
        .order_by("owner_id", "due_on", "pk")
        .values_list("pk", "owner_id")
    )
    for pk, _owner in rows:
        followup_remind_task.delay(pk, today.isoformat())
    owners: list[int] = []
    if timezone.localtime(now).hour >= settings.RAPPORT_DIGEST_HOUR:
        digest_sent = OutboundEmail.objects.filter(
            recipient_id=OuterRef("owner_id"), kind="followup_digest", period=today.isoformat()
        )
        owners = sorted(set(due.exclude(Exists(digest_sent)).values_list("owner_id", flat=True)))
        for owner_id in owners:
            followup_digest_task.delay(owner_id, today.isoformat())
    return len(rows) + len(owners)


def _reminder_sent(kind: str) -> Exists:
    """The follow-up's reminder of ``kind`` exists (see reminders.followup_remind: "due" on
    its day, "overdue" after, keyed by the due date). The reminder and its email are
    written in one transaction, so the notification stands for both."""
    return Exists(
        Notification.objects.filter(
            recipient_id=OuterRef("owner_id"),
            kind=kind,
            object_ref=Concat(Value(f"{FollowUp._meta.label_lower}:"), Cast(OuterRef("pk"), CharField())),
            period=Cast(OuterRef("due_on"), CharField()),
        )
    )


@scan("care_greetings")
def care_greetings_scan(now: dt.datetime) -> int:
    """P4.2.3: birthdays (consenting contacts), company anniversaries and holidays of key and
    important customers within RAPPORT_GREETING_LEAD_DAYS → one task per occasion that has
    no greeting yet (the greeting's unique key makes a duplicate task harmless). An emailed
    greeting is left for its day, so the contact does not get it days early."""
    from .care import greeting_template_for, greeting_waits_for_the_day
    from .care_selectors import care_occasions
    from .models import GreetingTemplate
    from .tasks import greeting_prepare_task

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
    from .models import CampaignRecipient
    from .tasks import campaign_deliver_task

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
