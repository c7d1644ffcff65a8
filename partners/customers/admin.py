"""Customer care in the admin: the care calendar's holidays and greeting templates are configured
here by superusers; needs, greetings, gifts and campaigns are records, read-only for everyone
(crm/admin_base.py)."""

from django.contrib import admin

from crm.admin_base import PlainRecordAdmin, RecordAdmin, RecordInline, SuperuserConfigAdmin

from .models import Campaign, CampaignRecipient, Gift, Greeting, GreetingTemplate, Holiday, Need, NeedTag

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
class CampaignAdmin(RecordAdmin):
    list_display = ["name", "family", "status", "sent_at"]
    list_filter = ["status", "family"]
    raw_id_fields = ["created_by", "sent_by"]
    autocomplete_fields = ["tags"]
    inlines = [CampaignRecipientInline]
