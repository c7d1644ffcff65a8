"""Forms of projects (P4.3.3, P4.4.2): the project, a milestone, the linked interactions."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from crm.concurrency import VersionedFormMixin
from crm.forms import DateInput, PlainTextFormMixin
from partners.forms import UserChoiceField, UserMultipleChoiceField, active_colleagues
from partners.models import Partner

from .models import PROGRESS_MAX, PROJECT_FAMILIES, Milestone, Project


class PartnerChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class ProjectForm(VersionedFormMixin, PlainTextFormMixin, forms.ModelForm):
    partners = PartnerChoices(
        label=_("Partners"),
        queryset=Partner.objects.none(),
        help_text=_("Partners for a joint project; associations for a cooperative or public-welfare project."),
    )
    owner = UserChoiceField(label=_("Owner"), queryset=active_colleagues())
    team = UserMultipleChoiceField(label=_("Our team"), queryset=active_colleagues(), required=False)
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=PROGRESS_MAX,
        initial=0,
        validators=[MinValueValidator(0), MaxValueValidator(PROGRESS_MAX)],
    )

    class Meta:
        model = Project
        fields = [
            "title",
            "kind",
            "partners",
            "owner",
            "team",
            "status",
            "starts_on",
            "ends_on",
            "goal",
            "our_contribution",
            "partner_contribution",
            "progress",
            "progress_notes",
            "benefits",
            "risks",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "goal": forms.Textarea(attrs={"rows": 3}),
            "our_contribution": forms.Textarea(attrs={"rows": 3}),
            "partner_contribution": forms.Textarea(attrs={"rows": 3}),
            "benefits": forms.Textarea(attrs={"rows": 3}),
            "progress_notes": forms.Textarea(attrs={"rows": 3}),
            "risks": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = Partner.objects.filter(
            archived_at__isnull=True, family__in=PROJECT_FAMILIES
        ).order_by("name")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The end date cannot be before the start date."))
        return cleaned


class MilestoneForm(PlainTextFormMixin, forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on", "order"]
        widgets = {"due_on": DateInput()}


class InteractionLinkForm(forms.Form):
    interactions = forms.ModelMultipleChoiceField(
        label=_("Linked interactions"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Interactions logged with the project's partners."),
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["interactions"]
        field.queryset = queryset
        field.label_from_instance = lambda i: " · ".join(
            (formats.date_format(timezone.localtime(i.occurred_at), "SHORT_DATE_FORMAT"), i.partner.name, i.subject)
        )
