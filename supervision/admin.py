"""Survey templates and service-level targets are configured here; surveys, invitations,
responses and cases change only through the services, so they are read-only here."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Answer, Case, Question, SlaTarget, Survey, SurveyInvitation, SurveyResponse, SurveyTemplate


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 1
    fields = ["order", "kind", "prompt_en", "prompt_zh", "required"]


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "family", "is_active", "send_after_case", "low_score_opens_case"]
    list_filter = ["family", "is_active"]
    inlines = [QuestionInline]


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin):
    list_display = ["family", "priority", "response_hours", "resolution_hours"]
    list_editable = ["response_hours", "resolution_hours"]
    list_filter = ["family"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ["title", "family", "period", "department", "sent_at", "created_by"]
    list_filter = ["family", "period"]


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyAdmin):
    list_display = ["survey", "partner", "email", "expires_at", "responded_at", "reminders_sent"]
    list_filter = ["family", "period"]
    exclude = ["nonce", "token_hash"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    can_delete = False
    fields = ["question", "kind", "score", "text"]
    readonly_fields = fields


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    list_display = ["survey", "partner", "period", "family", "submitted_at"]
    list_filter = ["family", "period"]
    inlines = [AnswerInline]


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["reference", "subject", "partner", "kind", "priority", "status", "opened_at"]
    list_filter = ["status", "kind", "family", "priority"]
    search_fields = ["reference", "subject"]
    list_select_related = ["partner"]
