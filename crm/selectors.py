"""Reads and access checks of the kernel's own records: corrective actions.

Who may do what with a corrective action is decided here, once (the services, the views, the
templates and the admin ask these functions):

- see: supervision sees every action (P5.1); staff and managers see their own, those raised by
  them and their department's;
- respond (the response and its evidence): the owner, or a manager of the department the
  action is addressed to, while it is open;
- verify (close it, or send it back): supervision only, while it awaits verification, and never
  someone who owns the action or wrote its response;
- cancel: a manager of the department, or whoever raised it, while it is not closed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from . import option_lists, roles
from .models import CorrectiveAction, Department

if TYPE_CHECKING:
    from django.contrib.auth.models import User

State = CorrectiveAction.State


def departments() -> list[Department]:
    """Every department, by name: kept per process until one changes (``option_lists.kept``)."""
    return option_lists.kept("crm.departments", Department.objects.order_by("name"))


def department_managers(department_id: int | None) -> list[User]:
    """Active managers of a department: whom escalations go to."""
    if department_id is None:
        return []
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=roles.MANAGER, profile__department_id=department_id)
        .distinct()
        .order_by("pk")
    )


def corrective_actions_visible_to(user) -> QuerySet[CorrectiveAction]:
    """Every action ``user`` may read (see the module docstring)."""
    qs = CorrectiveAction.objects.all()
    if not roles.has_any_role(user):
        return qs.none()
    if roles.is_supervisor(user):
        return qs
    mine = Q(owner=user) | Q(raised_by=user)
    department_id = roles.user_department_id(user)
    if department_id is not None:
        mine |= Q(department_id=department_id)
    return qs.filter(mine)


def corrective_action_get_for_user(*, user, pk: int) -> CorrectiveAction:
    """The detail page's action (404 when it does not exist or is not visible)."""
    action = (
        corrective_actions_visible_to(user)
        .select_related("department", "owner", "raised_by", "responded_by", "verified_by", "source_type")
        .filter(pk=pk)
        .first()
    )
    if action is None:
        raise Http404
    return action


def _manages_department(user, action: CorrectiveAction) -> bool:
    return user.is_superuser or (roles.is_manager(user) and roles.user_department_id(user) == action.department_id)


def may_respond(user, action: CorrectiveAction) -> bool:
    """The owner or a manager of the department, while the action is open."""
    if action.state != State.OPEN or not user.is_authenticated:
        return False
    owner_may = action.owner_id == user.pk and roles.has_any_role(user)
    return owner_may or _manages_department(user, action)


def verify_problem(user, action: CorrectiveAction) -> str | None:
    """Why ``user`` may not verify ``action`` now, in words; None when they may."""
    if not roles.is_supervisor(user):
        return _("Only the supervision group verifies corrective actions.")
    if action.state != State.RESPONDED:
        return _("Only an action awaiting verification can be verified.")
    if user.pk in (action.owner_id, action.responded_by_id):
        return _(
            "You cannot verify your own action: it is owned or was answered by you. "
            "Another member of the supervision group verifies it."
        )
    return None


def may_verify(user, action: CorrectiveAction) -> bool:
    return user.is_authenticated and verify_problem(user, action) is None


def may_cancel(user, action: CorrectiveAction) -> bool:
    """A manager of the department, or whoever raised it (holding a role), until it is closed."""
    if action.is_closed or not user.is_authenticated:
        return False
    raiser_may = action.raised_by_id == user.pk and roles.has_any_role(user)
    return raiser_may or _manages_department(user, action)


def may_download_evidence(user, action: CorrectiveAction) -> bool:
    return corrective_actions_visible_to(user).filter(pk=action.pk).exists()


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def actions_for_source(obj: Model) -> QuerySet[CorrectiveAction]:
    """The actions ``obj`` raised (a plan, a finding …), for its page: one query, owner loaded.
    Filter it through ``corrective_actions_visible_to`` where the source's readers differ."""
    return (
        CorrectiveAction.objects.filter(source_type=ContentType.objects.get_for_model(obj), source_id=obj.pk)
        .select_related("owner", "department")
        .order_by("due_on", "pk")
    )


def actions_for_sources(model: type[Model], ids) -> QuerySet[CorrectiveAction]:
    """The actions raised by several rows of one model (``ids``: a list or a ``values("pk")``
    subquery, such as a partner's plans), in one query."""
    return (
        CorrectiveAction.objects.filter(source_type=ContentType.objects.get_for_model(model), source_id__in=ids)
        .select_related("owner", "department")
        .order_by("due_on", "pk")
    )
