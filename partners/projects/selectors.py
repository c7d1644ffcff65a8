"""Reads and access checks of projects (P4.3.3, P4.4.2).

Everyone with a role reads projects (supervision reads everything, P5.1); the staff and managers
of the project's department (and superusers) create and edit them, add milestones, mark them
done and link interactions — the rule agreements apply to obligations.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import roles
from partners.models import Interaction, Partner
from partners.selectors import can_edit_partner, history_entries

from .models import OPEN_STATUSES, PROJECT_FAMILIES, Milestone, Project

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# How far ahead the dashboard looks for milestones falling due.
DUE_HORIZON_DAYS = 14


# --- Access rules ------------------------------------------------------------------------


def can_edit_project(user: User, project: Project) -> bool:
    """The staff and managers of the project's department (and superusers)."""
    if user.is_superuser:
        return True
    return roles.has_write_role(user) and project.department_id == roles.user_department_id(user)


def can_create_project(user: User, partner: Partner) -> bool:
    """The staff and managers of the partner's department, for a partner or an association."""
    return partner.family in PROJECT_FAMILIES and roles.has_write_role(user) and can_edit_partner(user, partner)


def project_get_for_user(*, user: User, pk: int, edit: bool = False) -> Project:
    """404 for what does not exist; PermissionDenied without a role, or (``edit``) outside
    the project's department."""
    if not roles.has_any_role(user):
        raise PermissionDenied
    try:
        project = Project.objects.select_related("department", "owner").get(pk=pk)
    except Project.DoesNotExist:
        raise Http404 from None
    if edit and not can_edit_project(user, project):
        raise PermissionDenied
    return project


def milestone_get_for_user(*, user: User, pk: int) -> Milestone:
    """A milestone, for those who may edit its project."""
    if not roles.has_any_role(user):
        raise PermissionDenied
    try:
        milestone = Milestone.objects.select_related("project").get(pk=pk)
    except Milestone.DoesNotExist:
        raise Http404 from None
    if not can_edit_project(user, milestone.project):
        raise PermissionDenied
    return milestone


# The linking page offers the newest interactions of the project's partners, not years of them.
LINKABLE_MAX = 200


def linkable_interactions(*, partner_ids: list[int]) -> QuerySet[Interaction]:
    """The interactions a project may link: the newest logged with its partners. A queryset
    the form can still filter (the limit sits in a subquery)."""
    newest = Interaction.objects.filter(partner_id__in=partner_ids).order_by("-occurred_at").values("pk")
    return (
        Interaction.objects.filter(pk__in=Subquery(newest[:LINKABLE_MAX]))
        .select_related("partner")
        .order_by("-occurred_at")
    )


# --- The project's page ------------------------------------------------------------------


def project_detail_context(*, project: Project, user: User) -> dict:
    """Partners, team, milestones (with who marked them done) and linked interactions: a fixed
    number of queries."""
    today = timezone.localdate()
    milestones = list(project.milestones.select_related("done_by"))
    for m in milestones:
        m.is_overdue = m.overdue_on(today)
    return {
        "project": project,
        "partners": list(project.partners.select_related("department").order_by("name")),
        "team": list(project.team.order_by("first_name", "last_name", "username")),
        "milestones": milestones,
        "interactions": list(project.interactions.select_related("partner", "author").order_by("-occurred_at")),
        "can_edit": can_edit_project(user, project),
        "today": today,
    }


# --- The partner's page and the dashboard --------------------------------------------------


def projects_panel(*, partner: Partner, user: User, **_kwargs) -> dict | None:
    """The partner page's "Projects" card (partners and associations only). No query: the page
    is at its fifteen-query budget, so the card loads its rows after the page (htmx,
    ``partner_projects``), with a link to the filtered list as the fallback."""
    if partner.family not in PROJECT_FAMILIES:
        return None
    return {"can_create": can_create_project(user, partner), "partner": partner}


def partner_projects(*, partner: Partner) -> list[Project]:
    """The card's rows: the partner's projects, newest first, one query."""
    return list(partner.projects.order_by("-starts_on", "-pk")[:20])


def milestones_due_for_user(*, user: User, today: dt.date | None = None) -> dict:
    """Open milestones due within the horizon or overdue, of running projects the user owns or
    is on the team of. One query."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=DUE_HORIZON_DAYS)
    mine = Project.objects.filter(Q(owner=user) | Q(team=user), status__in=OPEN_STATUSES).values("pk")
    milestones = list(
        Milestone.objects.filter(done_on__isnull=True, due_on__lte=horizon, project__in=mine)
        .select_related("project")
        .order_by("due_on", "pk")[:15]
    )
    for m in milestones:
        m.is_overdue = m.overdue_on(today)
    return {"milestones": milestones, "today": today}


def dashboard_milestones_panel(*, user: User) -> dict | None:
    """The dashboard's "Project milestones due" card. No query: the dashboard is at its
    fifteen-query budget, so the card loads its rows after the page (htmx, one query)."""
    if not roles.has_any_role(user):
        return None
    return {}


def project_history(*, project: Project) -> list:
    """Every change to the project and its milestones: who, when and what (P3.1)."""
    return history_entries(
        [
            (
                Project.history.filter(id=project.pk)
                .annotate(name=F("title"))
                .prefetch_related("historicalproject_team_set__user"),
                _("Project"),
                (("historicalproject_team_set", "user", "team"),),
            ),
            (Milestone.history.filter(project_id=project.pk).annotate(name=F("title")), _("Milestone"), ()),
        ]
    )


# --- The list ------------------------------------------------------------------------------


def project_list_for_user(*, user: User) -> QuerySet[Project]:
    """Every project, for everyone with a role, with what a row shows."""
    if not roles.has_any_role(user):
        return Project.objects.none()
    return Project.objects.select_related("department", "owner").prefetch_related("partners")
