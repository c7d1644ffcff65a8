"""Satisfaction surveys (P4.1.3 supplier, P4.2.3 customer, P5.2 annual report).

A ``SurveyTemplate`` holds the questions (bilingual prompts); a ``Survey`` is one sending
of a template to chosen contacts; each contact gets a ``SurveyInvitation`` with a
single-use link; the answers are kept as a ``SurveyResponse`` with ``Answer`` rows. The
response copies the partner's family and department and the period at the time of the
invitation, so the annual report (P5.2) aggregates what was true when people answered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.models import Department, TimeStampedModel
from partners.models import Contact, Family, Partner

TEXT_MAX_LENGTH = 2000


class QuestionKind(models.TextChoices):
    NPS = "nps", _("Likelihood to recommend (NPS, 0–10)")
    CSAT = "csat", _("Satisfaction (CSAT, 1–5)")
    CES = "ces", _("Ease (CES, 1–7)")
    TEXT = "text", _("Free text")


# The allowed score range of each scored kind (inclusive).
SCALES: dict[str, tuple[int, int]] = {
    QuestionKind.NPS: (0, 10),
    QuestionKind.CSAT: (1, 5),
    QuestionKind.CES: (1, 7),
}


class SurveyTemplate(TimeStampedModel):
    """A reusable questionnaire; language-neutral (each question carries both prompts)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    family = models.CharField(
        _("family"), max_length=20, choices=Family.choices, blank=True, help_text=_("Leave empty for any family.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    send_after_case = models.BooleanField(
        _("send after a case closes"),
        default=False,
        help_text=_("Invite the case's contact when a case of this family is closed."),
    )
    low_score_opens_case = models.BooleanField(
        _("a low score opens a case"),
        default=False,
        help_text=_("NPS 0–6, CSAT 1–2 or CES 1–2 opens a complaint case for the partner's department."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    template = models.ForeignKey(
        SurveyTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="questions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    prompt_en = models.CharField(_("question (English)"), max_length=500)
    prompt_zh = models.CharField(_("question (Chinese)"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.prompt_en

    def prompt(self, language: str) -> str:
        if language.lower().startswith("zh") and self.prompt_zh:
            return self.prompt_zh
        return self.prompt_en

    @property
    def scale(self) -> tuple[int, int] | None:
        return SCALES.get(self.kind)


class Survey(TimeStampedModel):
    """One sending of a template, with its reminder policy."""

    template = models.ForeignKey(
        SurveyTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="surveys"
    )
    title = models.CharField(_("title"), max_length=200)
    family = models.CharField(_("family"), max_length=20, choices=Family.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Only contacts of this department's partners; empty for all departments."),
    )
    period = models.CharField(_("period"), max_length=20, help_text=_("For example 2026 or 2026-Q4."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    max_reminders = models.PositiveSmallIntegerField(_("maximum reminders"), default=2)
    min_days_between = models.PositiveSmallIntegerField(_("minimum days between reminders"), default=3)
    expires_after_days = models.PositiveSmallIntegerField(_("link valid for (days)"), default=21)
    # Created by the system to hold the invitations sent after cases close (one per
    # template, family and period).
    after_case = models.BooleanField(_("sent after cases"), default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            # One survey holds the after-case invitations of a template, family and period:
            # two cases closed at the same moment cannot create two.
            models.UniqueConstraint(
                fields=["template", "family", "period"],
                condition=models.Q(after_case=True),
                name="after_case_survey_once",
            )
        ]

    def __str__(self) -> str:
        return self.title


class SurveyInvitation(TimeStampedModel):
    """One contact's single-use link. Only the SHA-256 of the link's token is stored."""

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="invitations")
    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+")
    # Kept when the contact is deleted: the answers still count for the partner.
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=10)
    # Snapshot at sending time: what the results page and the annual report group by.
    family = models.CharField(_("family"), max_length=20, choices=Family.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    period = models.CharField(_("period"), max_length=20)
    # What triggered it, when not a manual sending (a closed case, ...).
    case_ref = models.CharField(_("case"), max_length=40, blank=True)
    nonce = models.CharField(max_length=64, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [models.UniqueConstraint(fields=["survey", "contact"], name="invitation_once_per_contact")]
        indexes = [
            # The reminder scan: open invitations that have not expired.
            models.Index(fields=["responded_at", "expires_at"], name="invitation_open_idx"),
            # Results page: response rate by period.
            models.Index(fields=["period"], name="invitation_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.email}"


class SurveyResponse(models.Model):
    """The answers of one invitation (at most one, P5.2 input)."""

    invitation = models.OneToOneField(
        SurveyInvitation, verbose_name=_("invitation"), on_delete=models.CASCADE, related_name="response"
    )
    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses")
    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    family = models.CharField(_("family"), max_length=20, choices=Family.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    period = models.CharField(_("period"), max_length=20)
    case_ref = models.CharField(_("case"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=10)
    submitted_at = models.DateTimeField(_("submitted"))

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [
            # Results page and annual report: by period.
            models.Index(fields=["period", "family"], name="response_period_idx"),
            # Case page: the satisfaction survey answered after the case.
            models.Index(fields=["case_ref"], name="response_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} {self.submitted_at:%Y-%m-%d}"

    @classmethod
    def for_invitation(cls, invitation: SurveyInvitation, *, submitted_at, language: str = "") -> SurveyResponse:
        """An unsaved response carrying the invitation's snapshot (partner, family,
        department, period, case) as the results and the annual report group by it."""
        return cls(
            invitation=invitation,
            survey_id=invitation.survey_id,
            partner_id=invitation.partner_id,
            contact_id=invitation.contact_id,
            family=invitation.family,
            department_id=invitation.department_id,
            period=invitation.period,
            case_ref=invitation.case_ref,
            language=language or invitation.language,
            submitted_at=submitted_at,
        )


class Answer(models.Model):
    response = models.ForeignKey(
        SurveyResponse, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+")
    # Copied from the question so the results aggregate without joining it.
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    score = models.SmallIntegerField(_("score"), null=True, blank=True)
    text = models.TextField(_("text"), max_length=TEXT_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["question__order", "pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once_per_question")]
        # Results page: scores of one kind.
        indexes = [models.Index(fields=["kind", "score"], name="answer_kind_idx")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.score if self.score is not None else self.text[:40]}"


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
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    response_hours = models.PositiveIntegerField(_("first response within (hours)"))
    resolution_hours = models.PositiveIntegerField(_("resolution within (hours)"))

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
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
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
    paused_seconds = models.PositiveIntegerField(_("time waiting on partner (seconds)"), default=0)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), max_length=5000, blank=True)
    response_escalated_at = models.DateTimeField(_("response breach escalated"), null=True, blank=True)
    resolution_escalated_at = models.DateTimeField(_("resolution breach escalated"), null=True, blank=True)
    # The low survey score that opened this case, if any.
    survey_response = models.ForeignKey(
        SurveyResponse,
        verbose_name=_("survey response"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # Case list default order and the SLA report by month.
            models.Index(fields=["opened_at"], name="case_opened_idx"),
            # Case list filtered by status; the SLA scan (open cases past a due time).
            models.Index(fields=["status", "resolution_due_at"], name="case_status_due_idx"),
            models.Index(fields=["status", "response_due_at"], name="case_status_response_idx"),
            # "My cases".
            models.Index(fields=["assignee", "status"], name="case_assignee_idx"),
            # Case list sorted by priority.
            models.Index(fields=["priority", "opened_at"], name="case_priority_idx"),
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

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    body = models.TextField(_("text"), max_length=5000, blank=True)
    status_from = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    status_to = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")

    def __str__(self) -> str:
        return f"{self.case.reference} {self.kind}"
