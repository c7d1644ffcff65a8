"""Configuration in the admin: templates with their criteria and bands inline.

The inline formsets check what spans rows (weights total 100, bands tile 0–100) with the
same functions the services use, so the admin cannot save a template that cannot score.
Evaluations and their results are read-only here, for everyone: they change through the
services only (crm/admin_base.py).
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from crm.admin_base import (
    ConfigHistoryAdmin,
    ConfigStackedInline,
    ConfigTabularInline,
    ReadOnlyPermissionsMixin,
    RecordAdmin,
    RecordInline,
)
from crm.models import CorrectiveAction

from . import scoring
from .models import (
    CorrectiveActionPlan,
    Criterion,
    Decision,
    Evaluation,
    EvaluatorSheet,
    Incentive,
    ScorecardTemplate,
    ScreeningOverride,
    StandingBand,
)


def _kept_forms(formset: BaseInlineFormSet) -> list:
    """The rows that will exist after saving: not deleted, and not an untouched blank extra."""
    kept = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if data and not data.get("DELETE", False) and (form.instance.pk or form.has_changed()):
            kept.append(form)
    return kept


class CriterionFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        weights = [f.cleaned_data["weight"] for f in _kept_forms(self) if f.cleaned_data.get("weight") is not None]
        problems = scoring.weight_problems(weights)
        if problems:
            raise ValidationError(problems)


class BandFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        bands = [
            scoring.Band(code=f.cleaned_data.get("code"), lower_bound=Decimal(f.cleaned_data["lower_bound"]))
            for f in _kept_forms(self)
            if f.cleaned_data.get("lower_bound") is not None
        ]
        problems = scoring.band_problems(bands)
        if problems:
            raise ValidationError(problems)


class CriterionInline(ConfigStackedInline):
    model = Criterion
    formset = CriterionFormSet
    extra = 0
    fields = [
        ("order", "name", "name_zh", "weight", "kind", "allow_na"),
        ("description", "description_zh"),
        ("anchor_1", "anchor_2", "anchor_3", "anchor_4", "anchor_5"),
        ("anchor_1_zh", "anchor_2_zh", "anchor_3_zh", "anchor_4_zh", "anchor_5_zh"),
        ("kpi_min", "kpi_max", "kpi_unit", "kpi_higher_is_better"),
    ]


class StandingBandInline(ConfigTabularInline):
    model = StandingBand
    formset = BandFormSet
    extra = 0
    fields = ["code", "label", "label_zh", "lower_bound", "consequence"]


@admin.register(ScorecardTemplate)
class ScorecardTemplateAdmin(ConfigHistoryAdmin):
    list_display = ["name", "name_zh", "purpose", "family", "tier", "cadence", "is_active"]
    list_filter = ["purpose", "family", "cadence", "is_active"]
    search_fields = ["name", "name_zh"]
    inlines = [CriterionInline, StandingBandInline]


class SheetInline(RecordInline):
    model = EvaluatorSheet
    fields = ["evaluator", "submitted_at"]
    readonly_fields = fields


@admin.register(Evaluation)
class EvaluationAdmin(RecordAdmin):
    list_display = ["partner", "template", "period_start", "status", "score", "standing", "overall_score", "due_on"]
    list_filter = ["status", "standing", "template"]
    search_fields = ["partner__name"]
    list_select_related = ["partner", "template"]
    date_hierarchy = "period_start"
    inlines = [SheetInline]


@admin.register(Decision)
class DecisionAdmin(RecordAdmin):
    list_display = ["evaluation", "revision", "outcome", "approver", "decided_at"]
    list_filter = ["outcome"]
    list_select_related = ["evaluation__partner", "evaluation__template", "approver"]


class CorrectiveActionInline(ReadOnlyPermissionsMixin, GenericTabularInline):
    """The plan's actions (kernel corrective actions, source = the plan): read only."""

    model = CorrectiveAction
    ct_field = "source_type"
    ct_fk_field = "source_id"
    fields = ["description", "owner", "due_on", "state"]
    raw_id_fields = ["owner"]
    extra = 0
    can_delete = False


@admin.register(CorrectiveActionPlan)
class CorrectiveActionPlanAdmin(RecordAdmin):
    list_display = ["evaluation", "re_evaluation_on", "created_by"]
    inlines = [CorrectiveActionInline]


@admin.register(Incentive)
class IncentiveAdmin(RecordAdmin):
    list_display = ["partner", "kind", "status", "starts_on", "ends_on", "approved_by"]
    list_filter = ["status", "kind"]
    list_select_related = ["partner", "approved_by"]


@admin.register(ScreeningOverride)
class ScreeningOverrideAdmin(RecordAdmin):
    list_display = ["partner", "approved_by", "created_at"]
    list_select_related = ["partner", "approved_by"]
