"""The associations app in the admin: records, read-only for everyone (crm/admin_base.py). They
are written on the association's page, where the managers' right and the term checks are decided."""

from django.contrib import admin

from crm.admin_base import RecordAdmin

from .models import (
    AssociationEvent,
    IndustryReport,
    Membership,
    Position,
    ReportReceipt,
    StandardWork,
    Submission,
)


@admin.register(Membership)
class MembershipAdmin(RecordAdmin):
    list_display = ["association", "level", "starts_on", "ends_on"]
    search_fields = ["association__name", "level"]
    raw_id_fields = ["association"]
    list_select_related = ["association"]


@admin.register(Position)
class PositionAdmin(RecordAdmin):
    list_display = ["association", "role", "person", "starts_on", "ends_on"]
    search_fields = ["association__name", "role"]
    raw_id_fields = ["association", "person"]
    list_select_related = ["association", "person"]


@admin.register(AssociationEvent)
class AssociationEventAdmin(RecordAdmin):
    list_display = ["topic", "association", "kind", "starts_on"]
    list_filter = ["kind", "purpose"]
    search_fields = ["topic", "association__name"]
    raw_id_fields = ["association", "recorded_by"]
    list_select_related = ["association"]


@admin.register(StandardWork)
class StandardWorkAdmin(RecordAdmin):
    list_display = ["title", "association", "our_role", "stage"]
    list_filter = ["our_role", "stage"]
    search_fields = ["title", "association__name"]
    raw_id_fields = ["association"]
    list_select_related = ["association"]


@admin.register(Submission)
class SubmissionAdmin(RecordAdmin):
    list_display = ["subject", "association", "kind", "status", "sent_on"]
    list_filter = ["kind", "status"]
    search_fields = ["subject", "association__name"]
    raw_id_fields = ["association"]
    list_select_related = ["association"]


@admin.register(IndustryReport)
class IndustryReportAdmin(RecordAdmin):
    list_display = ["title", "source_institution", "sent_by", "created_at"]
    search_fields = ["title", "source_institution", "topics"]
    raw_id_fields = ["association", "sent_by"]
    list_select_related = ["sent_by"]


@admin.register(ReportReceipt)
class ReportReceiptAdmin(RecordAdmin):
    list_display = ["report", "reader", "read_at"]
    raw_id_fields = ["report", "reader"]
    list_select_related = ["report", "reader"]
