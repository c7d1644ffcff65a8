"""Industry associations and other institutions (P4.4): what we hold in them and do with them.

- P4.4.1 industry activities: ``Membership`` (level, fee, term, renewal reminder), ``Position``
  (a role one of our people holds, with its term), ``AssociationEvent`` (meetings, seminars,
  trainings, exhibitions, public-welfare activities: topic, purpose, attendees, takeaways shared
  with departments), ``StandardWork`` (a standard or self-regulation rule we work on).
- P4.4.2 communication and cooperation: cooperative and public-welfare projects are
  ``partners.projects.Project`` rows (kinds "cooperative" and "public_welfare"); migration 0003
  copied the former association projects there.
- P4.4.3 information sharing and feedback: ``Submission`` (problems we report and proposals we
  make, outbound) and ``IndustryReport`` (reports they publish, inbound), routed to departments
  and people; each ``ReportReceipt`` says whether its reader has read it.

Every model keeps its history (P3.1). The association is a ``Partner`` of the association family.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from crm.models import Department, TimeStampedModel
from crm.uploads import storage_name
from partners.models import Partner

TEXT_MAX = 5000
ASSOCIATION = Q(family="association")


def document_upload_to(instance, filename: str) -> str:
    """The server's own storage name (crm/uploads.py), never the browser's."""
    return storage_name("associations", filename)


def _reminder_days(verbose: str, default: int):
    return models.PositiveSmallIntegerField(
        verbose,
        default=default,
        validators=[MinValueValidator(0), MaxValueValidator(365)],
        help_text=_("How many days before the end date the reminder is sent."),
    )


class Membership(TimeStampedModel):
    """Our membership of an association (P4.4.1). The registry card's former "membership level"
    and "membership expires on" were copied here by migration 0002."""

    association = models.ForeignKey(
        Partner,
        verbose_name=_("association"),
        on_delete=models.CASCADE,
        related_name="memberships",
        limit_choices_to=ASSOCIATION,
    )
    level = models.CharField(_("membership level"), max_length=100)
    fee = models.DecimalField(
        _("annual fee"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("9999999999.99"))],
    )
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    remind_days = _reminder_days(_("renewal reminder (days before)"), 60)
    notes = models.TextField(_("notes"), max_length=TEXT_MAX, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-ends_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="membership_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]
        indexes = [
            # The memberships list (soonest to end first), the dashboard's renewals and the reminder scan.
            models.Index(fields=["ends_on"], name="membership_ends_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.association}: {self.level}"


class Position(TimeStampedModel):
    """A position one of our people holds in an association (P4.4.1), for a term."""

    association = models.ForeignKey(
        Partner,
        verbose_name=_("association"),
        on_delete=models.CASCADE,
        related_name="positions",
        limit_choices_to=ASSOCIATION,
    )
    role = models.CharField(_("role"), max_length=100, help_text=_("For example: vice-chair, council member."))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("held by"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    remind_days = _reminder_days(_("reminder before the term ends (days)"), 30)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["-ends_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="position_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]
        indexes = [
            # The overlap check (one holder of a role at a time) and the dashboard's terms ending.
            models.Index(fields=["association", "role", "ends_on"], name="position_role_idx"),
            models.Index(fields=["ends_on"], name="position_ends_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.association}: {self.role}"


class EventKind(models.TextChoices):
    MEETING = "meeting", pgettext_lazy("association event", "Meeting")
    SEMINAR = "seminar", pgettext_lazy("association event", "Seminar")
    TRAINING = "training", pgettext_lazy("association event", "Training")
    EXHIBITION = "exhibition", pgettext_lazy("association event", "Exhibition")
    PUBLIC_WELFARE = "public_welfare", pgettext_lazy("association event", "Public-welfare activity")


class EventPurpose(models.TextChoices):
    POLICY = "policy", _("Policy and regulation")
    TECHNOLOGY = "technology", _("Technology trend")
    MARKET = "market", _("Market and industry")
    OTHER = "other", pgettext_lazy("event purpose", "Other")


class AssociationEvent(TimeStampedModel):
    """An industry event we attended (P4.4.1): its topic and purpose, our attendees, and the
    takeaways, shared with the departments that need them."""

    association = models.ForeignKey(
        Partner,
        verbose_name=_("association"),
        on_delete=models.CASCADE,
        related_name="association_events",
        limit_choices_to=ASSOCIATION,
    )
    kind = models.CharField(_("type"), max_length=20, choices=EventKind.choices)
    topic = models.CharField(_("topic"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=20, choices=EventPurpose.choices)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("our attendees"), related_name="+")
    takeaways = models.TextField(_("takeaways"), max_length=TEXT_MAX, blank=True)
    shared_with = models.ManyToManyField(
        Department, verbose_name=_("takeaways shared with"), blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    # The department of whoever recorded it: the coverage view counts events by department.
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[attendees, shared_with])

    class Meta:
        verbose_name = _("industry event")
        verbose_name_plural = _("industry events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="association_event_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]
        indexes = [
            # The events list (newest first, by type) and the coverage view (events of a year).
            models.Index(fields=["starts_on"], name="association_event_date_idx"),
            models.Index(fields=["kind", "starts_on"], name="association_event_kind_idx"),
        ]

    def __str__(self) -> str:
        return self.topic


class StandardRole(models.TextChoices):
    DRAFTING = "drafting", _("Drafting")
    REVIEWING = "reviewing", _("Reviewing")
    MEMBER = "member", _("Member")


class StandardStage(models.TextChoices):
    PROPOSAL = "proposal", pgettext_lazy("standard stage", "Proposal")
    DRAFT = "draft", pgettext_lazy("standard stage", "Drafting")
    CONSULTATION = "consultation", pgettext_lazy("standard stage", "Public consultation")
    APPROVAL = "approval", pgettext_lazy("standard stage", "Approval")
    PUBLISHED = "published", pgettext_lazy("standard stage", "Published")


class StandardWork(TimeStampedModel):
    """A standard or self-regulation rule we work on with an association (P4.4.1)."""

    association = models.ForeignKey(
        Partner,
        verbose_name=_("association"),
        on_delete=models.CASCADE,
        related_name="standard_works",
        limit_choices_to=ASSOCIATION,
    )
    title = models.CharField(_("standard or rule"), max_length=200)
    our_role = models.CharField(_("our role"), max_length=20, choices=StandardRole.choices)
    stage = models.CharField(_("stage"), max_length=20, choices=StandardStage.choices)
    document = models.FileField(_("document"), upload_to=document_upload_to, blank=True, max_length=200)
    notes = models.TextField(_("notes"), max_length=TEXT_MAX, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("standards work")
        verbose_name_plural = _("standards work")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.title


class SubmissionKind(models.TextChoices):
    PROBLEM = "problem", _("Problem reported")
    PROPOSAL = "proposal", _("Proposal")


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("submission status", "Draft")
    SENT = "sent", pgettext_lazy("submission status", "Sent")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("submission status", "Acknowledged")
    ANSWERED = "answered", pgettext_lazy("submission status", "Answered")
    CLOSED = "closed", pgettext_lazy("submission status", "Closed")


class Submission(TimeStampedModel):
    """A problem we report or a proposal we make to an association (P4.4.3, outbound)."""

    association = models.ForeignKey(
        Partner,
        verbose_name=_("association"),
        on_delete=models.CASCADE,
        related_name="submissions",
        limit_choices_to=ASSOCIATION,
    )
    kind = models.CharField(_("type"), max_length=20, choices=SubmissionKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("what we said"), max_length=TEXT_MAX)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    response = models.TextField(_("the association's response"), max_length=TEXT_MAX, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("submission to an association")
        verbose_name_plural = _("submissions to associations")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.subject


class IndustryReport(TimeStampedModel):
    """An industry report or piece of industry information an association publishes (P4.4.3,
    inbound), uploaded or linked, routed to departments and people."""

    association = models.ForeignKey(
        Partner,
        verbose_name=_("association"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="industry_reports",
        limit_choices_to=ASSOCIATION,
    )
    source_institution = models.CharField(_("source institution"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    topics = models.CharField(_("topics"), max_length=200, blank=True, help_text=_("Separate topics with commas."))
    summary = models.TextField(_("summary"), max_length=TEXT_MAX)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=document_upload_to, blank=True, max_length=200)
    link = models.URLField(_("link"), max_length=500, blank=True)
    departments = models.ManyToManyField(Department, verbose_name=_("departments"), blank=True, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("shared by"), on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[departments])

    class Meta:
        verbose_name = _("industry report")
        verbose_name_plural = _("industry reports")
        indexes = [
            # The reports list: newest first.
            models.Index(fields=["-created_at"], name="industry_report_created_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("associations:report_detail", args=[self.pk])


class ReportReceipt(models.Model):
    """One reader of a report: whether and when they read it, and their comment (P4.4.3)."""

    report = models.ForeignKey(
        IndustryReport, verbose_name=_("industry report"), on_delete=models.CASCADE, related_name="receipts"
    )
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reader"), on_delete=models.CASCADE, related_name="report_receipts"
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    comment = models.TextField(_("comment"), max_length=TEXT_MAX, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report receipt")
        verbose_name_plural = _("report receipts")
        constraints = [models.UniqueConstraint(fields=["report", "reader"], name="report_receipt_once")]
        indexes = [
            # The inbox and the weekly digest: a reader's unread reports.
            models.Index(fields=["reader", "read_at"], name="report_receipt_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.report} → {self.reader}"
