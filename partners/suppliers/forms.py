"""The qualification document form (P4.1.1)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from crm.concurrency import VersionedFormMixin
from crm.forms import DateInput, PlainTextFormMixin
from crm.uploads import ALLOWED_EXTENSIONS, validate_upload

from .models import QualificationDocument


class QualificationForm(VersionedFormMixin, PlainTextFormMixin, forms.ModelForm):
    class Meta:
        model = QualificationDocument
        fields = ["doc_type", "number", "issuer", "issued_on", "expires_on", "file"]
        widgets = {"issued_on": DateInput(), "expires_on": DateInput()}

    def __init__(self, *args, upload_too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.upload_too_large = upload_too_large
        self.fields["file"].widget.attrs["accept"] = ",".join(ALLOWED_EXTENSIONS)

    def clean_file(self):
        if self.upload_too_large:
            limit = settings.RAPPORT_UPLOAD_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(_("The file is too large (at most %(mb)d MB).") % {"mb": limit})
        f = self.cleaned_data.get("file")
        if isinstance(f, UploadedFile):
            validate_upload(f)
        return f

    def clean(self):
        cleaned = super().clean()
        issued, expires = cleaned.get("issued_on"), cleaned.get("expires_on")
        if issued and expires and expires < issued:
            self.add_error("expires_on", _("The expiry date cannot be before the issue date."))
        return cleaned
