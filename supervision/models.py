"""The supervision group's own records (P5.1 inspections: plans, checklists, samples, visits,
findings). Corrective actions raised from findings are the kernel's ``crm.CorrectiveAction``.

Service cases moved to ``partners.cases`` and satisfaction surveys to ``evaluations.surveys``;
their tables moved with them (see the migrations of those apps).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.models import Department, TimeStampedModel
from partners.models import Interaction, Partner

from .clauses import CLAUSES, clause_label

CLAUSE_CHOICES = [(clause.code, clause.code) for clause in CLAUSES]
YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


class InspectionPlan(TimeStampedModel):
    """One inspection (P5.1): its year, scope, schedule and its own checklist."""

    class Schedule(models.TextChoices):
        PERIODIC = "periodic", _("Periodic")
        UNANNOUNCED = "unannounced", _("Unannounced")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        CLOSED = "closed", pgettext_lazy("inspection", "Closed")

    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    title = models.CharField(_("title"), max_length=200)
    schedule = models.CharField(_("schedule"), max_length=20, choices=Schedule.choices, default=Schedule.PERIODIC)
    planned_on = models.DateField(_("planned for"))
    # The records the inspection looks at: those dated in this period, of these departments and
    # families (none chosen: all).
    period_start = models.DateField(_("records from"))
    period_end = models.DateField(_("records until"))
    departments = models.ManyToManyField(Department, verbose_name=_("departments"), blank=True, related_name="+")
    families = models.JSONField(_("partner families"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-year", "-planned_on", "-pk"]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        indexes = [models.Index(fields=["status", "planned_on"], name="plan_status_idx")]

    def __str__(self) -> str:
        return f"{self.year} · {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("supervision:plan_detail", args=[self.pk])


class ChecklistItem(TimeStampedModel):
    """One line of a plan's checklist, mapped to a policy clause; edited with history, so the
    checklist an inspection used is the one it shows (versioned with the plan)."""

    plan = models.ForeignKey(InspectionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="checklist")
    position = models.PositiveSmallIntegerField(_("order"), validators=[MinValueValidator(0), MaxValueValidator(999)])
    clause = models.CharField(_("clause"), max_length=10, choices=CLAUSE_CHOICES)
    text_en = models.CharField(_("check (English)"), max_length=500)
    text_zh = models.CharField(_("check (Chinese)"), max_length=500, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["plan", "position", "pk"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return f"{self.clause} {self.text}"

    @property
    def text(self) -> str:
        if (get_language() or "").lower().startswith("zh") and self.text_zh:
            return self.text_zh
        return self.text_en

    @property
    def clause_label(self) -> str:
        return clause_label(self.clause)


class Sample(TimeStampedModel):
    """N random records of one kind, in the plan's scope and period, drawn with a shown seed:
    the same seed over the same records draws the same sample."""

    plan = models.ForeignKey(InspectionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="samples")
    kind = models.CharField(_("records"), max_length=20)  # a key of supervision.sampling.KINDS
    size = models.PositiveSmallIntegerField(_("size"), validators=[MinValueValidator(1), MaxValueValidator(500)])
    seed = models.PositiveIntegerField(
        _("random seed"), validators=[MinValueValidator(0), MaxValueValidator(2**31 - 1)]
    )
    population = models.PositiveIntegerField(
        _("records in scope"), validators=[MinValueValidator(0), MaxValueValidator(10**9)]
    )
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drawn by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["plan", "pk"]
        verbose_name = _("sample")
        verbose_name_plural = _("samples")

    def __str__(self) -> str:
        from .sampling import kind_label

        return f"{kind_label(self.kind)} × {self.size}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("supervision:sample_detail", args=[self.pk])


class Grade(models.TextChoices):
    CONFORMS = "conforms", _("Conforms")
    DOES_NOT_CONFORM = "nonconforming", _("Does not conform")
    NOT_APPLICABLE = "na", _("Not applicable")


class SampleItem(models.Model):
    """One sampled record and its grade against the checklist."""

    sample = models.ForeignKey(Sample, verbose_name=_("sample"), on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("order"), validators=[MinValueValidator(0), MaxValueValidator(999)])
    record_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    record_id = models.PositiveBigIntegerField(validators=[MinValueValidator(1), MaxValueValidator(2**63 - 1)])
    record = GenericForeignKey("record_type", "record_id")
    # What the record was when drawn, so the sample reads the same if the record changes.
    label = models.CharField(_("record"), max_length=300)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices, blank=True)
    checklist_item = models.ForeignKey(
        ChecklistItem,
        verbose_name=_("checklist item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("graded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    graded_at = models.DateTimeField(_("graded"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sample", "position"]
        verbose_name = _("sampled record")
        verbose_name_plural = _("sampled records")
        constraints = [
            models.UniqueConstraint(fields=["sample", "record_type", "record_id"], name="sample_record_once"),
        ]

    def __str__(self) -> str:
        return self.label


class Visit(TimeStampedModel):
    """A partner visit by the supervision group (P5.1), with the feedback collected. It is also
    a "visit" interaction on the partner's timeline."""

    plan = models.ForeignKey(
        InspectionPlan, verbose_name=_("plan"), on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+")
    interaction = models.OneToOneField(
        Interaction, verbose_name=_("timeline entry"), on_delete=models.PROTECT, related_name="supervision_visit"
    )
    visited_on = models.DateField(_("visited on"))
    met = models.CharField(_("people met"), max_length=300, blank=True)
    feedback = models.TextField(_("feedback collected"), max_length=10000)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("visited by"), on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-visited_on", "-pk"]
        verbose_name = _("partner visit")
        verbose_name_plural = _("partner visits")
        indexes = [models.Index(fields=["-visited_on"], name="visit_date_idx")]

    def __str__(self) -> str:
        return f"{self.partner} · {self.visited_on:%Y-%m-%d}"


class Finding(TimeStampedModel):
    """What an inspection found (P5.1): against a clause, with a severity, addressed to a
    department, with evidence (sampled records) and a date by which the department responds."""

    class Severity(models.TextChoices):
        OBSERVATION = "observation", _("Observation")
        MINOR = "minor", _("Minor")
        MAJOR = "major", _("Major")
        CRITICAL = "critical", _("Critical")

    class Status(models.TextChoices):
        AWAITING_RESPONSE = "awaiting", _("Awaiting response")
        RESPONDED = "responded", _("Responded")
        CLOSED = "closed", pgettext_lazy("finding", "Closed")

    plan = models.ForeignKey(
        InspectionPlan, verbose_name=_("plan"), on_delete=models.PROTECT, null=True, blank=True, related_name="findings"
    )
    clause = models.CharField(_("clause"), max_length=10, choices=CLAUSE_CHOICES)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices)
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=10000)
    evidence = models.ManyToManyField(SampleItem, verbose_name=_("evidence"), blank=True, related_name="findings")
    response_due = models.DateField(_("response due"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.AWAITING_RESPONSE)
    response = models.TextField(_("department's response"), max_length=10000, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        indexes = [
            # The department's findings awaiting its response, by due date; the dashboard's.
            models.Index(fields=["department", "status", "response_due"], name="finding_dept_idx"),
            models.Index(fields=["status", "response_due"], name="finding_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.clause} · {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("supervision:finding_detail", args=[self.pk])

    @property
    def clause_label(self) -> str:
        return clause_label(self.clause)


class CoverageTarget(TimeStampedModel):
    """Supervision's target for one coverage measure (``supervision.coverage.MEASURES``): the
    page shows a figure green at or above ``target``, amber within ``amber_margin`` below it,
    red further below. Edited by supervision only, with history."""

    measure = models.CharField(_("measure"), max_length=40, unique=True)
    target = models.DecimalField(
        _("target (%)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    amber_margin = models.DecimalField(
        _("amber margin (points)"),
        max_digits=4,
        decimal_places=1,
        default=5,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("How far below the target a figure is amber rather than red."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["measure"]
        verbose_name = _("coverage target")
        verbose_name_plural = _("coverage targets")

    def __str__(self) -> str:
        return f"{self.measure}: {self.target} %"


# --- The annual satisfaction report (P5.2) ----------------------------------------------------


def report_file_name(report: AnnualReport, filename: str) -> str:
    """Where a report's frozen files live: one folder per year and version."""
    return f"reports/{report.year}/v{report.version}/{filename}"


class AnnualReport(TimeStampedModel):
    """The annual satisfaction report of one year (P5.2), in versions.

    A version is written in draft (figures generated by a Celery task into ``figures``, a
    JSON snapshot; summary and improvement plan written by supervision), submitted for
    review and published. Published is frozen: figures, text and files never change again
    (supervision.services refuses, the admin is read-only). Correcting a published
    version makes version N+1, a draft with a reason; at its publication the old version
    becomes "superseded" and stays readable.
    """

    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("report", "Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")

    class Generation(models.TextChoices):
        NONE = "none", _("Not generated")
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Generating")
        DONE = "done", _("Generated")
        FAILED = "failed", _("Failed")

    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    version = models.PositiveSmallIntegerField(_("version"), validators=[MinValueValidator(1), MaxValueValidator(99)])
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    summary = models.TextField(_("summary"), max_length=20000, blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"), max_length=20000, blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    generation = models.CharField(_("generation"), max_length=10, choices=Generation.choices, default=Generation.NONE)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    generation_error = models.TextField(_("generation error"), max_length=4000, blank=True)
    generation_requested_at = models.DateTimeField(_("generation requested"), null=True, blank=True)
    generation_started_at = models.DateTimeField(_("generation started"), null=True, blank=True)
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted for review"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    correction_reason = models.TextField(_("reason for the correction"), max_length=5000, blank=True)
    pdf_en = models.FileField(_("PDF (English)"), upload_to=report_file_name, blank=True, max_length=200)
    pdf_zh = models.FileField(_("PDF (Chinese)"), upload_to=report_file_name, blank=True, max_length=200)
    xlsx = models.FileField(_("spreadsheet (English)"), upload_to=report_file_name, blank=True, max_length=200)
    xlsx_zh = models.FileField(_("spreadsheet (Chinese)"), upload_to=report_file_name, blank=True, max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at", "progress", "figures"])

    class Meta:
        ordering = ["-year", "-version"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="report_year_version_unique"),
            # Two publishes at the same moment: the second one's insert of a second published
            # version fails here even if the row locks were bypassed (supervision.services).
            models.UniqueConstraint(
                fields=["year"], condition=Q(state="published"), name="report_one_published_per_year"
            ),
            # One version in the works per year: a correction while another is open is refused.
            models.UniqueConstraint(
                fields=["year"], condition=Q(state__in=["draft", "review"]), name="report_one_open_per_year"
            ),
        ]
        indexes = [
            # The scan for generations a dead worker left behind.
            models.Index(fields=["generation", "generation_requested_at"], name="report_generation_idx"),
        ]

    # The files made at publication (supervision.services.report_files_make).
    FILE_FIELDS = ("pdf_en", "pdf_zh", "xlsx", "xlsx_zh")

    def __str__(self) -> str:
        return f"{self.year} v{self.version}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("supervision:report_detail", args=[self.pk])

    @property
    def is_frozen(self) -> bool:
        return self.state in (self.State.PUBLISHED, self.State.SUPERSEDED)

    @property
    def is_generating(self) -> bool:
        return self.generation in (self.Generation.QUEUED, self.Generation.RUNNING)

    @property
    def files_pending(self) -> bool:
        """Published, and its files not made yet (a task makes them after publication)."""
        return self.is_frozen and not all(getattr(self, field) for field in self.FILE_FIELDS)

    # Flags for the templates (they never compare a state with a literal).
    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    @property
    def is_in_review(self) -> bool:
        return self.state == self.State.REVIEW

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED

    @property
    def is_superseded(self) -> bool:
        return self.state == self.State.SUPERSEDED

    @property
    def is_generated(self) -> bool:
        return self.generation == self.Generation.DONE

    @property
    def generation_failed(self) -> bool:
        return self.generation == self.Generation.FAILED


class ReportPlanItem(TimeStampedModel):
    """One item of a report's improvement plan (P5.2 "followed by improvement"). It becomes a
    ``crm.CorrectiveAction`` when its report is published (a draft plan stays free to edit);
    a correction copies the items with the action they already raised, so an item is tracked
    to closure once, and next year's report shows how it ended."""

    report = models.ForeignKey(AnnualReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("order"), validators=[MinValueValidator(0), MaxValueValidator(999)])
    description = models.CharField(_("improvement"), max_length=500)
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due date"))
    action = models.ForeignKey(
        "crm.CorrectiveAction",
        verbose_name=_("corrective action"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["report", "position", "pk"]
        verbose_name = _("improvement plan item")
        verbose_name_plural = _("improvement plan items")

    def __str__(self) -> str:
        return self.description
