"""Writes of projects (P4.3.3, P4.4.2): the project, its milestones and linked interactions.
Each service is one transaction: all or nothing, history recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.concurrency import check_version
from partners.models import Family, Interaction, Partner

from .models import KIND_FAMILY, PROGRESS_MAX, Milestone, Project, ProjectKind, ProjectStatus
from .selectors import can_edit_project

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PROJECT_FIELDS = (
    "title",
    "kind",
    "owner",
    "goal",
    "status",
    "starts_on",
    "ends_on",
    "our_contribution",
    "partner_contribution",
    "benefits",
    "progress",
    "progress_notes",
    "risks",
)


def _check(project: Project, partners: Sequence[Partner]) -> None:
    """The rules a project keeps whatever page or script writes it."""
    errors: dict[str, list[str]] = {}
    if project.kind not in ProjectKind.values:
        errors["kind"] = [_("Choose a type.")]
    if project.status not in ProjectStatus.values:
        errors["status"] = [_("Choose a status.")]
    if not partners:
        errors["partners"] = [_("Choose at least one partner.")]
    elif project.kind in ProjectKind.values:
        family = KIND_FAMILY[ProjectKind(project.kind)]
        wrong = sorted(p.name for p in partners if p.family != family)
        if wrong:
            errors["partners"] = [
                _("This type of project is run with partners of the “%(family)s” family only, not: %(names)s.")
                % {
                    "family": Family(family).label,
                    "names": ", ".join(wrong),
                }
            ]
    if project.starts_on and project.ends_on and project.ends_on < project.starts_on:
        errors["ends_on"] = [_("The end date cannot be before the start date.")]
    if project.progress is None or not 0 <= project.progress <= PROGRESS_MAX:
        errors["progress"] = [_("Progress is a percentage from 0 to 100.")]
    if errors:
        raise ValidationError(errors, code="invalid")


@transaction.atomic
def project_create(*, data: dict, partners: Sequence[Partner], team: Sequence | None = None, by: User) -> Project:
    """A new project with ``partners``, run by the first partner's department (its staff and
    managers, P4.3.3)."""
    partners = list(partners)
    if not partners:
        raise ValidationError({"partners": [_("Choose at least one partner.")]}, code="invalid")
    lead = partners[0]
    if lead.department_id is None:
        raise ValidationError(_("The partner has no department to run the project."), code="no_department")
    project = Project(department_id=lead.department_id, **{k: data[k] for k in PROJECT_FIELDS if k in data})
    if not can_edit_project(by, project):
        raise PermissionDenied
    _check(project, partners)
    project._history_user = by
    project.save()
    project.partners.set(partners)
    if team:
        project.team.set(team)
    return project


@transaction.atomic
def project_update(
    *,
    pk: int,
    changed: dict,
    partners: Sequence[Partner] | None = None,
    team: Sequence | None = None,
    version: str | None = None,
    by: User,
) -> Project:
    """Apply the ``changed`` fields (and the partners, the team) to project ``pk``, reloaded
    under a lock (``StaleEdit`` if it moved since ``version``)."""
    project = Project.objects.select_for_update().get(pk=pk)
    if not can_edit_project(by, project):
        raise PermissionDenied
    check_version(project, version, fields=list(PROJECT_FIELDS))
    for name in PROJECT_FIELDS:
        if name in changed:
            setattr(project, name, changed[name])
    _check(project, list(partners) if partners is not None else list(project.partners.all()))
    project._history_user = by
    project.save()
    if partners is not None:
        project.partners.set(partners)
        # An interaction of a partner no longer on the project is no longer linked to it.
        project.interactions.remove(*project.interactions.exclude(partner__in=partners))
    if team is not None:
        project.team.set(team)
    return project


@transaction.atomic
def milestone_add(*, project: Project, data: dict, by: User) -> Milestone:
    if not can_edit_project(by, project):
        raise PermissionDenied
    milestone = Milestone(project=project, title=data["title"], due_on=data["due_on"], order=data.get("order") or 0)
    milestone._history_user = by
    milestone.save()
    return milestone


@transaction.atomic
def milestone_mark_done(*, milestone: Milestone, by: User, done_on: dt.date | None = None) -> Milestone:
    """Mark ``milestone`` done today (or on ``done_on``) by ``by``: the history says who and when.
    A milestone done already stays as it was (two clicks, two users: the first one counts)."""
    locked = Milestone.objects.select_for_update().select_related("project").get(pk=milestone.pk)
    if not can_edit_project(by, locked.project):
        raise PermissionDenied
    if locked.done_on is not None:
        raise ValidationError(_("This milestone is done already."), code="done")
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError(_("A milestone is marked done once it is done."), code="future")
    locked.done_on, locked.done_by = done_on, by
    locked._history_user = by
    locked.save(update_fields=["done_on", "done_by", "updated_at"])
    return locked


@transaction.atomic
def milestone_delete(*, milestone: Milestone, by: User) -> None:
    locked = Milestone.objects.select_for_update().select_related("project").get(pk=milestone.pk)
    if not can_edit_project(by, locked.project):
        raise PermissionDenied
    locked._history_user = by
    locked.delete()


@transaction.atomic
def project_link_interactions(*, project: Project, interactions: Sequence[Interaction], by: User) -> None:
    """Link exactly ``interactions`` to the project: each one logged with one of its partners."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not can_edit_project(by, project):
        raise PermissionDenied
    partner_ids = set(project.partners.values_list("pk", flat=True))
    if any(i.partner_id not in partner_ids for i in interactions):
        raise ValidationError(
            {"interactions": [_("Link only interactions logged with the project's partners.")]}, code="invalid"
        )
    project.interactions.set(interactions)
