"""Qualification documents are records: read-only in the admin (crm/admin_base.py)."""

from django.contrib import admin

from crm.admin_base import RecordAdmin

from .models import QualificationDocument


@admin.register(QualificationDocument)
class QualificationDocumentAdmin(RecordAdmin):
    list_display = ["partner", "doc_type", "number", "expires_on"]
    raw_id_fields = ["partner"]
    list_select_related = ["partner"]
