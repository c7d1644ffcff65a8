"""Partners in the admin: records are read-only for everyone (they change in the app, where the
department rules and the screening gate apply); the shared vocabularies and the care calendar
are configured here by superusers. See crm/admin_base.py."""

from django.contrib import admin
from django.db import models

from crm.admin_base import PlainRecordAdmin, RecordAdmin, RecordInline, SuperuserConfigAdmin

from .models import (
    Campaign,
    CampaignRecipient,
    Contact,
    FollowUp,
    Gift,
    Greeting,
    GreetingTemplate,
    Holiday,
    Interaction,
    Need,
    NeedTag,
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
    date_hierarchy = "occurred_at"


@admin.register(FollowUp)
class FollowUpAdmin(RecordAdmin):
    list_display = ["description", "partner", "owner", "due_on", "done_at"]
    raw_id_fields = ["partner", "interaction", "owner", "done_by"]
    list_select_related = ["partner", "owner"]


# --- Customer care (P4.2.3): the calendar's configuration lives here ---------------------------


@admin.register(Holiday)
class HolidayAdmin(SuperuserConfigAdmin):
    """Spring Festival and Mid-Autumn follow the lunar calendar and National Day's dates are
    announced each year: enter each year's dates here (2026 and 2027 came with the install)."""

    list_display = ["date", "name_en", "name_zh"]
    date_hierarchy = "date"
    search_fields = ["name_en", "name_zh"]


@admin.register(GreetingTemplate)
class GreetingTemplateAdmin(SuperuserConfigAdmin):
    list_display = ["name", "occasion", "holiday_name", "send_email", "is_active"]
    list_filter = ["occasion", "send_email", "is_active"]


@admin.register(Greeting)
class GreetingAdmin(PlainRecordAdmin):
    list_display = ["date", "occasion", "partner", "contact", "status"]
    list_filter = ["occasion", "status"]
    raw_id_fields = ["partner", "contact", "holiday", "template", "followup", "done_by"]
    list_select_related = ["partner", "contact"]
    date_hierarchy = "date"


@admin.register(NeedTag)
class NeedTagAdmin(SuperuserConfigAdmin):
    search_fields = ["name"]


@admin.register(Need)
class NeedAdmin(RecordAdmin):
    list_display = ["summary", "partner", "status", "recorded_at", "recorded_by"]
    list_filter = ["status"]
    raw_id_fields = ["partner", "interaction", "recorded_by"]
    autocomplete_fields = ["tags"]
    list_select_related = ["partner", "recorded_by"]


@admin.register(Gift)
class GiftAdmin(RecordAdmin):
    list_display = ["date", "description", "partner", "value", "currency", "direction", "status"]
    list_filter = ["status", "direction", "currency"]
    raw_id_fields = ["partner", "contact", "recorded_by", "decided_by"]
    list_select_related = ["partner"]


class CampaignRecipientInline(RecordInline):
    model = CampaignRecipient
    fields = ["contact", "email", "language", "queued_at", "unsubscribed_at"]
    readonly_fields = fields


@admin.register(Campaign)
class CampaignAdmin(PlainRecordAdmin):
    list_display = ["name", "family", "status", "sent_at"]
    list_filter = ["status", "family"]
    raw_id_fields = ["created_by", "sent_by"]
    autocomplete_fields = ["tags"]
    inlines = [CampaignRecipientInline]
