"""The partner family's pipeline (P4.3.1 selection and matching): where each prospective
partner stands between being identified and becoming active, or why it was rejected.

One ``Partnership`` row per partner-family partner, created at its first move; its history
(django-simple-history) is the list of steps, shown on the partner's page and its history page.
The stage a partner is at is decided by ``stage_of`` from its registry status and the stored
stage (``stage_expression`` is the same rule in SQL, for the pipeline list): the registry status
stays the truth of the relationship, and the pipeline what happened before it became active.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from crm.choices import choice_label
from crm.models import TimeStampedModel
from partners.models import Partner, Status


class Stage(models.TextChoices):
    IDENTIFIED = "identified", pgettext_lazy("pipeline stage", "Identified")
    ASSESSED = "assessed", pgettext_lazy("pipeline stage", "Assessed")
    NEGOTIATING = "negotiating", pgettext_lazy("pipeline stage", "Negotiating")
    ACTIVE = "active", pgettext_lazy("pipeline stage", "Active")
    REJECTED = "rejected", pgettext_lazy("pipeline stage", "Rejected")


# P4.3.1: the allowed moves. A prospect is identified, assessed on the partner assessment
# scorecard, negotiated with, and becomes active; it may be rejected (with a reason) at any
# step before, and a rejected one may be reconsidered from the beginning. Once active, the
# registry's own lifecycle (probation, suspension, termination) takes over.
STAGE_MOVES: dict[str, tuple[str, ...]] = {
    Stage.IDENTIFIED: (Stage.ASSESSED, Stage.REJECTED),
    Stage.ASSESSED: (Stage.NEGOTIATING, Stage.REJECTED),
    Stage.NEGOTIATING: (Stage.ACTIVE, Stage.REJECTED),
    Stage.ACTIVE: (),
    Stage.REJECTED: (Stage.IDENTIFIED,),
}
# The stages of a partner that is still a candidate in the registry.
PROSPECT_STAGES = (Stage.IDENTIFIED, Stage.ASSESSED, Stage.NEGOTIATING)
# The main line, in order (the page draws it as steps).
MAIN_LINE = (Stage.IDENTIFIED, Stage.ASSESSED, Stage.NEGOTIATING, Stage.ACTIVE)
# Registry statuses of an ongoing relationship: the pipeline is behind it.
RELATIONSHIP_STATUSES = (Status.ACTIVE, Status.PROBATION, Status.SUSPENDED)

REASON_MAX = 2000


def stage_of(*, status: str, stored: str | None) -> str | None:
    """The stage of a partner-family partner with registry ``status`` and ``stored`` stage
    (None: no row yet). A candidate is a prospect (identified until it moves, and again after a
    rejected or ended relationship restarts as a candidate); a partner in an ongoing relationship
    is active; a terminated one is rejected if the pipeline rejected it, else (a relationship
    that ended) it is in no stage."""
    if status == Status.CANDIDATE:
        return stored if stored in PROSPECT_STAGES else Stage.IDENTIFIED
    if status in RELATIONSHIP_STATUSES:
        return Stage.ACTIVE
    return Stage.REJECTED if stored == Stage.REJECTED else None


def stage_expression() -> Case:
    """``stage_of`` in SQL over ``Partner`` rows (the pipeline list filters and counts on it)."""
    stored = F("partnership__stage")
    return Case(
        When(Q(status=Status.CANDIDATE, partnership__stage__in=PROSPECT_STAGES), then=stored),
        When(status=Status.CANDIDATE, then=Value(Stage.IDENTIFIED.value)),
        When(status__in=RELATIONSHIP_STATUSES, then=Value(Stage.ACTIVE.value)),
        When(Q(status=Status.TERMINATED, partnership__stage=Stage.REJECTED), then=Value(Stage.REJECTED.value)),
        default=Value(None),
        output_field=models.CharField(),
    )


class Partnership(TimeStampedModel):
    """Where a partner-family partner stands in the pipeline (P4.3.1); its history is the steps."""

    partner = models.OneToOneField(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="partnership"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.IDENTIFIED)
    rejection_reason = models.TextField(_("reason for rejecting"), max_length=REASON_MAX, blank=True)
    note = models.TextField(_("note"), max_length=REASON_MAX, blank=True)
    # When and by whom the current stage was reached (the history has every step's own).
    moved_at = models.DateTimeField(_("in this stage since"))
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # The history's own who and when say who moved it and when.
    history = HistoricalRecords(excluded_fields=["updated_at", "moved_at", "moved_by"])

    class Meta:
        verbose_name = _("partnership pipeline entry")
        verbose_name_plural = _("partnership pipeline")
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage=Stage.REJECTED) | ~Q(rejection_reason=""),
                name="partnership_rejection_has_reason",
                violation_error_message=_("Give the reason for rejecting this partner."),
            ),
        ]
        indexes = [
            # The pipeline list: a stage's partners, longest in it first.
            models.Index(fields=["stage", "moved_at"], name="partnership_stage_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {self.get_stage_display()}"

    def get_stage_display(self) -> str:
        return choice_label(Stage, self.stage)
