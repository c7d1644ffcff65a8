"""Service-level targets are configured here; cases change only through the services, so they
are read-only here, for everyone (crm/admin_base.py)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model

from crm.admin_base import ConfigAdmin, RecordAdmin

from .intake import intake_rule_check
from .models import Case, CaseIntakeRule, SlaTarget


class CaseIntakeRuleForm(forms.ModelForm):
    class Meta:
        model = CaseIntakeRule
        fields = ["family", "kind", "department", "notify", "on_duty"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on_duty"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")

    def clean(self):
        data = super().clean()
        if "notify" in data and "on_duty" in data:
            try:
                intake_rule_check(notify=data["notify"], on_duty=data["on_duty"])
            except forms.ValidationError as error:
                self.add_error(None, error)
        return data


@admin.register(CaseIntakeRule)
class CaseIntakeRuleAdmin(ConfigAdmin):
    """Who takes a public case and is told at once (issue 12 §2)."""

    form = CaseIntakeRuleForm
    list_display = ["__str__", "family", "kind", "department", "notify"]
    list_filter = ["family", "kind", "department"]
    list_select_related = ["department"]
    filter_horizontal = ["on_duty"]


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
