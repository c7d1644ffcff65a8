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
from .tasks import followup_digest_task, followup_remind_task


@scan("followups")
def followups_scan(now: dt.datetime) -> int:
    """Follow-ups due today or overdue → one reminder task per follow-up; after
    RAPPORT_DIGEST_HOUR (local time) one digest task per owner.

    "Today" is the local date in settings.TIME_ZONE: a follow-up due on 28 November is
    due from 00:00 Asia/Shanghai, which is 16:00 UTC on the 27th. Returns tasks enqueued.
    """

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
