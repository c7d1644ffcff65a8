"""Reminder effects of the partner registry (P3.3 nothing falls through, P4.1.1).

Each function takes ids and a day, and creates its effects through crm.notifications,
whose unique keys make a second call do nothing. The scans in partners/scans.py find
what is due and fan out one task per id (partners/tasks.py).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_noop

from crm import roles
from crm.notifications import email_enqueue, notify, object_ref, register_kind, user_wants_digest

from .models import FollowUp

# The notices' wording, translated in each reader's language when shown (crm.notifications).
FOLLOWUP_DUE = register_kind("followup_due", gettext_noop("Due today: %(item)s (%(partner)s)"))
FOLLOWUP_OVERDUE = register_kind("followup_overdue", gettext_noop("Overdue since %(date)s: %(item)s (%(partner)s)"))
FOLLOWUP_ASSIGNED = register_kind(
    "followup_assigned", gettext_noop("%(who)s noted a follow-up for you: %(item)s (%(partner)s)")
)


@transaction.atomic
def followup_remind(*, followup_id: int, day: dt.date) -> int:
    """The in-app reminder for a follow-up due (or overdue) on ``day``; for users who chose
    "immediately", an email about this one item too, in its own words (issue 12, item 5:
    never the daily digest's). Returns the number of effects created (0 on a rerun)."""
    followup = FollowUp.objects.select_related("partner", "owner").filter(pk=followup_id).first()
    if followup is None or followup.done_at is not None or followup.due_on > day or not followup.owner.is_active:
        return 0
    overdue = followup.due_on < day
    kind = FOLLOWUP_OVERDUE if overdue else FOLLOWUP_DUE
    effects = int(
        notify(
            recipient=followup.owner,
            kind=kind,
            obj_ref=object_ref(followup),
            period=followup.due_on.isoformat(),
            params={"item": followup.description, "partner": followup.partner.name, "date": followup.due_on},
            link=followup.partner.get_absolute_url(),
        )
    )
    if not user_wants_digest(followup.owner):
        email = email_enqueue(
            recipient=followup.owner,
            kind=kind,
            obj_ref=object_ref(followup),
            period=followup.due_on.isoformat(),
            template="followup_reminder",
            context={"followup": followup, "overdue": overdue},
        )
        effects += email is not None
    return effects


def followups_due_for(*, owner_id: int, day: dt.date) -> list[FollowUp]:
    return list(
        FollowUp.objects.filter(owner_id=owner_id, done_at__isnull=True, due_on__lte=day)
        .select_related("partner")
        .order_by("due_on", "pk")
    )


@transaction.atomic
def followup_digest(*, owner_id: int, day: dt.date) -> int:
    """One email a day per owner listing what is due today and overdue (not one per item)."""
    owner = User.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None or not user_wants_digest(owner):
        return 0
    items = followups_due_for(owner_id=owner_id, day=day)
    if not items:
        return 0
    email = email_enqueue(
        recipient=owner,
        kind="followup_digest",
        period=day.isoformat(),
        template="followup_digest",
        context={
            "today": day,
            "count": len(items),
            "overdue": [f for f in items if f.due_on < day],
            "due_today": [f for f in items if f.due_on == day],
        },
    )
    return int(email is not None)


def department_managers(department_id: int | None) -> list[User]:
    if department_id is None:
        return []
    return list(
        User.objects.filter(is_active=True, groups__name=roles.MANAGER, profile__department_id=department_id).distinct()
    )


def followup_assigned(*, followup: FollowUp, by) -> bool:
    """In-app notification, at once, when someone logs a follow-up owed by someone else."""
    if followup.owner_id == by.pk:
        return False
    return notify(
        recipient=followup.owner,
        kind=FOLLOWUP_ASSIGNED,
        obj_ref=object_ref(followup),
        period="-",
        params={
            "who": by.get_full_name() or by.get_username(),
            "item": followup.description,
            "partner": followup.partner.name,
        },
        link=followup.partner.get_absolute_url(),
    )
