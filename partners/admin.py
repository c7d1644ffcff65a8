"""Partners in the admin: records are read-only for everyone (they change in the app, where the
department rules and the screening gate apply); the shared vocabularies and the care calendar
are configured here by superusers. See crm/admin_base.py."""

from django.contrib import admin
from django.db import models

from crm.admin_base import RecordAdmin, RecordInline, SuperuserConfigAdmin

from .models import (
    Contact,
    FollowUp,
    Interaction,
    Partner,
    Tag,
)


@admin.register(Tag)
class TagAdmin(SuperuserConfigAdmin):
    search_fields = ["name"]


class ContactInline(RecordInline):
    model = Contact
    fields = ["name", "title", "email", "phone", "is_primary"]


@admin.register(Partner)
class PartnerAdmin(RecordAdmin):
    list_display = ["name", "family", "kind", "status", "tier", "owner", "department", "archived_at"]
    list_filter = ["family", "status", "tier", "department"]
    search_fields = ["name"]
    raw_id_fields = ["owner"]
    autocomplete_fields = ["tags"]
    inlines = [ContactInline]
    list_select_related = ["owner", "department"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Contact)
class ContactAdmin(RecordAdmin):
    list_display = ["name", "partner", "email", "is_primary"]
    search_fields = ["name", "email"]
    raw_id_fields = ["partner"]
    list_select_related = ["partner"]


@admin.register(Interaction)
class InteractionAdmin(RecordAdmin):
    list_display = ["subject", "partner", "kind", "occurred_at", "author"]
    raw_id_fields = ["partner", "author", "participants", "contacts"]
    list_select_related = ["partner", "author"]


@admin.register(FollowUp)
class FollowUpAdmin(RecordAdmin):
    list_display = ["description", "partner", "owner", "due_on", "done_at"]
    raw_id_fields = ["partner", "interaction", "owner", "done_by"]
    list_select_related = ["partner", "owner"]


# --- Customer care (P4.2.3): the calendar's configuration lives here ---------------------------
