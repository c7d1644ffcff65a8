"""Writes of service cases (P4.1.2 quick response, P4.2.2 service, P4.2.3 complaints).

Every write is atomic, locks the case row, validates the move against ``CASE_TRANSITIONS``
and leaves a ``CaseNote`` in the timeline (simple_history keeps the field-level history).
Deadlines follow ``partners.cases.sla``: calendar hours from the family × priority target,
the resolution clock paused while the case waits on the partner.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm import events, roles
from crm.concurrency import check_version
from crm.notifications import email_enqueue, email_store, notify, object_ref, register_kind
from partners.models import Contact, Partner

from . import sla
from .intake import intake_rule_for
from .models import (
    CASE_TRANSITIONS,
    OPEN_CASE_STATUSES,
    Case,
    CaseChannel,
    CaseIntakeRule,
    CaseKind,
    CaseNote,
    CaseStatus,
    Priority,
    SlaTarget,
)
from .selectors import case_deadline_breached_q, may_open_case

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import Model

# The fields a case form may change through case_update.
EDITABLE_FIELDS = ("partner", "contact", "kind", "channel", "priority", "subject", "description")


def sla_targets_for(*, family: str, priority: str) -> tuple[int, int]:
    """(response hours, resolution hours) of a family × priority."""
    target = SlaTarget.objects.filter(family=family, priority=priority).first()
    if target is not None:
        return target.response_hours, target.resolution_hours
    return sla.DEFAULT_TARGETS.get(priority, sla.DEFAULT_TARGETS[Priority.NORMAL])


def _set_deadlines(case: Case) -> None:
    response_hours, resolution_hours = sla_targets_for(family=case.family, priority=case.priority)
    case.response_due_at = sla.due_at(case.opened_at, response_hours)
    # Pauses already taken still count in the case's favour.
    case.resolution_due_at = sla.due_at(case.opened_at, resolution_hours) + dt.timedelta(seconds=case.paused_seconds)


def _event(case: Case, *, user: User | None, now: dt.datetime, kind=CaseNote.Kind.EVENT, **fields) -> CaseNote:
    return CaseNote.objects.create(case=case, kind=kind, author=user, created_at=now, **fields)


def case_link(case: Case) -> str:
    return reverse("cases:case_detail", kwargs={"pk": case.pk})


# The notices' wording, translated in each reader's language when shown (crm.notifications).
CASE_ASSIGNED = register_kind("case_assigned", gettext_noop("Case %(ref)s assigned to you: %(subject)s"))
CASE_BREACH = register_kind(
    "case_breach",
    lambda params: (
        gettext_noop("Case %(ref)s has had no response in time: %(subject)s")
        if params.get("which") == "response"
        else gettext_noop("Case %(ref)s is past its resolution deadline: %(subject)s")
    ),
)


CASE_INTAKE = register_kind("case_intake", gettext_noop("New case %(ref)s from the public form: %(subject)s"))


def _notify_assignee(case: Case, *, note: CaseNote, by: User | None) -> None:
    assignee = case.assignee
    if assignee is None or (by is not None and assignee.pk == by.pk) or not assignee.is_active:
        return
    notify(
        recipient=assignee,
        kind=CASE_ASSIGNED,
        obj_ref=object_ref(case),
        period=f"n{note.pk}",
        params={"ref": case.reference, "subject": case.subject},
        link=case_link(case),
    )


def _check_contact(partner: Partner | None, contact: Contact | None) -> None:
    if contact is not None and (partner is None or contact.partner_id != partner.pk):
        raise ValidationError({"contact": _("This contact does not belong to the chosen partner.")})


@transaction.atomic
def case_open(
    *,
    kind: str,
    channel: str,
    subject: str,
    description: str,
    partner: Partner | None = None,
    contact: Contact | None = None,
    priority: str = Priority.NORMAL,
    family: str = "",
    assignee: User | None = None,
    created_by: User | None = None,
    submitter_name: str = "",
    submitter_email: str = "",
    submitter_company: str = "",
    language: str = "",
    survey_response: Model | None = None,  # the surveys app's low-score response (P4.2.3)
    about_case: Case | None = None,  # the case that low score was about
    now: dt.datetime | None = None,
) -> Case:
    """Open a case; deadlines from the partner's family and the priority. Without an
    assignee the partner's owner takes it (a web-form case without partner waits in the
    "unassigned" queue). A person opening it must be allowed to (``selectors.may_open_case``);
    the public form and the surveys app open cases with no ``created_by``."""
    if created_by is not None and not may_open_case(created_by):
        raise PermissionDenied
    now = now or timezone.now()
    _check_contact(partner, contact)
    family = partner.family if partner is not None else family
    if not family:
        raise ValidationError({"partner": _("Choose the partner, or at least its family.")})
    if assignee is None and partner is not None and partner.owner_id and partner.owner.is_active:
        assignee = partner.owner
    case = Case(
        reference=f"tmp-{secrets.token_hex(8)}",
        partner=partner,
        contact=contact,
        family=family,
        department_id=partner.department_id if partner is not None else None,
        kind=kind,
        channel=channel,
        priority=priority,
        subject=subject,
        description=description,
        submitter_name=submitter_name,
        submitter_email=submitter_email,
        submitter_company=submitter_company,
        language=language or (contact.preferred_language if contact else "") or settings.LANGUAGE_CODE,
        assignee=assignee,
        created_by=created_by,
        opened_at=now,
        survey_response=survey_response,
        about_case=about_case,
    )
    _set_deadlines(case)
    case.full_clean(exclude=["reference"])
    case.save()
    case.reference = f"CS-{timezone.localtime(now).year}-{case.pk:05d}"
    case.save(update_fields=["reference"])
    note = _event(case, user=created_by, now=now, status_to=CaseStatus.NEW)
    _notify_assignee(case, note=note, by=created_by)
    return case


def case_survey_sent(*, case: Case, to_address: str, now: dt.datetime) -> CaseNote:
    """Record on the case's timeline that its satisfaction survey went to ``to_address``."""
    return _event(case, user=None, now=now, kind=CaseNote.Kind.SURVEY_SENT, body=to_address)


