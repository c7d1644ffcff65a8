"""Supplier qualification documents (P4.1.1): upload, date order, expiry on the page."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from partners.suppliers.models import QualificationDocument


def test_qualification_upload_and_date_order(client, staff, supplier):
    client.force_login(staff)
    url = reverse("suppliers:qualification_create", args=[supplier.pk])
    bad = client.post(url, {"doc_type": "iso9001", "issued_on": "2025-05-01", "expires_on": "2024-05-01"})
    assert "The expiry date cannot be before the issue date." in bad.content.decode()
    assert not QualificationDocument.objects.exists()
    upload = SimpleUploadedFile("iso.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    ok = client.post(
        url,
        {
            "doc_type": "iso9001",
            "number": "CN-9001",
            "issued_on": "2024-05-01",
            "expires_on": "2027-05-01",
            "file": upload,
        },
    )
    assert ok.status_code == 302
    doc = QualificationDocument.objects.get()
    assert doc.file.name.endswith(".pdf")
    page = client.get(supplier.get_absolute_url()).content.decode()
    assert "CN-9001" in page


def test_expired_qualification_is_flagged_on_supplier_page(client, staff, supplier):
    supplier.qualifications.create(
        doc_type="business_license", number="BL-1", expires_on=timezone.localdate() - dt.timedelta(days=3)
    )
    client.force_login(staff)
    body = client.get(supplier.get_absolute_url()).content.decode()
    assert "expired" in body and "BL-1" in body


def test_customers_have_no_qualification_documents(client, staff_sales, sales_customer):
    client.force_login(staff_sales)
    assert client.get(reverse("suppliers:qualification_create", args=[sales_customer.pk])).status_code == 404
