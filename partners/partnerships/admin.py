"""The pipeline in the admin: a record, read-only for everyone (crm/admin_base.py). Moves are
made on the partner's page, through ``services.partnership_move``, where the allowed moves,
the managers' right and the assessment gate are decided (P4.3.1)."""

from django.contrib import admin

from crm.admin_base import RecordAdmin

from .models import Partnership


@admin.register(Partnership)
class PartnershipAdmin(RecordAdmin):
    list_display = ["partner", "stage", "moved_at", "moved_by"]
    list_filter = ["stage"]
    search_fields = ["partner__name"]
    raw_id_fields = ["partner", "moved_by"]
    list_select_related = ["partner", "moved_by"]
