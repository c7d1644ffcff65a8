"""The agreements scan (registered with crm.scheduler): notice periods and ends, execution
reviews due, partners' obligations due (P4.3.2). Each effect is keyed (kind, object, date,
recipient), so the hourly rerun adds nothing and a missed day is caught up."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from crm.scheduler import scan

from .models import IN_FORCE, NOTICE_MAX_DAYS, Agreement, AgreementStatus, Obligation, ObligationStatus, Party
from .tasks import agreement_review_remind_task, agreement_status_refresh_task, obligation_remind_task


@scan("agreements")
def agreements_scan(now: dt.datetime) -> int:
    """Agreements whose status should move (into the notice period, past the end) → one
    task each; in force with a review due → one reminder task each; partners' open
    obligations due → one reminder task each."""
    today = timezone.localdate(now)
    in_force = Agreement.objects.filter(status__in=IN_FORCE)
    # ``notice_on`` is ends_on − notice_days: compared in Python over the few in force that
    # end within the longest notice period allowed (NOTICE_MAX_DAYS), or are in it already.
    moving = [
        a.pk
        for a in in_force.filter(
            Q(ends_on__lte=today + dt.timedelta(days=NOTICE_MAX_DAYS)) | Q(status=AgreementStatus.EXPIRING)
        ).only("pk", "status", "ends_on", "notice_days")
        if (a.ends_on < today)
        or (a.notice_on <= today and a.status != AgreementStatus.EXPIRING)
        or (a.notice_on > today and a.status == AgreementStatus.EXPIRING)
    ]
    for pk in moving:
        agreement_status_refresh_task.delay(pk, today.isoformat())
    reviews = list(in_force.filter(next_review_on__lte=today).values_list("pk", flat=True))
    for pk in reviews:
        agreement_review_remind_task.delay(pk)
    obligations = list(
        Obligation.objects.filter(
            status=ObligationStatus.OPEN, party=Party.THEIRS, due_on__lte=today, agreement__status__in=IN_FORCE
        ).values_list("pk", flat=True)
    )
    for pk in obligations:
        obligation_remind_task.delay(pk)
    return len(moving) + len(reviews) + len(obligations)
