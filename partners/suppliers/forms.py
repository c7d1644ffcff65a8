"""The qualification document form (P4.1.1)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from crm.forms import DateInput, PlainTextFormMixin

from .models import QualificationDocument


class QualificationForm(PlainTextFormMixin, forms.ModelForm):
    class Meta:
        model = QualificationDocument
        fields = ["doc_type", "number", "issuer", "issued_on", "expires_on", "file"]
        widgets = {"issued_on": DateInput(), "expires_on": DateInput()}

    def clean_file(self):
        f = self.cleaned_data.get("file")
        if f and hasattr(f, "size") and f.size > settings.QUALIFICATION_MAX_UPLOAD_BYTES:
            limit = settings.QUALIFICATION_MAX_UPLOAD_BYTES // (1024 * 1024)
            raise forms.ValidationError(_("The file is too large (at most %(mb)d MB).") % {"mb": limit})
        return f

    def clean(self):
        cleaned = super().clean()
        issued, expires = cleaned.get("issued_on"), cleaned.get("expires_on")
        if issued and expires and expires < issued:
            self.add_error("expires_on", _("The expiry date cannot be before the issue date."))
        return cleaned
