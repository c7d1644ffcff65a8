from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from .models import Contact, FollowUp, Interaction, Partner, QualificationDocument, Tag


class SuperuserWritesMixin:
    """The registry is edited in the app, where department rules apply (partners/selectors.py);
    in the admin, staff-status users (managers configuring scorecards) may only look."""

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Tag)
class TagAdmin(SuperuserWritesMixin, admin.ModelAdmin):
    search_fields = ["name"]


class ContactInline(SuperuserWritesMixin, admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "title", "email", "phone", "is_primary"]


@admin.register(Partner)
class PartnerAdmin(SuperuserWritesMixin, SimpleHistoryAdmin):
    list_display = ["name", "family", "kind", "status", "tier", "owner", "department", "archived_at"]
    list_filter = ["family", "status", "tier", "department"]
    search_fields = ["name"]
    raw_id_fields = ["owner"]
    autocomplete_fields = ["tags"]
    inlines = [ContactInline]
    list_select_related = ["owner", "department"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Contact)
class ContactAdmin(SuperuserWritesMixin, SimpleHistoryAdmin):
    list_display = ["name", "partner", "email", "is_primary"]
    search_fields = ["name", "email"]
    raw_id_fields = ["partner"]
    list_select_related = ["partner"]


@admin.register(QualificationDocument)
class QualificationDocumentAdmin(SuperuserWritesMixin, SimpleHistoryAdmin):
    list_display = ["partner", "doc_type", "number", "expires_on"]
    raw_id_fields = ["partner"]
    list_select_related = ["partner"]


@admin.register(Interaction)
class InteractionAdmin(SuperuserWritesMixin, SimpleHistoryAdmin):
    list_display = ["subject", "partner", "kind", "occurred_at", "author"]
    raw_id_fields = ["partner", "author", "participants", "contacts"]
    list_select_related = ["partner", "author"]
    date_hierarchy = "occurred_at"


@admin.register(FollowUp)
class FollowUpAdmin(SuperuserWritesMixin, SimpleHistoryAdmin):
    list_display = ["description", "partner", "owner", "due_on", "done_at"]
    raw_id_fields = ["partner", "interaction", "owner", "done_by"]
    list_select_related = ["partner", "owner"]
