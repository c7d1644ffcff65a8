"""Forms of the associations app (P4.4): each validates and normalises; services save."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from crm import roles
from crm.concurrency import VersionedFormMixin
from crm.forms import DateInput, PlainTextFormMixin
from crm.models import Department
from crm.uploads import ALLOWED_EXTENSIONS, validate_upload
from partners.models import Family, Partner

from .models import AssociationEvent, IndustryReport, Membership, Position, StandardWork, Submission


def colleagues():
    """Our people who may hold a position, attend or receive a report: active staff and managers."""
    return (
        User.objects.filter(is_active=True, groups__name__in=(roles.STAFF, roles.MANAGER))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class DatesMixin:
    """An end date before the start date is refused next to the end date."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The end date cannot be before the start date."))
        return cleaned


class UploadMixin:
    """A document field through crm/uploads.py: type by extension and content, and size."""

    upload_field = "file"

    def __init__(self, *args, upload_too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.upload_too_large = upload_too_large
        self.fields[self.upload_field].widget.attrs["accept"] = ",".join(ALLOWED_EXTENSIONS)

    def _clean_upload(self):
        if self.upload_too_large:
            limit = settings.RAPPORT_UPLOAD_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(_("The file is too large (at most %(mb)d MB).") % {"mb": limit})
        f = self.cleaned_data.get(self.upload_field)
        if isinstance(f, UploadedFile):
            validate_upload(f)
        return f


DATE_WIDGETS = {"starts_on": DateInput(), "ends_on": DateInput()}


class MembershipForm(DatesMixin, PlainTextFormMixin, forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["level", "fee", "starts_on", "ends_on", "remind_days", "notes"]
        widgets = {**DATE_WIDGETS, "notes": forms.Textarea(attrs={"rows": 3})}


class PositionForm(DatesMixin, PlainTextFormMixin, forms.ModelForm):
    person = PersonChoiceField(label=_("held by"), queryset=User.objects.none())

    class Meta:
        model = Position
        fields = ["role", "person", "starts_on", "ends_on", "remind_days"]
        widgets = DATE_WIDGETS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = colleagues()


class EventForm(VersionedFormMixin, DatesMixin, PlainTextFormMixin, forms.ModelForm):
    attendees = PeopleChoiceField(label=_("our attendees"), queryset=User.objects.none())
    shared_with = forms.ModelMultipleChoiceField(
        label=_("takeaways shared with"), queryset=Department.objects.all(), required=False
    )

    class Meta:
        model = AssociationEvent
        fields = [
            "kind",
            "topic",
            "purpose",
            "starts_on",
            "ends_on",
            "location",
            "attendees",
            "takeaways",
            "shared_with",
        ]
        widgets = {**DATE_WIDGETS, "takeaways": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = colleagues()


class StandardForm(VersionedFormMixin, UploadMixin, PlainTextFormMixin, forms.ModelForm):
    upload_field = "document"

    class Meta:
        model = StandardWork
        fields = ["title", "our_role", "stage", "document", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def clean_document(self):
        return self._clean_upload()


class SubmissionForm(VersionedFormMixin, PlainTextFormMixin, forms.ModelForm):
    class Meta:
        model = Submission
        fields = ["kind", "subject", "body", "sent_on", "status", "response"]
        widgets = {
            "sent_on": DateInput(),
            "body": forms.Textarea(attrs={"rows": 4}),
            "response": forms.Textarea(attrs={"rows": 3}),
        }


class ReportForm(UploadMixin, PlainTextFormMixin, forms.ModelForm):
    """An industry report, uploaded or linked, and whom it is for (P4.4.3)."""

    association = forms.ModelChoiceField(
        label=_("association"),
        queryset=Partner.objects.none(),
        required=False,
        help_text=_("The association in the registry that published it, if any."),
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("departments"), queryset=Department.objects.all(), required=False
    )
    people = PeopleChoiceField(label=_("people"), queryset=User.objects.none(), required=False)
    link = forms.URLField(label=_("link"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = IndustryReport
        fields = ["association", "source_institution", "title", "topics", "summary", "published_on", "file", "link"]
        widgets = {"published_on": DateInput(), "summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["association"].queryset = Partner.objects.filter(
            family=Family.ASSOCIATION, archived_at__isnull=True
        ).order_by("name")
        self.fields["people"].queryset = colleagues()

    def clean_file(self):
        return self._clean_upload()

    def clean(self):
        cleaned = super().clean()
        if not self.errors.get("file") and not cleaned.get("file") and not cleaned.get("link"):
            self.add_error("file", _("Upload the report or give its link."))
        if not cleaned.get("departments") and not cleaned.get("people"):
            self.add_error("departments", _("Choose the departments or people to share the report with."))
        return cleaned


class CommentForm(PlainTextFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What it means for your department, or to whom you passed it on."),
    )


# The records whose edit form carries the version it was rendered from (crm/concurrency.py).
VERSIONED_KINDS = ("event", "standard", "submission")

RECORD_FORMS = {
    "membership": MembershipForm,
    "position": PositionForm,
    "event": EventForm,
    "standard": StandardForm,
    "submission": SubmissionForm,
}
