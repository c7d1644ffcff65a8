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

from .importing.services import IMPORT_TIME_LIMIT
from .models import FollowUp, ImportJob
from .tasks import followup_digest_task, followup_remind_task, import_job_apply_task, import_job_preview_task

# An import job waits this long for its task before the scan sends the task again: the
# broker lost it (restarted without persistence), or no worker took it.
IMPORT_REQUEUE_AFTER = dt.timedelta(minutes=10)


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


@scan("imports")
def imports_scan(now: dt.datetime) -> int:
    """Import jobs still waiting for their task after IMPORT_REQUEUE_AFTER, or left working
    by a worker killed past the import time limit → their task once more. The job's own
    claim (importing.services._claim) makes a task that arrives twice run once."""
    status = ImportJob.Status
    abandoned = now - dt.timedelta(seconds=IMPORT_TIME_LIMIT + 60)
    jobs = list(
        ImportJob.objects.filter(
            Q(status__in=(status.PREVIEW_QUEUED, status.QUEUED), updated_at__lt=now - IMPORT_REQUEUE_AFTER)
            | Q(status__in=(status.PREVIEWING, status.RUNNING), updated_at__lt=abandoned)
        )
        .order_by("pk")
        .values_list("pk", "status")
    )
    for pk, state in jobs:
        if state in (status.PREVIEW_QUEUED, status.PREVIEWING):
            import_job_preview_task.delay(pk)
        else:
            import_job_apply_task.delay(pk)
    return len(jobs)
