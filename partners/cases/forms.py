"""Forms of the service cases: open, triage, note, move, assign, and the public form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.concurrency import VersionedFormMixin
from crm.forms import PlainTextFormMixin
from partners.forms import UserChoiceField, active_colleagues
from partners.models import Contact, Family, Partner

from .models import (
    Case,
    CaseKind,
    CaseNote,
    CaseStatus,
)

# --- Service cases -------------------------------------------------------------------------


class CaseForm(VersionedFormMixin, PlainTextFormMixin, forms.ModelForm):
    """Open a case for a partner, or edit what it is about (triage)."""

    assignee = UserChoiceField(label=_("Assignee"), queryset=None, required=False)

    class Meta:
        model = Case
        fields = ["partner", "contact", "kind", "channel", "priority", "subject", "description", "assignee"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, partner: Partner | None = None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = active_colleagues()
        if editing:
            del self.fields["assignee"]  # assigning has its own form and notification
        if partner is not None:
            # Opened from a partner: the partner is fixed, its contacts to choose from.
            del self.fields["partner"]
            self.fields["contact"].queryset = Contact.objects.filter(partner=partner).order_by("-is_primary", "name")
        else:
            family = self.instance.family if self.instance.pk else None
            partners = Partner.objects.filter(archived_at__isnull=True).only("name", "family").order_by("name")
            self.fields["partner"].queryset = partners.filter(family=family) if family else partners
            self.fields["partner"].required = False
            self.fields["contact"].queryset = Contact.objects.none()
        self.partner = partner
        self.fields["contact"].required = False

    def clean_subject(self) -> str:
        return " ".join(self.cleaned_data["subject"].split())


class CaseNoteForm(PlainTextFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[(CaseNote.Kind.NOTE, CaseNote.Kind.NOTE.label), (CaseNote.Kind.REPLY, CaseNote.Kind.REPLY.label)],
        initial=CaseNote.Kind.NOTE,
        widget=forms.RadioSelect,
    )
    body = forms.CharField(label=_("Text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class CaseTransitionForm(PlainTextFormMixin, forms.Form):
    to_status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)
    resolution = forms.CharField(
        label=_("Resolution"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CaseAssignForm(forms.Form):
    assignee = UserChoiceField(label=_("Assignee"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = active_colleagues()


# The families and kinds the public feedback form offers (P4.2.3 customers, P4.1.2 suppliers).
FEEDBACK_FAMILIES = [(Family.CUSTOMER.value, _("I am a customer")), (Family.SUPPLIER.value, _("I am a supplier"))]
FEEDBACK_KINDS = [
    (CaseKind.COMPLAINT.value, CaseKind.COMPLAINT.label),
    (CaseKind.SUGGESTION.value, CaseKind.SUGGESTION.label),
]


class FeedbackForm(PlainTextFormMixin, forms.Form):
    """The public complaint / suggestion form (no login)."""

    family = forms.ChoiceField(label=_("You are"), choices=FEEDBACK_FAMILIES, widget=forms.RadioSelect)
    kind = forms.ChoiceField(label=_("Your message is"), choices=FEEDBACK_KINDS, widget=forms.RadioSelect)
    name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(label=_("Your email"), max_length=254)
    company = forms.CharField(label=pgettext_lazy("public form", "Company"), max_length=200)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=pgettext_lazy("public form", "Details"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 5000}),
    )
    # A field people never see: bots that fill every input are turned away.
    website = forms.CharField(required=False, label=_("Leave this empty"), max_length=200)

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty."))
        return ""

    def clean_subject(self) -> str:
        return " ".join(self.cleaned_data["subject"].split())
