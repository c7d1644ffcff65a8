"""Service-level targets are configured here; cases change only through the services, so they
are read-only here, for everyone (crm/admin_base.py)."""

from __future__ import annotations

from django.contrib import admin

from crm.admin_base import ConfigAdmin, RecordAdmin

from .models import Case, SlaTarget


@admin.register(SlaTarget)
class SlaTargetAdmin(ConfigAdmin):
    list_display = ["family", "priority", "response_hours", "resolution_hours"]
    list_editable = ["response_hours", "resolution_hours"]
    list_filter = ["family"]


@admin.register(Case)
class CaseAdmin(RecordAdmin):
    list_display = ["reference", "subject", "partner", "kind", "priority", "status", "opened_at"]
    list_filter = ["status", "kind", "family", "priority"]
    search_fields = ["reference", "subject"]
    list_select_related = ["partner"]
