"""Supplier scorecards: templates, evaluations, standings, decisions, incentives.

Policy: P4.1.1 (screening, periodic evaluation, decisions), P4.1.3 (incentives),
P4.3.1 (partner assessment: the same engine with other criteria).

Shape
    ScorecardTemplate → Criterion (weights total 100) and StandingBand (tile 0–100).
    Evaluation (partner × template × calendar period, unique) → EvaluatorSheet (one per
    evaluator) → CriterionScore. Closing freezes ``Evaluation.snapshot`` (the explanation
    of the computation, see ``scoring.explain_period``); template edits never touch it.
    Decision (one per close: unique per evaluation *revision*), CorrectiveActionPlan (its
    actions are the kernel's ``crm.CorrectiveAction``), Incentive, ScreeningOverride, EvaluationAmendment.
    PartnerScore: the current overall score per (partner, template), denormalised on close
    so the ranking is one indexed query.

The business rules live in ``services.py``; the maths in ``scoring.py``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Abs
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from crm.bilingual import in_language
from crm.cleaning import between
from crm.models import TimeStampedModel
from partners.models import Family, Partner, Tier

from . import scoring

SCORE_VALIDATORS = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
KPI_VALIDATORS = between(-scoring.KPI_LIMIT, scoring.KPI_LIMIT)  # and the unit's scale: stored_value_problems
ORDER_VALIDATORS = between(0, 1000)
# How many times an evaluation was closed (each amendment closes it again).
REVISION_MAX = 1000


def _score_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=5, decimal_places=2, null=True, blank=True, validators=SCORE_VALIDATORS, **kwargs
    )


class Purpose(models.TextChoices):
    SCREENING = "screening", _("Supplier screening")
    PERIODIC = "periodic", _("Periodic evaluation")
    PARTNER_ASSESSMENT = "partner_assessment", _("Partner assessment")


class Cadence(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    YEARLY = "yearly", _("Yearly")


class StandingCode(models.TextChoices):
    A = "A", _("A")
    B = "B", _("B")
    C = "C", _("C")
    D = "D", _("D")


class Consequence(models.TextChoices):
    INCENTIVE_ELIGIBLE = "incentive_eligible", _("Eligible for incentives")
    NONE = "none", _("None")
    CORRECTIVE_ACTION = "corrective_action", _("Corrective action required")
    PROBATION_OR_EXIT_REVIEW = "probation_or_exit_review", _("Probation or exit review")


# Standings whose period result needs a corrective action plan before a decision (issue #3 §5).
CONSEQUENCES_NEEDING_PLAN = {Consequence.CORRECTIVE_ACTION, Consequence.PROBATION_OR_EXIT_REVIEW}


class ScorecardTemplate(TimeStampedModel):
    """A configurable scorecard: criteria, bands, cadence, thresholds (P4.1.1, P4.3.1)."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=150, blank=True)
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices, default=Purpose.PERIODIC)
    family = models.CharField(_("family"), max_length=20, choices=Family.choices, default=Family.SUPPLIER)
    tier = models.PositiveSmallIntegerField(
        _("tier"),
        choices=Tier.choices,
        null=True,
        blank=True,
        help_text=_("Leave empty for every tier."),
        validators=between(min(Tier.values), max(Tier.values)),
    )
    cadence = models.CharField(_("cadence"), max_length=20, choices=Cadence.choices, default=Cadence.QUARTERLY)
    pass_threshold = models.DecimalField(
        _("pass threshold"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(70),
        validators=SCORE_VALIDATORS,
        help_text=_("Screening: the score a candidate needs to pass."),
    )
    min_scored_weight = models.DecimalField(
        _("minimum scored weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(60),
        validators=SCORE_VALIDATORS,
        help_text=_("Below this share of the weight with a score, a period is not rated."),
    )
    recency_periods = models.PositiveSmallIntegerField(
        _("periods in the overall score"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("The overall score weighs the last N rated periods N, N−1, …, 1."),
    )
    description = models.TextField(_("description"), max_length=2000, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), max_length=2000, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["family", "purpose", "name"]
        verbose_name = _("scorecard template")
        verbose_name_plural = _("scorecard templates")
        constraints = [
            models.CheckConstraint(condition=Q(recency_periods__gte=1), name="template_recency_periods_positive"),
            models.CheckConstraint(
                condition=Q(pass_threshold__gte=0, pass_threshold__lte=100, min_scored_weight__gte=0)
                & Q(min_scored_weight__lte=100),
                name="template_thresholds_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language (the Chinese one when set)."""
        return in_language(self.name, self.name_zh)

    @property
    def display_description(self) -> str:
        return in_language(self.description, self.description_zh)

    @property
    def is_screening(self) -> bool:
        return self.purpose == Purpose.SCREENING


class Criterion(TimeStampedModel):
    """One weighted criterion, scored 0–100 from a manual 1–5 rating or a KPI."""

    class Kind(models.TextChoices):
        MANUAL = scoring.MANUAL, _("Manual rating (1–5)")
        KPI = scoring.KPI, _("KPI value")

    template = models.ForeignKey(
        ScorecardTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="criteria"
    )
    name = models.CharField(_("name"), max_length=150)
    name_zh = models.CharField(_("name (Chinese)"), max_length=150, blank=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), max_length=2000, blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))],
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MANUAL)
    anchor_1 = models.CharField(_("level 1 means"), max_length=300, blank=True)
    anchor_2 = models.CharField(_("level 2 means"), max_length=300, blank=True)
    anchor_3 = models.CharField(_("level 3 means"), max_length=300, blank=True)
    anchor_4 = models.CharField(_("level 4 means"), max_length=300, blank=True)
    anchor_5 = models.CharField(_("level 5 means"), max_length=300, blank=True)
    anchor_1_zh = models.CharField(_("level 1 means (Chinese)"), max_length=300, blank=True)
    anchor_2_zh = models.CharField(_("level 2 means (Chinese)"), max_length=300, blank=True)
    anchor_3_zh = models.CharField(_("level 3 means (Chinese)"), max_length=300, blank=True)
    anchor_4_zh = models.CharField(_("level 4 means (Chinese)"), max_length=300, blank=True)
    anchor_5_zh = models.CharField(_("level 5 means (Chinese)"), max_length=300, blank=True)
    kpi_unit = models.CharField(_("KPI unit"), max_length=30, blank=True)
    kpi_min = models.DecimalField(
        _("KPI value scoring 0"), max_digits=14, decimal_places=4, null=True, blank=True, validators=KPI_VALIDATORS
    )
    kpi_max = models.DecimalField(
        _("KPI value scoring 100"), max_digits=14, decimal_places=4, null=True, blank=True, validators=KPI_VALIDATORS
    )
    kpi_higher_is_better = models.BooleanField(
        _("higher is better"),
        default=True,
        help_text=_("Off for KPIs such as a defect rate: then the minimum scores 100 and the maximum 0."),
    )
    allow_na = models.BooleanField(_("N/A allowed"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0, validators=ORDER_VALIDATORS)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["template", "order", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "name"],
                name="criterion_unique_name_per_template",
                violation_error_message=_("This template already has a criterion with this name."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0, weight__lte=100),
                name="criterion_weight_in_range",
                violation_error_message=_("A weight is greater than 0 and at most 100."),
            ),
            models.CheckConstraint(
                condition=Q(kind=scoring.MANUAL)
                | Q(kpi_min__isnull=False, kpi_max__isnull=False, kpi_max__gt=models.F("kpi_min")),
                name="criterion_kpi_range",
                violation_error_message=_("A KPI needs a minimum and a greater maximum."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language (the Chinese one when set)."""
        return in_language(self.name, self.name_zh)

    @property
    def display_description(self) -> str:
        return in_language(self.description, self.description_zh)

    def stored_value_problems(self) -> dict[str, str]:
        """The KPI range lies within its unit's scale (a percentage between 0 and 100)."""
        return {
            name: problem
            for name in ("kpi_min", "kpi_max")
            if getattr(self, name) is not None
            and (problem := scoring.kpi_value_problem(getattr(self, name), self.kpi_unit))
        }

    @property
    def anchors(self) -> list[str]:
        return [self.anchor_1, self.anchor_2, self.anchor_3, self.anchor_4, self.anchor_5]

    @property
    def anchors_zh(self) -> list[str]:
        return [self.anchor_1_zh, self.anchor_2_zh, self.anchor_3_zh, self.anchor_4_zh, self.anchor_5_zh]

    def display_anchors(self, language: str | None = None) -> list[str]:
        """What levels 1–5 mean in the reader's language, level by level (English where a
        Chinese text is missing)."""
        return [in_language(en, zh, language) for en, zh in zip(self.anchors, self.anchors_zh, strict=True)]

    def spec(self) -> scoring.CriterionSpec:
        return scoring.CriterionSpec(
            key=self.pk,
            name=self.name,
            weight=self.weight,
            kind=self.kind,
            kpi_min=self.kpi_min,
            kpi_max=self.kpi_max,
            kpi_higher_is_better=self.kpi_higher_is_better,
            allow_na=self.allow_na,
        )


class StandingBand(TimeStampedModel):
    """A standing (A/B/C/D) from its lower bound up to the next band's; the top band holds 100."""

    template = models.ForeignKey(
        ScorecardTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="bands"
    )
    code = models.CharField(_("standing"), max_length=1, choices=StandingCode.choices)
    label = models.CharField(_("label"), max_length=100)
    label_zh = models.CharField(_("label (Chinese)"), max_length=100, blank=True)
    lower_bound = models.DecimalField(_("lower bound"), max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    consequence = models.CharField(_("consequence"), max_length=30, choices=Consequence.choices)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["template", "-lower_bound"]
        verbose_name = _("standing band")
        verbose_name_plural = _("standing bands")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "code"],
                name="band_unique_code_per_template",
                violation_error_message=_("This template already has a band with this code."),
            ),
            models.UniqueConstraint(
                fields=["template", "lower_bound"],
                name="band_unique_bound_per_template",
                violation_error_message=_("Two bands cannot start at the same score."),
            ),
            models.CheckConstraint(
                condition=Q(lower_bound__gte=0, lower_bound__lte=100), name="band_lower_bound_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ≥ {self.lower_bound}"

    @property
    def display_label(self) -> str:
        """The label in the reader's language (the Chinese one when set)."""
        return in_language(self.label, self.label_zh)

    def band(self) -> scoring.Band:
        return scoring.Band(
            code=self.code, lower_bound=self.lower_bound, label=self.label, consequence=self.consequence
        )


class Evaluation(TimeStampedModel):
    """One partner × template × calendar period (unique). Closing freezes the snapshot."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("status", "Open")
        CLOSED = "closed", _("Closed")

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="evaluations"
    )
    template = models.ForeignKey(
        ScorecardTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="evaluations"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    due_on = models.DateField(_("due date"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # A department manager's written reason for closing before the period ended (issue #12 §4);
    # empty when it closed after its period, as it should.
    closed_early_reason = models.TextField(_("reason for closing before the period ended"), max_length=2000, blank=True)
    # How many times it was closed: 1 after the first close, +1 after each amendment's close.
    revision = models.PositiveSmallIntegerField(_("revision"), default=0, validators=between(0, REVISION_MAX))
    snapshot = models.JSONField(_("snapshot"), default=dict, blank=True)
    score = _score_field(_("period score"))
    scored_weight = _score_field(_("scored weight"))
    is_not_rated = models.BooleanField(_("not rated"), default=False)
    standing = models.CharField(_("standing"), max_length=1, choices=StandingCode.choices, blank=True)
    # As of this period (the last N rated closed periods up to this one): the trend line and
    # the ranking "at period P" read it. Recomputed for later periods when one is amended.
    overall_score = _score_field(_("overall score"))
    overall_standing = models.CharField(_("overall standing"), max_length=1, choices=StandingCode.choices, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "overall_score", "overall_standing"])

    class Meta:
        ordering = ["-period_start", "pk"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "template", "period_start"],
                name="evaluation_one_per_partner_template_period",
                violation_error_message=_("This partner already has an evaluation for this template and period."),
            ),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="evaluation_period"),
            models.CheckConstraint(
                condition=Q(status="open") | Q(closed_at__isnull=False), name="evaluation_closed_has_date"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="evaluation_score_range"
            ),
        ]
        indexes = [
            # Scorecard page: a partner's periods of a template, newest first (trend, latest).
            models.Index(fields=["partner", "template", "-period_start"], name="evaluation_partner_idx"),
            # Manager overview: evaluations overdue / awaiting approval, by due date then id (issue
            # #15: read in the page's order down to the 50 shown; with no id, every evaluation of
            # the same due date, most of a period's, was read and sorted).
            models.Index(fields=["status", "due_on", "id"], name="evaluation_status_due_idx"),
            # Ranking "at period P": one template's closed periods sorted by overall score.
            models.Index(fields=["template", "period_start", "-overall_score"], name="evaluation_period_rank_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} · {self.template} · {self.period_label}"

    @property
    def period_label(self) -> str:
        return scoring.period_label(self.period_start, self.template.cadence)

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def apply_snapshot(self, snapshot: dict, *, closed_at, closed_by) -> None:
        """Take the result of a frozen snapshot onto this evaluation and mark it closed
        (the caller saves)."""
        for name, value in self.closed_values(snapshot).items():
            setattr(self, name, value)
        self.closed_at = closed_at
        self.closed_by = closed_by

    @classmethod
    def closed_values(cls, snapshot: dict) -> dict:
        """What closing with a frozen snapshot sets (attname → value): one place for the close
        service (``apply_snapshot``) and the demo data, which writes it as rows."""
        return {
            "snapshot": snapshot,
            "score": None if snapshot["score"] is None else Decimal(snapshot["score"]),
            "scored_weight": Decimal(snapshot["scored_weight"]),
            "is_not_rated": snapshot["not_rated"],
            "standing": snapshot["standing"] or "",
            "status": cls.Status.CLOSED,
            "revision": snapshot["revision"],
        }

    @property
    def consequence(self) -> str:
        """The consequence of the period standing, as frozen on close ("" when none)."""
        return (self.snapshot or {}).get("consequence") or ""

    @property
    def passed_screening(self) -> bool:
        """Closed, rated, and at or above the threshold frozen on close (P4.1.1)."""
        if not self.is_closed or self.is_not_rated or self.score is None:
            return False
        threshold = (self.snapshot or {}).get("pass_threshold")
        return threshold is not None and self.score >= Decimal(threshold)


class EvaluatorSheet(TimeStampedModel):
    """One evaluator's scores for one evaluation; submitting locks it."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="sheets"
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("evaluator"), on_delete=models.PROTECT, related_name="score_sheets"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["evaluation", "pk"]
        verbose_name = _("evaluator sheet")
        verbose_name_plural = _("evaluator sheets")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "evaluator"],
                name="sheet_one_per_evaluator",
                violation_error_message=_("This evaluator already has a sheet for this evaluation."),
            )
        ]
        indexes = [
            # "Sheets to score" (dashboard / my evaluations): mine, unsubmitted first.
            models.Index(fields=["evaluator", "submitted_at"], name="sheet_evaluator_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} · {self.evaluator}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class CriterionScore(TimeStampedModel):
    """One evaluator's rating (manual), value (KPI) or N/A for one criterion, with evidence."""

    sheet = models.ForeignKey(EvaluatorSheet, verbose_name=_("sheet"), on_delete=models.CASCADE, related_name="scores")
    # PROTECT: a criterion with scores is kept (retire the template instead of deleting it).
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="scores"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    kpi_value = models.DecimalField(
        _("KPI value"), max_digits=14, decimal_places=4, null=True, blank=True, validators=KPI_VALIDATORS
    )
    is_na = models.BooleanField(_("N/A"), default=False)
    evidence = models.TextField(_("evidence"), max_length=5000, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["sheet", "criterion__order", "pk"]
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="score_one_per_sheet_criterion"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="score_rating_1_to_5"
            ),
            # Exactly one of: N/A, a rating, a KPI value.
            models.CheckConstraint(
                condition=Q(is_na=True, rating__isnull=True, kpi_value__isnull=True)
                | Q(is_na=False, rating__isnull=False, kpi_value__isnull=True)
                | Q(is_na=False, rating__isnull=True, kpi_value__isnull=False),
                name="score_one_kind_of_input",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {'N/A' if self.is_na else self.rating or self.kpi_value}"

    def stored_value_problems(self) -> dict[str, str]:
        """A KPI value lies within its criterion's unit's scale (a percentage between 0 and 100)."""
        if self.kpi_value is None or self.criterion_id is None:
            return {}
        problem = scoring.kpi_value_problem(self.kpi_value, self.criterion.kpi_unit)
        return {"kpi_value": problem} if problem else {}


class EvaluationAmendment(models.Model):
    """Why and by whom a closed evaluation was reopened, with what it said before."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="amendments"
    )
    revision = models.PositiveSmallIntegerField(_("amended revision"), validators=between(1, REVISION_MAX))
    reason = models.TextField(_("reason"), max_length=2000)
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("amended by"), on_delete=models.PROTECT, related_name="+"
    )
    amended_at = models.DateTimeField(_("amended"), auto_now_add=True)
    previous_snapshot = models.JSONField(_("previous snapshot"), default=dict)
    previous_score = _score_field(_("previous score"))
    previous_standing = models.CharField(_("previous standing"), max_length=1, choices=StandingCode.choices, blank=True)

    class Meta:
        ordering = ["evaluation", "revision"]
        verbose_name = _("evaluation amendment")
        verbose_name_plural = _("evaluation amendments")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "revision"], name="amendment_one_per_revision"),
            models.CheckConstraint(condition=~Q(reason=""), name="amendment_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} r{self.revision}"


class Decision(TimeStampedModel):
    """What follows a closed evaluation (P4.1.1): one per close (evaluation × revision)."""

    class Outcome(models.TextChoices):
        CONTINUE = "continue", _("Continue cooperation")
        ADJUST_TERMS = "adjust_terms", _("Adjust terms")
        PROBATION = "probation", _("Probation")
        TERMINATE = "terminate", _("Terminate")
        REWARD = "reward", _("Reward")

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.PROTECT, related_name="decisions"
    )
    revision = models.PositiveSmallIntegerField(_("evaluation revision"), validators=between(1, REVISION_MAX))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    reason = models.TextField(_("reason"), max_length=5000)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"))

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "revision"],
                name="decision_one_per_close",
                violation_error_message=_("A decision was already recorded for this evaluation."),
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="decision_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation}: {self.get_outcome_display()}"


class CorrectiveActionPlan(TimeStampedModel):
    """Required before deciding on a C or D period (issue #3 §5); one per evaluation.

    Its actions are kernel corrective actions (``crm.CorrectiveAction``, source = the plan:
    ``crm.selectors.actions_for_source``), with the same response, verification by the
    supervision group, reminders and escalation as any other. ``re_evaluation_on`` is the
    plan's follow-up check: on that date the department's managers are told the supplier is
    due its re-evaluation (the ``action_plans_due`` scan)."""

    evaluation = models.OneToOneField(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.PROTECT, related_name="action_plan"
    )
    re_evaluation_on = models.DateField(_("re-evaluation date"))
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("corrective action plan")
        verbose_name_plural = _("corrective action plans")
        # The re-evaluation scan: plans whose date has come.
        indexes = [models.Index(fields=["re_evaluation_on"], name="plan_re_evaluation_idx")]

    def __str__(self) -> str:
        return str(self.evaluation)

    def get_absolute_url(self) -> str:
        """Where a corrective action raised by the plan links to: the evaluation's page."""
        return reverse("evaluations:detail", args=[self.evaluation_id])


class Incentive(TimeStampedModel):
    """A reward for an excellent supplier (P4.1.3), proposed from an A standing."""

    class Kind(models.TextChoices):
        ORDER_PRIORITY = "order_priority", _("Order priority")
        CONTRACT_EXTENSION = "contract_extension", _("Contract extension")
        PREFERRED_SUPPLIER = "preferred_supplier", _("Preferred-supplier status")
        AWARD = "award", _("Award")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="incentives")
    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.PROTECT, related_name="incentives"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved / rejected by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("approved / rejected"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("incentive")
        verbose_name_plural = _("incentives")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="incentive_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]
        indexes = [
            # Scorecard page: a partner's incentives; ranking: its current approved ones.
            models.Index(fields=["partner", "status", "ends_on"], name="incentive_partner_idx"),
            # Overview: proposals awaiting approval.
            models.Index(fields=["status", "created_at"], name="incentive_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {self.get_kind_display()}"


class ScreeningOverride(TimeStampedModel):
    """A manager lets a candidate supplier become active without a passed screening (P4.1.1)."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="screening_overrides"
    )
    evaluation = models.ForeignKey(
        Evaluation,
        verbose_name=_("screening evaluation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="overrides",
    )
    reason = models.TextField(_("reason"), max_length=2000)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("screening override")
        verbose_name_plural = _("screening overrides")
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="override_reason_required")]

    def __str__(self) -> str:
        return f"{self.partner}: {self.reason[:40]}"


def movement_size() -> Abs:
    """How far a partner's overall score moved since the previous period, either way: the key of
    ``partner_score_movers_idx``, and of the query it serves (``biggest_movers``), which must
    spell it the same for the index to apply."""
    return Abs(models.F("overall_score") - models.F("previous_overall_score"))


class PartnerScore(models.Model):
    """The current overall score of a partner on a template, refreshed on every close/amend.

    Denormalised so the ranking (3,000 suppliers × 8 periods) is one indexed query with no
    per-row aggregate; ``Evaluation.overall_score`` keeps the value as of each period.
    """

    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="scores")
    template = models.ForeignKey(
        ScorecardTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="partner_scores"
    )
    overall_score = _score_field(_("overall score"))
    overall_standing = models.CharField(_("overall standing"), max_length=1, choices=StandingCode.choices, blank=True)
    previous_overall_score = _score_field(_("previous overall score"))
    latest_evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("latest evaluation"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    latest_score = _score_field(_("latest score"))
    latest_standing = models.CharField(_("latest standing"), max_length=1, choices=StandingCode.choices, blank=True)
    # Every rated period of the partner on the template: a century of monthly periods at most.
    rated_periods = models.PositiveSmallIntegerField(_("rated periods"), default=0, validators=between(0, 1200))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("partner score")
        verbose_name_plural = _("partner scores")
        constraints = [models.UniqueConstraint(fields=["partner", "template"], name="partner_score_unique")]
        indexes = [
            # Ranking: one template's partners by overall score (nulls last): this order on SQLite;
            # PostgreSQL puts NULLs first in DESC and reads evaluations 0009's index instead.
            models.Index(fields=["template", "-overall_score"], name="partner_score_rank_idx"),
            # Ranking filter and the distribution of standings.
            models.Index(fields=["template", "overall_standing"], name="partner_score_standing_idx"),
            # Overview's "Biggest movers" (issue #15): one template's scores by the size of their
            # change, read in that order down to the ten shown, not every score sorted.
            models.Index(
                models.F("template"),
                movement_size().desc(),
                name="partner_score_movers_idx",
                condition=Q(overall_score__isnull=False, previous_overall_score__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} · {self.template}: {self.overall_score}"

    @property
    def movement(self) -> Decimal | None:
        if self.overall_score is None or self.previous_overall_score is None:
            return None
        return self.overall_score - self.previous_overall_score
