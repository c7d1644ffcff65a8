"""Service cases (P4.1.2 quick response, P4.2.2 service, P4.2.3 complaints).

A ``Case`` is a complaint, suggestion, request or issue from a partner with its deadlines
(``SlaTarget`` per family × priority) and its timeline (``CaseNote``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.cleaning import between
from crm.models import Department, TimeStampedModel
from partners.models import Contact, Family, Partner

# --- Service cases (P4.1.2 quick response, P4.2.2 service, P4.2.3 complaints) -------------


class CaseKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    REQUEST = "request", _("Request")
    ISSUE = "issue", _("Issue")


class CaseChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Online chat")
    VISIT = "visit", _("Visit")
    WEB_FORM = "web_form", _("Web form")
    SURVEY = "survey", _("Satisfaction survey")


class Priority(models.IntegerChoices):
    """Integers so that sorting by priority is sorting by urgency."""

    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting on partner")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_CASE_STATUSES = (CaseStatus.NEW, CaseStatus.IN_PROGRESS, CaseStatus.WAITING)

# Allowed moves; resolved → in progress and closed → in progress are "reopen".
CASE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    CaseStatus.NEW: (CaseStatus.IN_PROGRESS, CaseStatus.WAITING, CaseStatus.RESOLVED),
    CaseStatus.IN_PROGRESS: (CaseStatus.WAITING, CaseStatus.RESOLVED),
    CaseStatus.WAITING: (CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED),
    CaseStatus.RESOLVED: (CaseStatus.CLOSED, CaseStatus.IN_PROGRESS),
    CaseStatus.CLOSED: (CaseStatus.IN_PROGRESS,),
}


class SlaTarget(models.Model):
    """Response and resolution targets per family × priority, in calendar hours (24×7)."""

    family = models.CharField(_("family"), max_length=20, choices=Family.choices)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, validators=between(min(Priority.values), max(Priority.values))
    )
    # At least an hour; a first response within 30 days and a resolution within a year.
    response_hours = models.PositiveIntegerField(_("first response within (hours)"), validators=between(1, 720))
    resolution_hours = models.PositiveIntegerField(_("resolution within (hours)"), validators=between(1, 8760))

    class Meta:
        ordering = ["family", "priority"]
        verbose_name = _("service-level target")
        verbose_name_plural = _("service-level targets")
        constraints = [
            models.UniqueConstraint(fields=["family", "priority"], name="sla_target_once"),
            models.CheckConstraint(
                condition=models.Q(resolution_hours__gte=models.F("response_hours")),
                name="sla_resolution_after_response",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_family_display()} / {self.get_priority_display()}"


PAUSED_SECONDS_MAX = 3653 * 24 * 3600  # ten years of waiting on the partner


class Case(TimeStampedModel):
    """A complaint, suggestion, request or issue from a partner, with its deadlines.

    The response clock runs from ``opened_at`` to ``first_response_at``. The resolution clock
    runs from ``opened_at`` to ``resolved_at`` and stops while the case waits on the partner:
    ``paused_at`` marks the pause, and resuming moves ``resolution_due_at`` later by the
    pause's length (``paused_seconds`` keeps the total).
    """

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    family = models.CharField(_("family"), max_length=20, choices=Family.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=20, choices=CaseKind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=CaseChannel.choices)
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        choices=Priority.choices,
        default=Priority.NORMAL,
        validators=between(min(Priority.values), max(Priority.values)),
    )
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    # Who wrote in when there is no contact on file (the public feedback form).
    submitter_name = models.CharField(_("name"), max_length=120, blank=True)
    submitter_email = models.EmailField(_("email"), blank=True)
    submitter_company = models.CharField(_("company"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"))
    response_due_at = models.DateTimeField(_("response due"))
    resolution_due_at = models.DateTimeField(_("resolution due"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    paused_at = models.DateTimeField(_("waiting since"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(
        _("time waiting on partner (seconds)"), default=0, validators=between(0, PAUSED_SECONDS_MAX)
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), max_length=5000, blank=True)
    response_escalated_at = models.DateTimeField(_("response breach escalated"), null=True, blank=True)
    resolution_escalated_at = models.DateTimeField(_("resolution breach escalated"), null=True, blank=True)
    # The low survey score that opened this case, if any.
    survey_response = models.ForeignKey(
        "surveys.SurveyResponse",
        verbose_name=_("survey response"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    # The case the customer was unhappy about: a low score on the survey sent after it.
    about_case = models.ForeignKey(
        "self",
        verbose_name=_("about case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up_cases",
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # The case list (issue #15): each order ``case_list_order`` gives has an index with
            # its key, so a page is read from the index in order. The working view (open
            # cases, newest first) has a partial one on its own filter; the SLA report by month.
            models.Index(fields=["opened_at", "id"], name="case_opened_idx"),
            models.Index(
                fields=["opened_at", "id"],
                name="case_open_opened_idx",
                condition=models.Q(status__in=OPEN_CASE_STATUSES),
            ),
            # Sort by resolution due.
            models.Index(fields=["resolution_due_at", "id"], name="case_due_idx"),
            # Case list filtered by status; the SLA scan (open cases past a due time).
            models.Index(fields=["status", "resolution_due_at"], name="case_status_due_idx"),
            models.Index(fields=["status", "response_due_at"], name="case_status_response_idx"),
            # "My cases", filter by assignee.
            models.Index(fields=["assignee", "status"], name="case_assignee_idx"),
            # Sort by priority, filter by priority (newest first).
            models.Index(fields=["priority", "opened_at", "id"], name="case_priority_idx"),
            # Filter by type, by family (newest first).
            models.Index(fields=["kind", "opened_at", "id"], name="case_kind_idx"),
            models.Index(fields=["family", "opened_at", "id"], name="case_family_idx"),
            # Case list filtered by department.
            models.Index(fields=["department", "status"], name="case_department_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CASE_STATUSES

    @property
    def requester_email(self) -> str:
        return (self.contact.email if self.contact_id and self.contact else "") or self.submitter_email


class CaseNote(models.Model):
    """The case's timeline: internal notes, replies to the partner, and status changes."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Internal note")
        REPLY = "reply", _("Reply to partner")
        EVENT = "event", _("Change")
        ASSIGNED = "assigned", _("Assigned")
        EDITED = "edited", _("Edited")
        ESCALATION = "escalation", _("Escalated to the managers")
        SURVEY_SENT = "survey", _("Satisfaction survey sent")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    body = models.TextField(_("text"), max_length=5000, blank=True)
    status_from = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    status_to = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    # An EDITED note: the names of the fields the edit changed (services.EDITABLE_FIELDS).
    changed_fields = models.JSONField(_("changed fields"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")

    def __str__(self) -> str:
        return f"{self.case.reference} {self.kind}"


class CaseIntakeRule(models.Model):
    """Who takes a case from the public form (issue 12 §2): the first matching rule sets the
    case's department and is notified at once. The most specific rule wins (family and type,
    then family, then type, then the rule for any); a rule for any family and any type is
    seeded, so a public case is never silent (``services.intake_rule_for``)."""

    class Notify(models.TextChoices):
        MANAGERS = "managers", _("The department's managers")
        ON_DUTY = "on_duty", _("The people on duty")

    family = models.CharField(_("family"), max_length=20, choices=Family.choices, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=CaseKind.choices, blank=True)
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    notify = models.CharField(_("notify"), max_length=20, choices=Notify.choices, default=Notify.MANAGERS)
    on_duty = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("people on duty"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["family", "kind"]
        verbose_name = _("case intake rule")
        verbose_name_plural = _("case intake rules")
        constraints = [models.UniqueConstraint(fields=["family", "kind"], name="case_intake_rule_once")]

    def __str__(self) -> str:
        family = self.get_family_display() if self.family else _("any family")
        kind = self.get_kind_display() if self.kind else _("any type")
        return f"{family} / {kind} → {self.department}"