def _locked(case: Case) -> Case:
    # Lock the case row only: PostgreSQL refuses FOR UPDATE on the nullable side of a join.
    return Case.objects.select_for_update(of=("self",)).select_related("partner", "contact", "assignee").get(pk=case.pk)


@transaction.atomic
def case_transition(
    *, case: Case, user: User | None, to_status: str, resolution: str = "", now: dt.datetime | None = None
) -> Case:
    """Move a case along its workflow (reopen = resolved/closed → in progress)."""
    now = now or timezone.now()
    case = _locked(case)
    before = case.status
    if to_status not in CASE_TRANSITIONS.get(before, ()):
        raise ValidationError(
            _("A case that is “%(from)s” cannot become “%(to)s”.")
            % {"from": CaseStatus(before).label, "to": CaseStatus(to_status).label if to_status in CaseStatus else "?"}
        )
    resolution = resolution.strip()
    if to_status == CaseStatus.RESOLVED and not resolution:
        raise ValidationError({"resolution": _("Say how the case was resolved.")})
    fields = ["status", "updated_at"]
    if case.first_response_at is None and user is not None:
        case.first_response_at = now
        fields.append("first_response_at")
    if before == CaseStatus.WAITING and case.paused_at is not None:
        case.resolution_due_at, seconds = sla.resume(case.resolution_due_at, paused_at=case.paused_at, resumed_at=now)
        case.paused_seconds += seconds
        case.paused_at = None
        fields += ["resolution_due_at", "paused_seconds", "paused_at"]
    if to_status == CaseStatus.WAITING:
        case.paused_at = now
        fields.append("paused_at")
    if to_status == CaseStatus.RESOLVED:
        case.resolved_at = now
        case.resolution = resolution
        fields += ["resolved_at", "resolution"]
    if to_status == CaseStatus.CLOSED:
        case.closed_at = now
        fields.append("closed_at")
    if before in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and to_status == CaseStatus.IN_PROGRESS:  # reopen
        # The clock stood still while the case was resolved: that time is a pause, and a
        # new miss of the (later) deadline is escalated again.
        if case.resolved_at is not None:
            case.resolution_due_at, seconds = sla.resume(
                case.resolution_due_at, paused_at=case.resolved_at, resumed_at=now
            )
            case.paused_seconds += seconds
        case.resolved_at = None
        case.closed_at = None
        case.resolution_escalated_at = None
        fields += ["resolved_at", "closed_at", "resolution_due_at", "paused_seconds", "resolution_escalated_at"]
    case.status = to_status
    case.save(update_fields=sorted(set(fields)))
    _event(case, user=user, now=now, status_from=before, status_to=to_status, body=resolution)
    if to_status == CaseStatus.CLOSED and user is not None:
        events.publish(events.CASE_CLOSED, case=case, user=user, now=now)
    return case


