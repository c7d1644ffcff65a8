"""Demo data of the service cases, called by ``seed_demo``: a year of cases in every state, some
of them late, written through the services with past timestamps so their timelines and deadlines
are what the application would have recorded. Idempotent: a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.models import User

from crm.demo import DemoOptions
from partners.models import Contact, Family, Partner

from . import services
from .models import (
    Case,
    CaseStatus,
    Priority,
)

CASES = 60  # at least; one per ten partners on bigger demo sets

CASE_SUBJECTS = {
    Family.SUPPLIER: [
        ("issue", "Drawing revision not received"),
        ("request", "Request to extend payment terms"),
        ("issue", "Quality certificate missing from shipment"),
        ("request", "Forecast for next quarter needed"),
        ("issue", "Purchase order quantity mismatch"),
    ],
    Family.CUSTOMER: [
        ("complaint", "Delivery arrived two days late"),
        ("complaint", "Invoice amount does not match the quote"),
        ("request", "Please send the updated price list"),
        ("suggestion", "Offer a self-service order tracking page"),
        ("complaint", "Damaged packaging on the last order"),
        ("request", "Need a product training session"),
    ],
    Family.PARTNER: [
        ("request", "Joint marketing materials for the trade fair"),
        ("issue", "Shared lead was contacted twice"),
    ],
    Family.ASSOCIATION: [("request", "Speaker needed for the annual meeting")],
}


def seed_cases(*, rng: random.Random, now: dt.datetime) -> int:
    """About a year of cases in every state; returns the cases created."""
    missing = max(CASES, Partner.objects.count() // 10) - Case.objects.count()
    if missing <= 0:
        return 0
    contacts_by_family: dict[str, list[Contact]] = {}
    for contact in (
        Contact.objects.filter(partner__archived_at__isnull=True, partner__owner__is_active=True)
        .select_related("partner", "partner__owner")
        .order_by("pk")[:600]
    ):
        contacts_by_family.setdefault(contact.partner.family, []).append(contact)
    weights = {Family.CUSTOMER: 5, Family.SUPPLIER: 4, Family.PARTNER: 1, Family.ASSOCIATION: 1}
    families = [f for f in weights if contacts_by_family.get(f)]
    if not families:
        return 0
    created = 0
    # The demo logins (staff, staff2) own some of the newest cases, so their dashboards and
    # "assigned to me" lists show work to do.
    demo_owned = [
        c for cs in contacts_by_family.values() for c in cs if c.partner.owner.username in ("staff", "staff2")
    ]
    for i in range(missing):
        family = rng.choices(families, weights=[weights[f] for f in families])[0]
        contact = rng.choice(contacts_by_family[family])
        if i % 6 == 0 and demo_owned:
            contact = rng.choice(demo_owned)
            family = contact.partner.family
        kind, subject = rng.choice(CASE_SUBJECTS[family])
        # Spread over the past year; the newest ones are still open.
        age_hours = rng.uniform(2, 24 * 360) if i % 6 else rng.uniform(1, 60)
        opened = now - dt.timedelta(hours=age_hours)
        priority = rng.choices(list(Priority), weights=[2, 6, 3, 1])[0]
        web = kind in ("complaint", "suggestion") and rng.random() < 0.25
        case = services.case_open(
            partner=contact.partner,
            contact=contact,
            kind=kind,
            channel="web_form" if web else rng.choice(["phone", "email", "chat", "visit"]),
            priority=priority,
            subject=subject,
            description=subject + ".",
            created_by=None if web else contact.partner.owner,
            now=opened,
        )
        _play(rng, case, contact.partner.owner, opened, now)
        created += 1
    return created


def _play(rng: random.Random, case: Case, user: User, opened: dt.datetime, now: dt.datetime) -> None:
    """Move a case along its workflow; about one in six misses a deadline."""
    response_window = (case.response_due_at - opened).total_seconds() / 3600
    resolution_window = (case.resolution_due_at - opened).total_seconds() / 3600
    late = rng.random() < 0.17
    respond_at = opened + dt.timedelta(hours=response_window * (rng.uniform(1.1, 2) if late else rng.uniform(0.1, 0.9)))
    if respond_at >= now:
        return  # still new
    services.case_note_add(
        case=case, user=user, kind="reply", body="Thank you, we are looking into it.", now=respond_at, email=False
    )
    # The reply is the first response and moves the case to "in progress".
    resolve_at = opened + dt.timedelta(
        hours=resolution_window * (rng.uniform(1.05, 1.6) if late else rng.uniform(0.2, 0.95))
    )
    if resolve_at >= now:
        return  # in progress
    services.case_transition(
        case=case, user=user, to_status=CaseStatus.RESOLVED, resolution="Solved with the partner.", now=resolve_at
    )
    close_at = resolve_at + dt.timedelta(days=rng.randint(1, 5))
    if close_at < now:
        services.case_transition(case=case, user=user, to_status=CaseStatus.CLOSED, now=close_at)


def seed(*, rng: random.Random, now: dt.datetime, options: DemoOptions) -> dict[str, int]:
    """Registered with crm.demo (partners/cases/apps.py)."""
    return {"cases": seed_cases(rng=rng, now=now)}
