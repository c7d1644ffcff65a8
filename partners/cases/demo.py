"""Demo data of the service cases, called by ``seed_demo``: a year of cases in every state, some
of them late, with past timestamps so their timelines and deadlines are what the application
would have recorded. Idempotent: a second run adds nothing.

The cases are written in bulk (``CaseWriter``), with the rows the services would write step by
step: the case in its final state, its timeline notes, one history row per save (the creation,
the reference, each move), the assignee's notice for a web-form case. Not done: the
``CASE_CLOSED`` event (it sends the after-case survey, which the demo turns on only afterwards,
for new cases: ``evaluations.surveys.demo.seed_automations``) and the services' checks (the
demo's data passes them).
"""

from __future__ import annotations

import datetime as dt
import random
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from crm.demo import DemoOptions
from crm.demo_rows import create_rows, insert_rows, reserve_pks
from crm.notifications import notify, object_ref
from partners.models import Contact, Family, Partner

from . import services, sla
from .models import (
    Case,
    CaseNote,
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
    writer = CaseWriter()
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
        case = writer.open(
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
        _play(rng, writer, case, contact.partner.owner, opened, now)
    writer.save()
    return len(writer.cases)


class CaseWriter:
    """What case_open, case_note_add and case_transition write, kept in memory and written in
    bulk by ``save``: cases, notes, history rows (one per save, as simple_history records
    them) and the assignee's notices."""

    def __init__(self) -> None:
        self.cases: list[Case] = []
        self.notes: list[tuple[Case, CaseNote]] = []
        self.history: list[tuple[Case, dict]] = []
        self.notices: list[tuple[Case, CaseNote]] = []
        self.targets: dict[tuple[str, int], tuple[int, int]] = {}
        self.tracked = [f.attname for f in Case.history.model.tracked_fields]

    def snapshot(self, case: Case, kind: str) -> None:
        row = {n: getattr(case, n) for n in self.tracked}
        row |= {"history_date": timezone.now(), "history_type": kind}
        self.history.append((case, row))

    def note(self, case: Case, **fields) -> CaseNote:
        note = CaseNote(case=case, **fields)
        self.notes.append((case, note))
        return note

    def event(self, case: Case, *, user: User | None, now: dt.datetime, **fields) -> CaseNote:
        return self.note(case, kind=CaseNote.Kind.EVENT, author=user, created_at=now, **fields)

    def open(self, *, partner: Partner, contact: Contact, created_by: User | None, now: dt.datetime, **fields) -> Case:
        """As services.case_open: the partner's owner is the assignee; deadlines from its SLA."""
        assignee = partner.owner if partner.owner_id and partner.owner.is_active else None
        language = contact.preferred_language or settings.LANGUAGE_CODE
        stamp = timezone.now()
        case = Case(
            reference=f"tmp-{secrets.token_hex(8)}",
            partner=partner,
            contact=contact,
            family=partner.family,
            department_id=partner.department_id,
            language=language,
            assignee=assignee,
            created_by=created_by,
            opened_at=now,
            created_at=stamp,
            updated_at=stamp,
            **fields,
        )
        key = (case.family, case.priority)
        if key not in self.targets:
            self.targets[key] = services.sla_targets_for(family=case.family, priority=case.priority)
        response_hours, resolution_hours = self.targets[key]
        case.response_due_at = sla.due_at(case.opened_at, response_hours)
        case.resolution_due_at = sla.due_at(case.opened_at, resolution_hours)
        self.cases.append(case)
        self.snapshot(case, "+")  # the reference is set once the pk is known (save)
        self.snapshot(case, "~")
        note = self.event(case, user=created_by, now=now, status_to=CaseStatus.NEW)
        if assignee is not None and (created_by is None or assignee.pk != created_by.pk):
            self.notices.append((case, note))
        return case

    def reply(self, *, case: Case, user: User, body: str, now: dt.datetime) -> None:
        """As services.case_note_add of a reply (not e-mailed): the first response."""
        self.note(case, kind=CaseNote.Kind.REPLY, author=user, body=body, created_at=now)
        case.first_response_at = case.first_response_at or now
        before, case.status = case.status, CaseStatus.IN_PROGRESS
        self.snapshot(case, "~")
        self.note(
            case, kind=CaseNote.Kind.EVENT, author=user, created_at=now, status_from=before, status_to=case.status
        )

    def transition(self, *, case: Case, user: User, to_status: str, now: dt.datetime, resolution: str = "") -> None:
        """As services.case_transition to resolved or closed."""
        before, case.status = case.status, to_status
        if to_status == CaseStatus.RESOLVED:
            case.resolved_at, case.resolution = now, resolution
        else:
            case.closed_at = now
        self.snapshot(case, "~")
        self.note(
            case,
            kind=CaseNote.Kind.EVENT,
            author=user,
            created_at=now,
            status_from=before,
            status_to=to_status,
            body=resolution,
        )

    def save(self) -> None:
        for case, pk in zip(self.cases, reserve_pks(Case, len(self.cases)), strict=True):
            case.pk = pk
            case.reference = f"CS-{timezone.localtime(case.opened_at).year}-{pk:05d}"
        create_rows(Case, self.cases)
        first = {}
        for case, row in self.history:
            row["id"] = case.pk
            if first.setdefault(case.pk, row) is not row:
                row["reference"] = case.reference  # every row after the creation one
        history = Case.history.model
        insert_rows(
            history,
            [row | {"history_user_id": None, "history_change_reason": None} for _case, row in self.history],
        )
        create_rows(CaseNote, [note for _case, note in self.notes])
        for case, note in self.notices:  # the few web-form cases: through notify, as case_open does
            notify(
                recipient=case.assignee,
                kind=services.CASE_ASSIGNED,
                obj_ref=object_ref(case),
                period=f"n{note.pk}",
                params={"ref": case.reference, "subject": case.subject},
                link=services.case_link(case),
            )


def _play(
    rng: random.Random, writer: CaseWriter, case: Case, user: User, opened: dt.datetime, now: dt.datetime
) -> None:
    """Move a case along its workflow; about one in six misses a deadline."""
    response_window = (case.response_due_at - opened).total_seconds() / 3600
    resolution_window = (case.resolution_due_at - opened).total_seconds() / 3600
    late = rng.random() < 0.17
    respond_at = opened + dt.timedelta(hours=response_window * (rng.uniform(1.1, 2) if late else rng.uniform(0.1, 0.9)))
    if respond_at >= now:
        return  # still new
    writer.reply(case=case, user=user, body="Thank you, we are looking into it.", now=respond_at)
    # The reply is the first response and moves the case to "in progress".
    resolve_at = opened + dt.timedelta(
        hours=resolution_window * (rng.uniform(1.05, 1.6) if late else rng.uniform(0.2, 0.95))
    )
    if resolve_at >= now:
        return  # in progress
    writer.transition(
        case=case, user=user, to_status=CaseStatus.RESOLVED, resolution="Solved with the partner.", now=resolve_at
    )
    close_at = resolve_at + dt.timedelta(days=rng.randint(1, 5))
    if close_at < now:
        writer.transition(case=case, user=user, to_status=CaseStatus.CLOSED, now=close_at)


def seed(*, rng: random.Random, now: dt.datetime, options: DemoOptions) -> dict[str, int]:
    """Registered with crm.demo (partners/cases/apps.py)."""
    return {"cases": seed_cases(rng=rng, now=now)}