@transaction.atomic
def case_note_add(
    *, case: Case, user: User, kind: str, body: str, now: dt.datetime | None = None, email: bool = True
) -> CaseNote:
    """An internal note, or a reply to the partner (emailed to the requester when there is
    an address, unless ``email`` is False: a reply given by phone and recorded afterwards, or
    demo history; the first reply is the first response)."""
    now = now or timezone.now()
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    if kind not in (CaseNote.Kind.NOTE, CaseNote.Kind.REPLY):
        raise ValidationError({"kind": _("Choose a note or a reply.")})
    case = _locked(case)
    note = CaseNote.objects.create(case=case, kind=kind, author=user, body=body, created_at=now)
    if kind == CaseNote.Kind.REPLY:
        # The first reply to the requester is the first response, and someone is now on a
        # new case (issue 12 §2).
        fields = []
        if case.first_response_at is None:
            case.first_response_at = now
            fields.append("first_response_at")
        if case.status == CaseStatus.NEW:
            case.status = CaseStatus.IN_PROGRESS
            fields.append("status")
        if fields:
            case.save(update_fields=[*fields, "updated_at"])
        if "status" in fields:
            _event(case, user=user, now=now, status_from=CaseStatus.NEW, status_to=CaseStatus.IN_PROGRESS)
        if email:
            _email_requester(case, "case_reply", obj=note, context={"note": note})
    return note


@transaction.atomic
def case_assign(*, case: Case, user: User, assignee: User | None, now: dt.datetime | None = None) -> Case:
    now = now or timezone.now()
    case = _locked(case)
    if (case.assignee_id or None) == (assignee.pk if assignee else None):
        return case
    case.assignee = assignee
    case.save(update_fields=["assignee", "updated_at"])
    note = _event(
        case,
        user=user,
        now=now,
        kind=CaseNote.Kind.ASSIGNED,
        body=assignee.get_full_name() or assignee.get_username() if assignee else "",
    )
    _notify_assignee(case, note=note, by=user)
    return case


@transaction.atomic
def case_update(
    *, case: Case, user: User, now: dt.datetime | None = None, version: str | None = None, **fields
) -> Case:
    """Edit what the case is about (triage: link the partner, change the priority): ``fields``
    are the changed ones, applied to the case reloaded under a lock (``StaleEdit`` if it moved
    since ``version``, the one the form was rendered from). The deadlines are recomputed from
    the opening time when the priority or family changes."""
    now = now or timezone.now()
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    case = _locked(case)
    check_version(case, version, fields=list(EDITABLE_FIELDS))
    partner = fields.get("partner", case.partner)
    _check_contact(partner, fields.get("contact", case.contact))
    before = (case.family, case.priority)
    for name, value in fields.items():
        setattr(case, name, value)
    changed = list(fields)
    if partner is not None:
        case.family = partner.family
        case.department_id = partner.department_id
        changed += ["family", "department"]
        if case.assignee_id is None and partner.owner_id:
            case.assignee_id = partner.owner_id
            changed.append("assignee")
    if (case.family, case.priority) != before and case.is_open:
        # A resolved or closed case keeps the deadlines it was measured against: editing it
        # afterwards must not turn a missed deadline into a met one.
        _set_deadlines(case)
        changed += ["response_due_at", "resolution_due_at"]
    case.full_clean()
    case.save(update_fields=sorted({*changed, "updated_at"}))
    if fields:
        _event(case, user=user, now=now, kind=CaseNote.Kind.EDITED, changed_fields=sorted(fields))
    return case


# --- Escalation (scheduler) ------------------------------------------------------------------

ESCALATION_FIELDS = {"response": "response_escalated_at", "resolution": "resolution_escalated_at"}


def case_escalation_due_q(which: str, now: dt.datetime) -> Q:
    """Open cases past the ``which`` deadline (``selectors.case_deadline_breached_q``) and
    not escalated for it yet: what the scan finds and the escalation claims."""
    return (
        Q(status__in=OPEN_CASE_STATUSES)
        & case_deadline_breached_q(which, now)
        & Q(**{f"{ESCALATION_FIELDS[which]}__isnull": True})
    )


def escalation_recipients(case: Case) -> list[User]:
    """The managers of the case's department (every manager when it has none), and the
    assignee."""
    users = get_user_model().objects.filter(is_active=True, groups__name=roles.MANAGER)
    if case.department_id is not None:
        users = users.filter(profile__department_id=case.department_id)
    recipients = {u.pk: u for u in users.distinct()}
    if case.assignee_id and case.assignee.is_active:
        recipients.setdefault(case.assignee_id, case.assignee)
    return list(recipients.values())


