"""Forms of agreements (P4.3.2): the agreement, a document, an obligation and its status,
an execution review, a renewal."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.concurrency import VersionedFormMixin
from crm.forms import DateInput, PlainTextFormMixin
from crm.uploads import ALLOWED_EXTENSIONS, validate_upload
from partners.forms import UserChoiceField, active_colleagues
from partners.models import Partner

from .models import FORM_STATUSES, Agreement, AgreementStatus, Obligation, ObligationStatus, Rating

TOO_LARGE = _("The file is too large (at most %(mb)d MB).")


class PartnerChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class AgreementForm(VersionedFormMixin, PlainTextFormMixin, forms.ModelForm):
    partners = PartnerChoices(
        label=_("Partners"),
        queryset=Partner.objects.none(),
        help_text=_("More than one for a multi-party agreement. The first one's department manages it."),
    )
    owner = UserChoiceField(label=_("Owner"), queryset=active_colleagues())

    class Meta:
        model = Agreement
        fields = [
            "title",
            "kind",
            "partners",
            "owner",
            "status",
            "starts_on",
            "ends_on",
            "notice_days",
            "review_cadence",
            "scope",
            "benefit_sharing",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "scope": forms.Textarea(attrs={"rows": 4}),
            "benefit_sharing": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = Partner.objects.filter(archived_at__isnull=True).order_by("name")
        self.fields["status"].choices = [(s, AgreementStatus(s).label) for s in FORM_STATUSES]
        if self.instance.pk and self.instance.status not in FORM_STATUSES:
            del self.fields["status"]  # moved on by the scan or an action: not the form's to change

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The term cannot end before it starts."))
        return cleaned


class DocumentForm(PlainTextFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    # Not required at field level: a file the upload handler stopped reading arrives missing,
    # and clean_file says why.
    file = forms.FileField(label=_("File"), required=False)

    def __init__(self, *args, upload_too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.upload_too_large = upload_too_large
        self.fields["file"].widget.attrs["accept"] = ",".join(ALLOWED_EXTENSIONS)
        self.fields["file"].help_text = _("PDF, image, Word or Excel.")

    def clean_file(self):
        if self.upload_too_large:
            raise forms.ValidationError(TOO_LARGE % {"mb": settings.RAPPORT_UPLOAD_MAX_BYTES // (1024 * 1024)})
        upload = self.cleaned_data.get("file")
        if not isinstance(upload, UploadedFile):
            raise forms.ValidationError(_("Choose a file."))
        validate_upload(upload)
        return upload


class ObligationForm(PlainTextFormMixin, forms.ModelForm):
    owner = UserChoiceField(
        label=_("Responsible"),
        queryset=active_colleagues(),
        required=False,
        help_text=_("Ours: who delivers it (it becomes their follow-up). Theirs: who chases the partner."),
    )

    class Meta:
        model = Obligation
        fields = ["party", "description", "due_on", "owner"]
        widgets = {"due_on": DateInput()}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("party") == "ours" and not cleaned.get("owner"):
            self.add_error("owner", _("Choose who of us delivers it."))
        return cleaned


class ObligationStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ObligationStatus.choices)


class ReviewActionForm(PlainTextFormMixin, forms.Form):
    """A further corrective action from a recorded execution review."""

    description = forms.CharField(label=_("Corrective action"), max_length=500)
    owner = UserChoiceField(label=_("Action owner"), queryset=active_colleagues())
    due_on = forms.DateField(label=_("Action due date"), widget=DateInput())

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot be in the past."))
        return due_on


class ReviewForm(PlainTextFormMixin, forms.Form):
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DateInput())
    rating = forms.TypedChoiceField(label=_("Rating"), choices=Rating.choices, coerce=int)
    issues = forms.CharField(
        label=_("Issues found"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    resolution = forms.CharField(
        label=_("Negotiated resolution"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    action_description = forms.CharField(
        label=_("Corrective action"),
        max_length=500,
        required=False,
        help_text=_("Optional: an action to put an issue right, with its owner and due date."),
    )
    action_owner = UserChoiceField(label=_("Action owner"), queryset=active_colleagues(), required=False)
    action_due_on = forms.DateField(label=_("Action due date"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("reviewed_on", timezone.localdate())
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reviewed_on") and cleaned["reviewed_on"] > timezone.localdate():
            self.add_error("reviewed_on", _("A review is recorded once it has taken place."))
        if cleaned.get("action_description"):
            if not cleaned.get("action_owner"):
                self.add_error("action_owner", _("Choose the action's owner."))
            if not cleaned.get("action_due_on"):
                self.add_error("action_due_on", _("Give the action a due date."))
        return cleaned

    def actions(self) -> list[dict]:
        data = self.cleaned_data
        if not data.get("action_description"):
            return []
        return [
            {"description": data["action_description"], "owner": data["action_owner"], "due_on": data["action_due_on"]}
        ]


class RenewForm(PlainTextFormMixin, forms.Form):
    ends_on = forms.DateField(label=_("The renewal ends on"), widget=DateInput())
