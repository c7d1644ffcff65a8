"""Writes of the kernel's own records: corrective actions (docs/architecture.md, "One
corrective-action concept"). Any app raises them from its own records (a scorecard's plan,
a supervision finding, an annual-report plan item); the rules of who may respond, verify and
cancel are in ``crm.selectors``.

Every write is one transaction that reloads the action under a lock, checks the version the
form was rendered from (``crm.concurrency``), records who did it in the history, and notifies
whom it concerns in their own language. The reminders, overdue notices and escalations are
``corrective_action_remind``, run by the ``corrective_actions`` scan (crm/scans.py), each
effect keyed (kind, action, due date, recipient) so it happens once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from . import notifications, roles
from .concurrency import check_version
from .models import ApiToken, CorrectiveAction, Department
from .notification_kinds import register_kind
from .selectors import department_managers, may_cancel, may_respond, verify_problem
from .uploads import validate_upload

if TYPE_CHECKING:
    from django.contrib.auth.models import User

State = CorrectiveAction.State


def _stamp(action: CorrectiveAction, by, reason: str = "") -> CorrectiveAction:
    """Who (and why) for the history row this save writes (P3.1)."""
    if by is not None:
        action._history_user = by
    if reason:
        action._change_reason = reason[:100]
    return action


def _required(text: str, message: str, code: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(message, code=code)
    return text


def _locked(action: CorrectiveAction, version) -> CorrectiveAction:
    row = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    check_version(
        row,
        version,
        fields=["state", "response", "evidence", "due_on", "owner", "verification_note", "cancel_reason"],
    )
    return row


def _tell(user: User, action: CorrectiveAction, kind: str, *, period: str, email: bool = False) -> int:
    """One notification (and e-mail) to ``user`` in their language; 0 when it existed."""
    params = {"action": action.description[:120], "date": action.due_on}
    ref = notifications.object_ref(action)
    link = action.get_absolute_url()
    created = notifications.notify(recipient=user, kind=kind, obj_ref=ref, period=period, params=params, link=link)
    if email:
        with override(notifications.user_language(user)):
            title = notifications.render_kind(kind, params)
        created += (
            notifications.email_enqueue(
                recipient=user,
                kind=kind,
                obj_ref=ref,
                period=period,
                template="corrective_action",
                context={"title": title, "action": action, "link": link},
            )
            is not None
        )
    return int(created)


# The notices' wording, translated in each reader's language when shown.
RAISED = register_kind(
    "corrective_action_raised", gettext_noop("A corrective action was assigned to you, due %(date)s: %(action)s")
)
DUE_SOON = register_kind("corrective_action_due_soon", gettext_noop("Corrective action due on %(date)s: %(action)s"))
OVERDUE = register_kind(
    "corrective_action_overdue", gettext_noop("Corrective action overdue since %(date)s: %(action)s")
)
ESCALATED = register_kind(
    "corrective_action_escalated",
    gettext_noop("Escalation: a corrective action of your department is overdue since %(date)s: %(action)s"),
)
ACCEPTED = register_kind(
    "corrective_action_verified", gettext_noop("Your corrective action was verified and closed: %(action)s")
)
REFUSED = register_kind(
    "corrective_action_refused",
    gettext_noop("Your corrective action's response was not accepted; it is open again: %(action)s"),
)


@transaction.atomic
def corrective_action_raise(
    *,
    source: Model,
    description: str,
    department: Department,
    owner: User,
    due_on: dt.date,
    by: User | None,
) -> CorrectiveAction:
    """Raise an action from ``source`` (any saved row: a plan, a finding, a plan item),
    addressed to ``department``, owed by ``owner``. Whether ``by`` may raise actions from that
    source is the calling app's rule; the kernel asks only that they hold a role. The owner
    is told at once (unless they raised it themselves)."""
    if by is not None and not roles.has_any_role(by):
        raise PermissionDenied
    problems = []
    description = (description or "").strip()
    if not description:
        problems.append(_("Describe the corrective action."))
    if owner is None or not owner.is_active:
        problems.append(_("Choose an active owner for the corrective action."))
    if due_on is None:
        problems.append(_("Give the corrective action a due date."))
    if department is None:
        problems.append(_("Choose the department the corrective action is addressed to."))
    if source is None or source.pk is None:
        problems.append(_("A corrective action is raised from a saved record."))
    if problems:
        raise ValidationError(problems, code="bad_action")
    action = _stamp(
        CorrectiveAction(
            source_type=ContentType.objects.get_for_model(source),
            source_id=source.pk,
            description=description[:500],
            department=department,
            owner=owner,
            due_on=due_on,
            raised_by=by,
        ),
        by,
    )
    action.save()
    if by is None or owner.pk != by.pk:
        _tell(owner, action, RAISED, period=action.due_on.isoformat())
    return action


@transaction.atomic
def corrective_action_respond(
    *, action: CorrectiveAction, by: User, response: str, evidence_file=None, version=None
) -> CorrectiveAction:
    """The owner (or a manager of the department) answers: what was done, with evidence if
    any. The action then awaits verification by the supervision group."""
    action = _locked(action, version)
    if not may_respond(by, action):
        raise PermissionDenied
    response = _required(response, _("Describe what was done."), "response_required")
    fields = ["response", "state", "responded_at", "responded_by", "updated_at"]
    if evidence_file is not None:
        validate_upload(evidence_file)
        action.evidence.save(evidence_file.name, evidence_file, save=False)
        fields.append("evidence")
    action.response = response
    action.state = State.RESPONDED
    action.responded_at = timezone.now()
    action.responded_by = by
    _stamp(action, by, "responded").save(update_fields=fields)
    return action


@transaction.atomic
def corrective_action_verify(
    *, action: CorrectiveAction, by: User, accepted: bool, note: str = "", version=None
) -> CorrectiveAction:
    """The supervision group checks the response (P5.1): accepted closes the action for good
    (verified, frozen); refused sends it back to open with the note, for the owner to act on.
    Nobody verifies an action they own or answered."""
    action = _locked(action, version)
    if not roles.is_supervisor(by):
        raise PermissionDenied
    if problem := verify_problem(by, action):
        raise ValidationError(problem, code="cannot_verify")
    note = (note or "").strip()
    if not accepted and not note:
        raise ValidationError(_("Say why the response is not accepted."), code="note_required")
    action.state = State.VERIFIED if accepted else State.OPEN
    action.verified_at = timezone.now()
    action.verified_by = by
    action.verification_note = note
    _stamp(action, by, "verified" if accepted else "refused").save(
        update_fields=["state", "verified_at", "verified_by", "verification_note", "updated_at"]
    )
    # Keyed by the verification's time: a second refusal is a new notice.
    period = action.verified_at.strftime("%Y%m%d%H%M%S")
    _tell(action.owner, action, ACCEPTED if accepted else REFUSED, period=period, email=not accepted)
    return action


@transaction.atomic
def corrective_action_cancel(*, action: CorrectiveAction, by: User, reason: str, version=None) -> CorrectiveAction:
    """Withdraw an action that is no longer needed (a manager of the department or whoever
    raised it), with the reason; a verified action stays as it was."""
    action = _locked(action, version)
    if not may_cancel(by, action):
        raise PermissionDenied
    action.cancel_reason = _required(reason, _("Give a reason."), "reason_required")
    action.state = State.CANCELLED
    _stamp(action, by, "cancelled").save(update_fields=["state", "cancel_reason", "updated_at"])
    return action


def corrective_action_remind(*, action_id: int, day: dt.date) -> int:
    """The scheduled effects of one open action on ``day``, each once (key: kind, action, due
    date, recipient): a reminder RAPPORT_ACTION_REMIND_DAYS before the due date, an overdue
    notice to the owner from the day after it, and an escalation to the department's managers
    RAPPORT_ACTION_ESCALATE_DAYS after it. A day missed is caught up: the overdue notice and
    the escalation look at "past", not "exactly on"; a reminder whose window passed unseen is
    replaced by the overdue notice. Returns how many notifications and e-mails it created."""
    action = CorrectiveAction.objects.select_related("owner").filter(pk=action_id, state=State.OPEN).first()
    if action is None:
        return 0
    due = action.due_on
    period = due.isoformat()
    effects = 0
    with transaction.atomic():
        if due - dt.timedelta(days=settings.RAPPORT_ACTION_REMIND_DAYS) <= day <= due:
            effects += _tell(action.owner, action, DUE_SOON, period=period, email=True)
        if day > due:
            effects += _tell(action.owner, action, OVERDUE, period=period, email=True)
        if day > due + dt.timedelta(days=settings.RAPPORT_ACTION_ESCALATE_DAYS):
            for manager in department_managers(action.department_id):
                effects += _tell(manager, action, ESCALATED, period=period, email=True)
    return effects


def corrective_actions_due_ids(*, day: dt.date) -> list[int]:
    """Open actions within the reminder horizon or past due: the scan's work list."""
    horizon = day + dt.timedelta(days=settings.RAPPORT_ACTION_REMIND_DAYS)
    return list(
        CorrectiveAction.objects.filter(state=State.OPEN, due_on__lte=horizon)
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)
    )


# --- API tokens (crm/api.py) -------------------------------------------------------------

API_TOKENS_PER_USER = 20


def api_token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new API token for ``user``; returns the row and the token itself, which is shown
    once and never stored (only its hash is)."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Name the token after where you use it.")})
    if ApiToken.objects.filter(user=user, revoked_at=None).count() >= API_TOKENS_PER_USER:
        raise ValidationError({"name": _("You have too many tokens: revoke one you no longer use first.")})
    raw = f"rpt_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name[:80], token_hash=api_token_hash(raw), prefix=raw[:12])
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: User, pk: int) -> bool:
    """Revoke one of ``user``'s tokens at once; False when there was none to revoke."""
    return bool(ApiToken.objects.filter(user=user, pk=pk, revoked_at=None).update(revoked_at=timezone.now()))
