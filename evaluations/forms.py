"""Forms of supplier scorecards: a scoring sheet, a decision, an incentive."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.forms import DateInput, PlainTextFormMixin, bound_number_field
from crm.numbers import number_text
from partners.forms import UserChoiceField

from . import scoring
from .models import Decision, Incentive
from .services import ScoreData

RATING_CHOICES = [(str(i), str(i)) for i in range(1, 6)]


class SheetForm(PlainTextFormMixin, forms.Form):
    """One row per criterion: a 1–5 rating (with its written anchors) or a KPI value, N/A
    where the template allows it, and an evidence note."""

    def __init__(self, *args, criteria, existing: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            prev = existing.get(c.pk)
            if c.kind == scoring.MANUAL:
                anchors = c.display_anchors()
                choices = [
                    (str(i), f"{i} — {anchors[i - 1]}" if len(anchors) >= i and anchors[i - 1] else str(i))
                    for i in range(1, 6)
                ]
                self.fields[f"c{c.pk}_value"] = forms.ChoiceField(
                    label=c.display_name,
                    choices=choices,
                    required=False,
                    widget=forms.RadioSelect,
                    initial=str(prev.rating) if prev and prev.rating else None,
                )
            else:
                # Bounded by the KPI's scale (a percentage 0–100), shown as entered (95.5, not 95.5000).
                self.fields[f"c{c.pk}_value"] = bound_number_field(
                    forms.DecimalField(
                        label=f"{c.display_name} ({c.kpi_unit})" if c.kpi_unit else c.display_name,
                        required=False,
                        max_digits=14,
                        decimal_places=4,
                        initial=scoring.plain(prev.kpi_value) if prev and prev.kpi_value is not None else None,
                        help_text=_("KPI: %(lo)s scores 0 and %(hi)s scores 100.")
                        % {
                            "lo": number_text(c.kpi_max if not c.kpi_higher_is_better else c.kpi_min),
                            "hi": number_text(c.kpi_min if not c.kpi_higher_is_better else c.kpi_max),
                        },
                    ),
                    *scoring.kpi_bounds(c.kpi_unit),
                )
            if c.allow_na:
                self.fields[f"c{c.pk}_na"] = forms.BooleanField(
                    label=_("Not applicable"), required=False, initial=bool(prev and prev.is_na)
                )
            self.fields[f"c{c.pk}_evidence"] = forms.CharField(
                label=_("Evidence"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=prev.evidence if prev else "",
            )

    def rows(self):
        for c in self.criteria:
            yield {
                "criterion": c,
                "value": self[f"c{c.pk}_value"],
                "na": self[f"c{c.pk}_na"] if c.allow_na else None,
                "evidence": self[f"c{c.pk}_evidence"],
            }

    def scores(self) -> dict[int, ScoreData]:
        out = {}
        for c in self.criteria:
            value = self.cleaned_data.get(f"c{c.pk}_value")
            is_na = bool(self.cleaned_data.get(f"c{c.pk}_na"))
            evidence = self.cleaned_data.get(f"c{c.pk}_evidence", "")
            if is_na:
                out[c.pk] = ScoreData(is_na=True, evidence=evidence)
            elif value in (None, ""):
                continue
            elif c.kind == scoring.MANUAL:
                out[c.pk] = ScoreData(rating=int(value), evidence=evidence)
            else:
                out[c.pk] = ScoreData(kpi_value=value, evidence=evidence)
        return out


class CloseForm(PlainTextFormMixin, forms.Form):
    """Close an evaluation; before its period ends only with a manager's override and a written
    reason (issue #12 §4: the service decides, this form only asks)."""

    early = forms.BooleanField(label=_("Override: close before the period ends"), required=False)
    early_reason = forms.CharField(
        label=_("Reason for closing before the period ends"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("early") and not cleaned.get("early_reason"):
            self.add_error("early_reason", _("Give the reason for closing before the period ends."))
        return cleaned

    def reason_to_record(self) -> str:
        """The reason the service records: only with the override ticked."""
        return self.cleaned_data["early_reason"] if self.cleaned_data.get("early") else ""


class DecisionForm(PlainTextFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Decision.Outcome.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    re_evaluation_on = forms.DateField(label=_("Re-evaluation date"), required=False, widget=DateInput())

    def __init__(self, *args, allow_reward: bool = True, **kwargs):
        """``allow_reward``: ``evaluations.selectors.evaluation_incentive_eligible`` (P4.1.3)."""
        super().__init__(*args, **kwargs)
        if not allow_reward:
            self.fields["outcome"].choices = [
                (value, label) for value, label in Decision.Outcome.choices if value != Decision.Outcome.REWARD
            ]


class ActionForm(PlainTextFormMixin, forms.Form):
    description = forms.CharField(label=_("Corrective action"), max_length=300, required=False)
    owner = UserChoiceField(label=_("Owner"), queryset=None, required=False)
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DateInput())

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners

    def clean(self):
        cleaned = super().clean()
        filled = [cleaned.get(f) for f in ("description", "owner", "due_on")]
        if any(filled) and not all(filled):
            raise forms.ValidationError(_("Each corrective action needs a description, an owner and a due date."))
        return cleaned


ActionFormSet = forms.formset_factory(ActionForm, extra=3, max_num=10)


class IncentiveForm(PlainTextFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Incentive"), choices=Incentive.Kind.choices)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("starts_on") and cleaned.get("ends_on") and cleaned["ends_on"] < cleaned["starts_on"]:
            self.add_error("ends_on", _("The end date cannot be before the start date."))
        return cleaned
