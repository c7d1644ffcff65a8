"""Forms of the satisfaction surveys: create a survey, choose contacts, answer."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.forms import PlainTextFormMixin
from partners.models import Family

from . import periods
from .models import (
    SCALES,
    TEXT_MAX_LENGTH,
    Question,
    QuestionKind,
    Survey,
    SurveyTemplate,
)

# The families a survey can target (P4.1.3 suppliers, P4.2.3 customers, P4.3 partners,
# P4.4 associations; all four in the annual report, P5.2).
SURVEY_FAMILIES = [(f.value, f.label) for f in (Family.SUPPLIER, Family.CUSTOMER, Family.PARTNER, Family.ASSOCIATION)]


class PeriodFieldsMixin:
    """The survey's period chosen as a kind and a year, quarter or month (never free text);
    ``clean`` replaces the parts with one ``period`` (periods.Period)."""

    PERIOD_PARTS = ("period_kind", "period_year", "period_quarter", "period_month")

    def add_period_fields(self, today) -> None:
        year_error = gettext("Choose a year from %(min)d to %(max)d.") % {
            "min": periods.YEAR_MIN,
            "max": periods.YEAR_MAX,
        }
        self.fields["period_kind"] = forms.ChoiceField(
            label=_("Period"), choices=periods.PeriodKind.choices, initial=periods.PeriodKind.QUARTER
        )
        self.fields["period_year"] = forms.IntegerField(
            label=_("Year"),
            initial=today.year,
            min_value=periods.YEAR_MIN,
            max_value=periods.YEAR_MAX,
            error_messages={"min_value": year_error, "max_value": year_error, "invalid": year_error},
        )
        self.fields["period_quarter"] = forms.TypedChoiceField(
            label=_("Quarter"),
            choices=[(q, f"Q{q}") for q in range(1, 5)],
            coerce=int,
            empty_value=None,
            required=False,
            initial=periods.quarter_of(today).quarter,
            help_text=_("For a quarter."),
            error_messages={"invalid_choice": _("Choose a quarter from Q1 to Q4.")},
        )
        self.fields["period_month"] = forms.TypedChoiceField(
            label=_("Month"),
            choices=[("", "—")] + [(m, f"{m:02d}") for m in range(1, 13)],
            coerce=int,
            empty_value=None,
            required=False,
            help_text=_("For a month."),
            error_messages={"invalid_choice": _("Choose a month from 1 to 12.")},
        )

    def period_from_parts(self, cleaned: dict) -> None:
        kind, year = cleaned.get("period_kind"), cleaned.get("period_year")
        quarter, month = cleaned.get("period_quarter"), cleaned.get("period_month")
        if kind == periods.PeriodKind.QUARTER and quarter is None and "period_quarter" not in self.errors:
            self.add_error("period_quarter", _("Choose the quarter."))
        if kind == periods.PeriodKind.MONTH and month is None and "period_month" not in self.errors:
            self.add_error("period_month", _("Choose the month."))
        for name in self.PERIOD_PARTS:
            cleaned.pop(name, None)
        if self.errors or kind is None or year is None:
            return
        if kind == periods.PeriodKind.QUARTER:
            cleaned["period"] = periods.Period.of_quarter(year, quarter)
        elif kind == periods.PeriodKind.MONTH:
            cleaned["period"] = periods.Period.of_month(year, month)
        else:
            cleaned["period"] = periods.Period.of_year(year)
        self.instance.period = cleaned["period"]


class SurveyForm(PeriodFieldsMixin, PlainTextFormMixin, forms.ModelForm):
    """The reminder policy's numbers take their bounds from the model (crm.forms)."""

    family = forms.ChoiceField(label=_("Family"), choices=SURVEY_FAMILIES)

    class Meta:
        model = Survey
        fields = [
            "template",
            "title",
            "title_zh",
            "family",
            "department",
            "max_reminders",
            "min_days_between",
            "expires_after_days",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = SurveyTemplate.objects.filter(is_active=True)
        self.add_period_fields(timezone.localdate())
        # The period right after the department, before the reminder settings.
        order = list(self.fields)
        for name in reversed(self.PERIOD_PARTS):
            order.remove(name)
            order.insert(order.index("department") + 1, name)
        self.order_fields(order)

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())

    def clean(self):
        cleaned = super().clean()
        template, family = cleaned.get("template"), cleaned.get("family")
        if template and family and template.family and template.family != family:
            self.add_error("template", _("This template is meant for another family."))
        self.period_from_parts(cleaned)
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
