"""Survey templates are configured here; surveys, invitations and responses change only
through the services, so they are read-only in the admin."""

from __future__ import annotations

from django.contrib import admin

from .models import Answer, Question, Survey, SurveyInvitation, SurveyResponse, SurveyTemplate


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 1
    fields = ["order", "kind", "prompt_en", "prompt_zh", "required"]


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "family", "is_active"]
    list_filter = ["family", "is_active"]
    inlines = [QuestionInline]


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
