"""Supplier qualifications (P4.1.1): certificates on file, checked for expiry."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.models import TimeStampedModel
from crm.uploads import storage_name
from partners.models import Partner


def qualification_upload_to(instance, filename: str) -> str:
    """The server's own storage name (crm/uploads.py), never the browser's."""
    return storage_name("qualifications", filename)


class QualificationDocument(TimeStampedModel):
    """A supplier's qualification certificate (P4.1.1), checked for expiry."""

    class DocType(models.TextChoices):
        BUSINESS_LICENSE = "business_license", _("Business licence")
        ISO9001 = "iso9001", _("ISO 9001 certificate")
        ISO14001 = "iso14001", _("ISO 14001 certificate")
        PRODUCTION_PERMIT = "production_permit", _("Production permit")
        PRODUCT_CERT = "product_cert", _("Product certification")
        OTHER = "other", _("Other")

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="qualifications"
    )
    doc_type = models.CharField(_("type"), max_length=30, choices=DocType.choices)
    number = models.CharField(_("number"), max_length=100, blank=True)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=qualification_upload_to, blank=True, max_length=200)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["expires_on"]
        verbose_name = _("qualification document")
        verbose_name_plural = _("qualification documents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(issued_on__isnull=True)
                | models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("issued_on")),
                name="qualification_expiry_after_issue",
                violation_error_message=_("The expiry date cannot be before the issue date."),
            )
        ]
        indexes = [models.Index(fields=["expires_on"], name="qualification_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.number}".strip()
