"""The upload and the confirmation of an import."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..models import ImportKind


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8 or GB18030/GBK, as Chinese Excel saves it) or an Excel workbook (.xlsx)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, upload_too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.upload_too_large = upload_too_large

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.RAPPORT_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(mb)s MB).")
                % {"mb": round(settings.RAPPORT_IMPORT_MAX_BYTES / (1024 * 1024), 1)}
            )
        return upload

    def clean(self):
        if self.upload_too_large:
            self.add_error(
                "file",
                _("The file is too large (at most %(mb)s MB).")
                % {"mb": round(settings.RAPPORT_IMPORT_MAX_BYTES / (1024 * 1024), 1)},
            )
        return super().clean()


class ImportConfirmForm(forms.Form):
    skip_bad_rows = forms.BooleanField(
        label=_("Skip bad rows"),
        required=False,
        help_text=_("Import the good rows only; the skipped rows can be downloaded afterwards."),
    )
