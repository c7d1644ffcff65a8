"""The supervision group's records in the admin (P5.1): read-only, for everyone; they change
only in the supervision pages, through the app's services (crm/admin_base.py). The
coverage targets are configuration that only supervision changes."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from crm.admin_base import ConfigHistoryAdmin, PlainRecordAdmin, RecordAdmin, RecordInline

from .coverage import rate_measure_choices
from .models import (
    AnnualReport,
    ChecklistItem,
    CoverageTarget,
    Finding,
    InspectionPlan,
    ReportPlanItem,
    Sample,
    SampleItem,
    Visit,
)
from .sampling import kind_label
from .selectors import may_supervise


class ChecklistInline(RecordInline):
    model = ChecklistItem
    fields = ["position", "clause", "text_en", "text_zh"]


@admin.register(InspectionPlan)
class InspectionPlanAdmin(RecordAdmin):
    list_display = ["year", "title", "schedule", "planned_on", "status"]
    list_filter = ["year", "status", "schedule"]
    search_fields = ["title"]
    inlines = [ChecklistInline]


class SampleItemInline(RecordInline):
    model = SampleItem
    fields = ["position", "label", "department", "grade", "checklist_item", "note"]


@admin.display(description=_("records"))
def sample_kind(sample: Sample) -> str:
    """The kind of record sampled, in words (``kind`` holds a key of sampling.KINDS)."""
    return kind_label(sample.kind)


@admin.register(Sample)
class SampleAdmin(PlainRecordAdmin):
    list_display = ["plan", sample_kind, "size", "seed", "population", "created_at"]
    list_select_related = ["plan"]
    fields = ["plan", sample_kind, "size", "seed", "population", "drawn_by"]
    readonly_fields = [sample_kind]
    inlines = [SampleItemInline]


@admin.register(Visit)
class VisitAdmin(RecordAdmin):
    list_display = ["visited_on", "partner", "visited_by", "satisfaction"]
    list_select_related = ["partner", "visited_by"]
    search_fields = ["partner__name"]


@admin.register(Finding)
class FindingAdmin(RecordAdmin):
    list_display = ["title", "clause", "severity", "department", "response_due", "status"]
    list_filter = ["status", "severity", "clause"]
    list_select_related = ["department"]
    search_fields = ["title"]


class CoverageTargetAdminForm(forms.ModelForm):
    """The measure chosen from the coverage page's percentages, as the targets page offers."""

    measure = forms.ChoiceField(label=_("measure"), choices=rate_measure_choices)

    class Meta:
        model = CoverageTarget
        fields = ["measure", "target", "amber_margin"]


@admin.register(CoverageTarget)
class CoverageTargetAdmin(ConfigHistoryAdmin):
    """Supervision sets the coverage targets (issue #11 §3), in its pages and here alike:
    nobody else, whatever their model permissions."""

    form = CoverageTargetAdminForm
    list_display = ["measure", "target", "amber_margin", "updated_by", "updated_at"]
    list_select_related = ["updated_by"]

    def save_model(self, request, obj, form, change) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def has_module_permission(self, request) -> bool:
        return may_supervise(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return may_supervise(request.user)

    def has_add_permission(self, request) -> bool:
        return may_supervise(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return may_supervise(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return may_supervise(request.user)


class ReportPlanItemInline(RecordInline):
    model = ReportPlanItem
    fields = ["position", "description", "department", "owner", "due_on", "action"]


@admin.register(AnnualReport)
class AnnualReportAdmin(RecordAdmin):
    """Read-only like every record: a published version is frozen, and drafts change only in
    the report's pages (supervision.services)."""

    list_display = ["year", "version", "state", "generation", "published_at"]
    list_filter = ["state", "year"]
    exclude = ["figures"]
    inlines = [ReportPlanItemInline]
