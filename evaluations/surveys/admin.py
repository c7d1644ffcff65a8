"""Survey templates and service-level targets are configured here; surveys, invitations,
responses and cases change only through the services, so they are read-only here, for
everyone (crm/admin_base.py)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from crm.admin_base import ConfigAdmin, ConfigTabularInline, PlainRecordAdmin, RecordInline

from .models import Answer, Question, Survey, SurveyInvitation, SurveyResponse, SurveyTemplate


class QuestionInline(ConfigTabularInline):
    model = Question
    extra = 1
    fields = ["order", "kind", "prompt_en", "prompt_zh", "required"]


@admin.display(description=_("period"), ordering="period_start")
def period(obj) -> str:
    """The period column, labelled in the reader's language (the model's is a property)."""
    return str(obj.period)


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(ConfigAdmin):
    list_display = ["name", "name_zh", "family", "is_active", "send_after_case", "low_score_opens_case"]
    list_filter = ["family", "is_active"]
    inlines = [QuestionInline]


@admin.register(Survey)
class SurveyAdmin(PlainRecordAdmin):
    list_display = ["title", "family", period, "department", "sent_at", "created_by"]
    list_filter = ["family", "period_kind", "period_start"]


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(PlainRecordAdmin):
    list_display = ["survey", "partner", "email", "expires_at", "responded_at", "reminders_sent"]
    list_filter = ["family", "period_kind", "period_start"]
    exclude = ["nonce", "token_hash"]


class AnswerInline(RecordInline):
    model = Answer
    fields = ["question", "kind", "score", "text"]
    readonly_fields = fields


@admin.register(SurveyResponse)
class SurveyResponseAdmin(PlainRecordAdmin):
    list_display = ["survey", "partner", period, "family", "submitted_at"]
    list_filter = ["family", "period_kind", "period_start"]
    inlines = [AnswerInline]
