"""Projects are records: read-only in the admin (crm/admin_base.py). They change on the
project's pages, through ``services``, where the department rule, the partners' family and the
bounds of progress are decided (P4.3.3, P4.4.2)."""

from django.contrib import admin

from crm.admin_base import RecordAdmin

from .models import Milestone, Project


@admin.register(Project)
class ProjectAdmin(RecordAdmin):
    list_display = ["title", "kind", "status", "department", "starts_on", "ends_on", "progress"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]
    raw_id_fields = ["partners", "owner", "team", "interactions"]
    list_select_related = ["department"]


@admin.register(Milestone)
class MilestoneAdmin(RecordAdmin):
    list_display = ["title", "project", "due_on", "done_on"]
    raw_id_fields = ["project", "done_by"]
    list_select_related = ["project"]
