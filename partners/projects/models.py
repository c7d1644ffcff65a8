"""Joint projects with partners (P4.3.3), and cooperative and public-welfare projects with
associations (P4.4.2), tracked the same way.

A ``Project`` binds one or more partners of the family its kind calls for, with a goal, a status,
dates, an owner and our team, what each side contributes, the benefits achieved, its progress and
its risks. ``Milestone`` rows are its steps, each marked done by someone on a day. A project links
interactions already logged with its partners (P4.3.3 "interactions logged").
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from crm.choices import choice_label
from crm.cleaning import between
from crm.models import Department, TimeStampedModel
from partners.models import Family, Interaction, Partner

TEXT_MAX = 4000
NOTES_MAX = 5000  # as long as the association projects' notes copied here
PROGRESS_MAX = 100


class ProjectKind(models.TextChoices):
    JOINT = "joint", _("Joint project")
    COOPERATIVE = "cooperative", _("Cooperative project")
    PUBLIC_WELFARE = "public_welfare", _("Public-welfare project")


# The family a kind's partners belong to: joint projects with partners (P4.3.3), cooperative and
# public-welfare projects with associations (P4.4.2).
KIND_FAMILY = {
    ProjectKind.JOINT: Family.PARTNER,
    ProjectKind.COOPERATIVE: Family.ASSOCIATION,
    ProjectKind.PUBLIC_WELFARE: Family.ASSOCIATION,
}
PROJECT_FAMILIES = (Family.PARTNER, Family.ASSOCIATION)


def kinds_for_family(family: str) -> list[str]:
    return [kind for kind, f in KIND_FAMILY.items() if f == family]


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("project status", "Planned")
    ACTIVE = "active", pgettext_lazy("project status", "Active")
    ON_HOLD = "on_hold", pgettext_lazy("project status", "On hold")
    COMPLETED = "completed", pgettext_lazy("project status", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("project status", "Cancelled")


# Still running: whose milestones the dashboard chases.
OPEN_STATUSES = (ProjectStatus.PLANNED, ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD)

STATUS_BADGES = {
    ProjectStatus.ACTIVE: "text-bg-success",
    ProjectStatus.ON_HOLD: "text-bg-warning",
    ProjectStatus.COMPLETED: "text-bg-info",
    ProjectStatus.CANCELLED: "text-bg-secondary",
}


class Project(TimeStampedModel):
    """A joint, cooperative or public-welfare project with one or more partners."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=ProjectKind.choices, default=ProjectKind.JOINT)
    partners = models.ManyToManyField(Partner, verbose_name=_("partners"), related_name="projects")
    # The department that runs it: its staff and managers edit it.
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="projects"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="projects_owned"
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("our team"), blank=True, related_name="project_teams"
    )
    goal = models.TextField(_("goal"), max_length=TEXT_MAX)
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    our_contribution = models.TextField(_("our contribution"), max_length=TEXT_MAX, blank=True)
    partner_contribution = models.TextField(
        _("the partners' contribution"),
        max_length=TEXT_MAX,
        blank=True,
        help_text=_("What each partner brings, one line per partner."),
    )
    benefits = models.TextField(_("benefits achieved"), max_length=TEXT_MAX, blank=True)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(PROGRESS_MAX)]
    )
    # What happened so far, in words (the percent above is the figure). The former association
    # projects' "milestones and progress notes" were copied here (associations migration 0003).
    progress_notes = models.TextField(_("progress notes"), max_length=NOTES_MAX, blank=True)
    risks = models.TextField(_("risks"), max_length=TEXT_MAX, blank=True)
    interactions = models.ManyToManyField(
        Interaction, verbose_name=_("linked interactions"), blank=True, related_name="projects"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[team])

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="project_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=PROGRESS_MAX),
                name="project_progress_0_100",
                violation_error_message=_("Progress is a percentage from 0 to 100."),
            ),
        ]
        indexes = [
            # The list's status filter and its default sort (newest start first).
            models.Index(fields=["status", "starts_on"], name="project_status_start_idx"),
            # The list's kind filter.
            models.Index(fields=["kind", "status"], name="project_kind_idx"),
            # The list's sorts by start and by end.
            models.Index(fields=["starts_on"], name="project_start_idx"),
            models.Index(fields=["ends_on"], name="project_end_idx"),
            # The list's sorts by progress and by title.
            models.Index(fields=["progress"], name="project_progress_idx"),
            models.Index(fields=["title"], name="project_title_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    def get_kind_display(self) -> str:
        return choice_label(ProjectKind, self.kind)

    def get_status_display(self) -> str:
        return choice_label(ProjectStatus, self.status)

    @property
    def badge_class(self) -> str:
        return STATUS_BADGES.get(self.status, "text-bg-light border")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Milestone(TimeStampedModel):
    """A step of a project: due on a day, marked done by someone on a day."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due date"))
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, validators=between(0, 1000), help_text=_("Smaller numbers come first.")
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["order", "due_on", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(
                condition=Q(done_on__isnull=True, done_by__isnull=True) | Q(done_on__isnull=False),
                name="milestone_done_by_only_when_done",
            ),
        ]
        indexes = [
            # The dashboard's milestones due and overdue.
            models.Index(fields=["done_on", "due_on"], name="milestone_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def overdue_on(self, today: dt.date) -> bool:
        return self.done_on is None and self.due_on < today
