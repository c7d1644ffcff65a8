"""Scans of the partner registry: follow-ups due and overdue, qualifications expiring (P3.3, P4.1.1)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from crm import roles
from crm.notifications import email_enqueue, notify, object_ref, user_language, user_wants_digest
from crm.scheduler import scan

from .models import FollowUp, QualificationDocument


@scan("followups")
def followups_scan(now: dt.datetime) -> int:
    """Follow-ups due today or overdue: an in-app notification per item as soon as it is
    due (once), and one daily digest email per owner (once a day, not one per item).

    "Today" is the local date in settings.TIME_ZONE: a follow-up due on 28 November is due
    from 00:00 Asia/Shanghai, which is 16:00 UTC the day before.
    """
    today = timezone.localdate(now)
    due = (
        FollowUp.objects.filter(done_at__isnull=True, due_on__lte=today, owner__is_active=True)
        .select_related("partner", "owner")
        .order_by("owner_id", "due_on", "pk")
    )
    effects = 0
    by_owner: dict = defaultdict(list)
    for followup in due:
        by_owner[followup.owner].append(followup)
        overdue = followup.due_on < today
        with override(user_language(followup.owner)):
            title = (_("Overdue: %(item)s (%(partner)s)") if overdue else _("Due today: %(item)s (%(partner)s)")) % {
                "item": followup.description,
                "partner": followup.partner.name,
            }
        effects += notify(
            recipient=followup.owner,
            kind="followup_overdue" if overdue else "followup_due",
            obj_ref=object_ref(followup),
            period=followup.due_on.isoformat(),
            title=title,
            link=followup.partner.get_absolute_url(),
        )
        if not user_wants_digest(followup.owner):
            # "Immediately" users get an email per item, once, as soon as it is due/overdue.
            email = email_enqueue(
                recipient=followup.owner,
                kind="followup_overdue" if overdue else "followup_due",
                obj_ref=object_ref(followup),
                period=followup.due_on.isoformat(),
                template="followup_digest",
                context={
                    "today": today,
                    "count": 1,
                    "overdue": [followup] if overdue else [],
                    "due_today": [] if overdue else [followup],
                },
            )
            effects += email is not None
    local_now = timezone.localtime(now)
    if local_now.hour >= settings.RAPPORT_DIGEST_HOUR:
        for owner, items in by_owner.items():
            if not user_wants_digest(owner):
                continue
            email = email_enqueue(
                recipient=owner,
                kind="followup_digest",
                period=today.isoformat(),
                template="followup_digest",
                context={
                    "today": today,
                    "count": len(items),
                    "overdue": [f for f in items if f.due_on < today],
                    "due_today": [f for f in items if f.due_on == today],
                },
            )
            effects += email is not None
    return effects


@scan("qualifications")
def qualifications_scan(now: dt.datetime) -> int:
    """Qualification documents expiring within RAPPORT_QUALIFICATION_WARN_DAYS (or expired
    and still on an active supplier) → the owner and the department's managers, once per
    document and expiry date."""
    today = timezone.localdate(now)
    horizon = today + dt.timedelta(days=settings.RAPPORT_QUALIFICATION_WARN_DAYS)
    docs = (
        QualificationDocument.objects.filter(expires_on__lte=horizon, partner__archived_at__isnull=True)
        .exclude(partner__status="terminated")
        .select_related("partner", "partner__owner")
    )
    from django.contrib.auth.models import User

    managers_by_dept: dict = defaultdict(list)
    for manager in User.objects.filter(is_active=True, groups__name=roles.MANAGER).select_related("profile"):
        dept = getattr(getattr(manager, "profile", None), "department_id", None)
        if dept:
            managers_by_dept[dept].append(manager)
    effects = 0
    for doc in docs:
        recipients = {doc.partner.owner, *managers_by_dept.get(doc.partner.department_id, [])}
        for user in recipients:
            with override(user_language(user)):
                title = _("%(doc)s of %(partner)s expires on %(date)s") % {
                    "doc": doc.get_doc_type_display(),
                    "partner": doc.partner.name,
                    "date": doc.expires_on.isoformat(),
                }
            effects += notify(
                recipient=user,
                kind="qualification_expiring",
                obj_ref=object_ref(doc),
                period=doc.expires_on.isoformat(),
                title=title,
                link=doc.partner.get_absolute_url() + "#qualifications",
            )
    return effects


def followup_assigned(*, followup: FollowUp, by) -> bool:
    """In-app notification, at once, when someone logs a follow-up owed by someone else."""
    if followup.owner_id == by.pk:
        return False
    with override(user_language(followup.owner)):
        title = _("%(who)s noted a follow-up for you: %(item)s (%(partner)s)") % {
            "who": by.get_full_name() or by.get_username(),
            "item": followup.description,
            "partner": followup.partner.name,
        }
    return notify(
        recipient=followup.owner,
        kind="followup_assigned",
        obj_ref=object_ref(followup),
        period="-",
        title=title,
        link=followup.partner.get_absolute_url(),
    )
