"""Moves through the partner family's pipeline (P4.3.1). Each service is atomic: all or nothing.

The allowed moves are ``models.STAGE_MOVES``; another app may gate a stage on evidence it owns
(the partner assessment scorecard gates "assessed" and "active", decided by evaluations, which
registers its gate in its AppConfig.ready() with ``selectors.register_stage_gate``). Becoming active and
being rejected change the registry status through ``partners.services.partner_update``, so the
registry's own rules and gates apply too, whoever moves the partner.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Partner, Status
from partners.services import partner_update

from .models import REASON_MAX, Partnership, Stage, stage_of
from .selectors import may_move_partnership, stage_move_problem

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The registry's gates below let a prospective partner leave candidacy only while the
# pipeline itself moves it (``_pipeline_move``): a status chosen on the partner form is refused.
_MOVING: ContextVar[int | None] = ContextVar("partnership_moving", default=None)


@contextmanager
def _pipeline_move(partner: Partner) -> Iterator[None]:
    token = _MOVING.set(partner.pk)
    try:
        yield
    finally:
        _MOVING.reset(token)


def activation_gate(partner: Partner) -> str:
    """Registered with the partner update service (apps.py) for family=partner → active."""
    if partner.status != Status.CANDIDATE or _MOVING.get() == partner.pk:
        return ""
    return _(
        "A prospective partner becomes active through the partnership pipeline, after its assessment "
        "and the negotiation (P4.3.1)."
    )


def rejection_gate(partner: Partner) -> str:
    """Registered with the partner update service (apps.py) for family=partner → terminated."""
    if partner.status != Status.CANDIDATE or _MOVING.get() == partner.pk:
        return ""
    return _("A prospective partner is rejected in the partnership pipeline, with the reason (P4.3.1).")


# What a move does to the registry status: (status it applies to, new status).
REGISTRY_EFFECT: dict[str, tuple[str, str]] = {
    Stage.ACTIVE: (Status.CANDIDATE, Status.ACTIVE),
    Stage.REJECTED: (Status.CANDIDATE, Status.TERMINATED),
    Stage.IDENTIFIED: (Status.TERMINATED, Status.CANDIDATE),
}


@transaction.atomic
def partnership_move(
    *,
    partner_id: int,
    to_stage: str,
    by: User,
    expected_stage: str | None = None,
    note: str = "",
    reason: str = "",
) -> Partnership:
    """Move a partner-family partner to ``to_stage`` (the partner's department managers, P4.3.1).

    ``expected_stage`` is the stage the user saw: if someone moved the partner since, nothing
    is written. Rejecting needs a ``reason``; every move may carry a ``note``; both stay in the
    partner's history. Becoming active sets the registry status to active through the partner
    update service, whose gates (a completed partner assessment) apply; rejecting terminates a
    candidate; reconsidering a rejected partner makes it a candidate again.
    """
    partner = Partner.objects.select_for_update(of=("self",)).select_related("department").get(pk=partner_id)
    if not may_move_partnership(by, partner):
        raise PermissionDenied
    row = Partnership.objects.select_for_update().filter(partner=partner).first()
    current = stage_of(status=partner.status, stored=row.stage if row else None)
    if expected_stage is not None and expected_stage != current:
        raise ValidationError(
            _("Someone moved %(name)s to “%(stage)s” in the meantime: nothing was changed.")
            % {"name": partner.name, "stage": Stage(current).label if current else "—"},
            code="stale_stage",
        )
    if problem := stage_move_problem(partner=partner, current=current, to_stage=to_stage, user=by):
        raise ValidationError(problem, code="bad_move")
    note, reason = (note or "").strip(), (reason or "").strip()
    errors = {}
    if to_stage == Stage.REJECTED and not reason:
        errors["reason"] = _("Give the reason for rejecting this partner.")
    if len(reason) > REASON_MAX:
        errors["reason"] = _("The reason is too long.")
    if len(note) > REASON_MAX:
        errors["note"] = _("The note is too long.")
    if errors:
        raise ValidationError(errors, code="invalid")

    now = timezone.now()
    if row is None:
        # Its first move: the pipeline's record starts at the stage the partner was at.
        row = Partnership(partner=partner, stage=current, moved_at=partner.created_at, moved_by=None)
        row._history_user = by
        row.save()
    row.stage = to_stage
    row.note = note
    row.rejection_reason = reason if to_stage == Stage.REJECTED else ""
    row.moved_at = now
    row.moved_by = by
    row._history_user = by
    row.save()

    applies_to, new_status = REGISTRY_EFFECT.get(to_stage, (None, None))
    if partner.status == applies_to:
        try:
            with _pipeline_move(partner):
                partner_update(pk=partner.pk, changed={"status": new_status}, user=by)
        except ValidationError as exc:
            # The registry's answer is about the move, not a field of the move's form.
            raise ValidationError(exc.messages, code="registry_refused") from exc
    return row
