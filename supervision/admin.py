"""The supervision group's records in the admin (P5.1): read-only, for everyone; they change
only in the supervision pages, through the app's services (crm/admin_base.py)."""

from __future__ import annotations

from django.contrib import admin

from crm.admin_base import PlainRecordAdmin, RecordAdmin, RecordInline

from .models import AnnualReport, ChecklistItem, Finding, InspectionPlan, ReportPlanItem, Sample, SampleItem, Visit


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


@admin.register(Sample)
class SampleAdmin(PlainRecordAdmin):
    list_display = ["plan", "kind", "size", "seed", "population", "created_at"]
    list_select_related = ["plan"]
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