@transaction.atomic
def case_escalate(*, case_id: int, which: str, now: dt.datetime | None = None) -> int:
    """Tell the managers that a case missed its ``which`` deadline, once: the claim is a
    conditional update of ``<which>_escalated_at``. Returns the notifications created."""
    now = now or timezone.now()
    field = ESCALATION_FIELDS[which]
    claimed = Case.objects.filter(case_escalation_due_q(which, now), pk=case_id).update(**{field: now})
    if not claimed:
        return 0
    case = Case.objects.select_related("assignee", "partner", "department").get(pk=case_id)
    _event(case, user=None, now=now, kind=CaseNote.Kind.ESCALATION, body=which)
    # The missed deadline is part of the key: a case reopened, given a later deadline and
    # missing that one too is escalated again; the same miss never twice.
    due = case.response_due_at if which == "response" else case.resolution_due_at
    period = f"{which[:4]}-{due.astimezone(dt.UTC):%y%m%d%H%M}"
    created = 0
    for user in escalation_recipients(case):
        created += notify(
            recipient=user,
            kind=CASE_BREACH,
            obj_ref=object_ref(case),
            period=period,
            params={"ref": case.reference, "subject": case.subject, "which": which},
            link=case_link(case),
        )
        email_enqueue(
            recipient=user,
            kind="case_breach",
            period=period,
            obj_ref=object_ref(case),
            template="case_breach",
            context={"case": case, "which": which, "link": case_link(case)},
        )
    return created


# --- Public feedback form ------------------------------------------------------------------


@transaction.atomic
def feedback_submit(
    *,
    family: str,
    kind: str,
    name: str,
    email: str,
    company: str,
    subject: str,
    description: str,
    language: str,
    now: dt.datetime | None = None,
) -> Case:
    """A complaint or suggestion from the public form → a case (P4.2.3).

    It is never linked to a partner here, even when the address is a known contact's:
    anyone can type any address, and a case filed in a customer's name would send our
    replies and the after-case survey to that customer. Triage links it (the case page
    suggests the contacts with that address)."""
    if kind not in (CaseKind.COMPLAINT, CaseKind.SUGGESTION):
        raise ValidationError({"kind": _("Choose a complaint or a suggestion.")})
    case = case_open(
        kind=kind,
        channel=CaseChannel.WEB_FORM,
        subject=subject,
        description=description,
        family=family,
        submitter_name=name,
        submitter_email=email,
        submitter_company=company,
        language=language,
        now=now,
    )
    case_intake(case=case)
    case_acknowledge(case=case)
    return case


# --- Intake of public cases (issue 12 §2) ----------------------------------------------------


def intake_recipients(rule: CaseIntakeRule | None) -> list[User]:
    """Who the rule notifies; every active manager when it names nobody active (no rule, or a
    department without managers): a public case is never silent."""
    users = get_user_model().objects.filter(is_active=True)
    if rule is not None and rule.notify == CaseIntakeRule.Notify.ON_DUTY:
        chosen = list(users.filter(pk__in=rule.on_duty.values("pk")).order_by("pk"))
    elif rule is not None:
        managers = users.filter(groups__name=roles.MANAGER, profile__department_id=rule.department_id)
        chosen = list(managers.distinct().order_by("pk"))
    else:
        chosen = []
    return chosen or list(users.filter(groups__name=roles.MANAGER).distinct().order_by("pk"))


def case_intake(*, case: Case) -> int:
    """Route a public case by its intake rule: the rule's department takes it and its people
    are told now, once per case: in the app and by e-mail, whatever their digest setting (the
    first-response clock is running). Returns the notifications created."""
    rule = intake_rule_for(family=case.family, kind=case.kind)
    if rule is not None and case.department_id is None:
        case.department = rule.department
        case.save(update_fields=["department", "updated_at"])
    created = 0
    for user in intake_recipients(rule):
        created += notify(
            recipient=user,
            kind=CASE_INTAKE,
            obj_ref=object_ref(case),
            period="intake",
            params={"ref": case.reference, "subject": case.subject},
            link=case_link(case),
        )
        email_enqueue(
            recipient=user,
            kind=CASE_INTAKE,
            period="intake",
            obj_ref=object_ref(case),
            template="case_intake",
            context={"case": case, "link": case_link(case)},
        )
    return created


def case_acknowledge(*, case: Case):
    """Tell the requester we have their message: the reference and when to expect a first
    response, in the language the form was shown in; once per case (the email's key)."""
    return _email_requester(case, "case_received", obj=case)


def _email_requester(case: Case, template: str, *, obj, context: dict | None = None):
    """An e-mail to whoever wrote in, in the language of their form, once per ``obj`` (the
    e-mail's key: the template and the object); None when the case has no requester address."""
    if not case.requester_email:
        return None
    return email_store(
        recipient=None,
        to_address=case.requester_email,
        language=case.language,
        kind=template,
        obj_ref=object_ref(obj),
        period="-",
        template=template,
        context={"case": case, **(context or {})},
    )
