"""Forms of the supervision group's work (P5.1)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.concurrency import VersionedFormMixin
from crm.forms import DateInput, PlainTextFormMixin
from crm.models import Department
from partners.forms import UserChoiceField, active_colleagues
from partners.models import Family, Partner

from .clauses import clause_choices
from .models import ChecklistItem, CoverageTarget, Finding, Grade, InspectionPlan, SampleItem, Visit
from .sampling import kind_choices


class PlanForm(PlainTextFormMixin, forms.ModelForm):
    families = forms.MultipleChoiceField(
        label=_("Partner families"),
        choices=Family.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: all families."),
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: all departments."),
    )

    class Meta:
        model = InspectionPlan
        fields = ["year", "title", "schedule", "planned_on", "period_start", "period_end", "departments", "families"]
        widgets = {"planned_on": DateInput(), "period_start": DateInput(), "period_end": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk and not self.is_bound:
            year = timezone.localdate().year
            self.initial.update(
                year=year,
                planned_on=timezone.localdate(),
                period_start=timezone.localdate().replace(month=1, day=1),
                period_end=timezone.localdate(),
            )
            self.initial.setdefault("title", _("Annual inspection %(year)s") % {"year": year})

    def clean(self):
        cleaned = super().clean()
        from .services import plan_problems  # the rule lives in the service; shown next to the field here

        for field, problem in plan_problems(cleaned).items():
            self.add_error(field, problem)
        return cleaned

    def plan_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "departments"}


class ChecklistItemForm(PlainTextFormMixin, forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = ["position", "clause", "text_en", "text_zh"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clause"].choices = clause_choices()


ChecklistFormSet = forms.inlineformset_factory(
    InspectionPlan, ChecklistItem, form=ChecklistItemForm, extra=1, can_delete=True, max_num=60, validate_max=True
)


class SampleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Records"))
    size = forms.IntegerField(label=_("How many"), min_value=1, max_value=500, initial=10)
    seed = forms.IntegerField(
        label=_("Random seed"),
        min_value=0,
        max_value=2**31 - 1,
        required=False,
        help_text=_("Leave empty for a new random draw; enter an earlier seed to redraw the same sample."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices()


class GradeForm(PlainTextFormMixin, forms.ModelForm):
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices, widget=forms.RadioSelect)

    class Meta:
        model = SampleItem
        fields = ["grade", "checklist_item", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, plan: InspectionPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checklist_item"].queryset = plan.checklist.all()
        self.fields["checklist_item"].label_from_instance = lambda item: f"{item.clause} · {item.text}"[:120]


class VisitForm(PlainTextFormMixin, forms.ModelForm):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())

    class Meta:
        model = Visit
        fields = ["partner", "plan", "visited_on", "met", "feedback", "satisfaction"]
        widgets = {"visited_on": DateInput(), "feedback": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.filter(archived_at__isnull=True).order_by("name")
        self.fields["plan"].queryset = InspectionPlan.objects.exclude(status=InspectionPlan.Status.CLOSED)
        self.initial.setdefault("visited_on", timezone.localdate())


class FindingForm(PlainTextFormMixin, forms.ModelForm):
    class Meta:
        model = Finding
        fields = ["plan", "clause", "severity", "department", "title", "description", "evidence", "response_due"]
        widgets = {
            "response_due": DateInput(),
            "description": forms.Textarea(attrs={"rows": 5}),
            "evidence": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, plan: InspectionPlan | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clause"].choices = [("", "---------"), *clause_choices()]
        self.fields["plan"].queryset = InspectionPlan.objects.all()
        # Evidence: the non-conforming records of the plan's samples.
        evidence = SampleItem.objects.none()
        if plan is not None:
            self.initial.setdefault("plan", plan.pk)
            evidence = SampleItem.objects.filter(sample__plan=plan).exclude(grade=Grade.CONFORMS)
        self.fields["evidence"].queryset = evidence.order_by("sample_id", "position")
        self.fields["evidence"].required = False
        self.initial.setdefault("response_due", timezone.localdate() + dt.timedelta(days=30))


class FindingResponseForm(PlainTextFormMixin, forms.Form):
    response = forms.CharField(
        label=_("Department's response"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )


class ActionForm(PlainTextFormMixin, forms.Form):
    description = forms.CharField(label=_("Corrective action"), max_length=500)
    owner = UserChoiceField(label=_("Owner"), queryset=None)
    due_on = forms.DateField(label=_("Due date"), widget=DateInput())

    def __init__(self, *args, department_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        colleagues = active_colleagues()
        if department_id:
            colleagues = colleagues.filter(profile__department_id=department_id)
        self.fields["owner"].queryset = colleagues

    def clean_due_on(self):
        due = self.cleaned_data["due_on"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("The due date is in the past."))
        return due


class CoverageTargetForm(VersionedFormMixin, PlainTextFormMixin, forms.ModelForm):
    """Supervision's target for one coverage measure: a percentage, and how far below it a
    figure is amber rather than red (both 0–100, the model field's bounds)."""

    class Meta:
        model = CoverageTarget
        fields = ["target", "amber_margin"]


# --- The annual satisfaction report (P5.2) ----------------------------------------------------


class ReportCreateForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class ReportTextForm(PlainTextFormMixin, forms.Form):
    summary = forms.CharField(
        label=_("Summary"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    summary_zh = forms.CharField(
        label=_("Summary (Chinese)"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The Chinese PDF shows this summary; left empty, it shows the one above."),
    )


class ReportItemForm(PlainTextFormMixin, forms.Form):
    description = forms.CharField(label=_("Improvement"), max_length=500)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.order_by("name"))
    owner = UserChoiceField(label=_("Owner"), queryset=None)
    due_on = forms.DateField(label=_("Due date"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_colleagues()

    def clean_due_on(self):
        due = self.cleaned_data["due_on"]
        if due <= timezone.localdate():
            raise forms.ValidationError(_("The due date must be in the future."))
        return due


class ReportCorrectionForm(PlainTextFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for the correction"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
