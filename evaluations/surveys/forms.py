"""Forms of the satisfaction surveys: create a survey, choose contacts, answer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.forms import PlainTextFormMixin
from partners.models import Family

from .models import (
    SCALES,
    TEXT_MAX_LENGTH,
    Question,
    QuestionKind,
    Survey,
    SurveyTemplate,
)

# The families a survey can target (P4.1.3 suppliers, P4.2.3 customers, P5.2 partners).
SURVEY_FAMILIES = [(f.value, f.label) for f in (Family.SUPPLIER, Family.CUSTOMER, Family.PARTNER)]


class SurveyForm(PlainTextFormMixin, forms.ModelForm):
    """The reminder policy's numbers take their bounds from the model (crm.forms)."""

    family = forms.ChoiceField(label=_("Family"), choices=SURVEY_FAMILIES)

    class Meta:
        model = Survey
        fields = [
            "template",
            "title",
            "family",
            "department",
            "period",
            "max_reminders",
            "min_days_between",
            "expires_after_days",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = SurveyTemplate.objects.filter(is_active=True)

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())

    def clean_period(self) -> str:
        return self.cleaned_data["period"].strip()

    def clean(self):
        cleaned = super().clean()
        template, family = cleaned.get("template"), cleaned.get("family")
        if template and family and template.family and template.family != family:
            self.add_error("template", _("This template is meant for another family."))
        return cleaned


class SendForm(forms.Form):
    contacts = forms.ModelMultipleChoiceField(
        label=_("Contacts"), queryset=None, widget=forms.CheckboxSelectMultiple, required=True
    )

    def __init__(self, *args, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = contacts


class ResponseForm(forms.Form):
    """One field per question, labelled in the respondent's language."""

    def __init__(self, *args, questions: list[Question], language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            name = f"q_{question.pk}"
            label = question.prompt(language)
            if question.kind == QuestionKind.TEXT:
                self.fields[name] = forms.CharField(
                    label=label,
                    required=question.required,
                    max_length=TEXT_MAX_LENGTH,
                    widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX_LENGTH}),
                )
            else:
                low, high = SCALES[question.kind]
                self.fields[name] = forms.TypedChoiceField(
                    label=label,
                    required=question.required,
                    choices=[(str(i), str(i)) for i in range(low, high + 1)],
                    coerce=int,
                    empty_value=None,
                    widget=forms.RadioSelect,
                )
            self.fields[name].kind = question.kind
            self.fields[name].error_messages["required"] = _("Please answer this question.")

    def answers(self) -> dict[int, object]:
        return {q.pk: self.cleaned_data.get(f"q_{q.pk}") for q in self.questions}


# --- Service cases -------------------------------------------------------------------------
