"""Uploads (issue #10 §4): an allow-list checked by extension and content, server-made names,
a size limit applied while the body is read, downloads only through a view that checks access,
as attachments with nosniff; /media/ is never served."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partners.suppliers.models import QualificationDocument

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
FIELDS = {"doc_type": "iso9001", "number": "CN-9001", "issued_on": "2024-05-01", "expires_on": "2027-05-01"}


def _post(client, supplier, name: str, content: bytes, content_type: str = "application/pdf"):
    url = reverse("suppliers:qualification_create", args=[supplier.pk])
    return client.post(url, {**FIELDS, "file": SimpleUploadedFile(name, content, content_type=content_type)})


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>", "not accepted"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "not accepted"),
        ("setup.exe", b"MZ\x90\x00", "not accepted"),
        ("report.pdf", b"<html><script>alert(1)</script></html>", "does not match its extension"),
        ("scan.png", PDF, "does not match its extension"),
        ("noextension", PDF, "not accepted"),
    ],
)
def test_refused_uploads_say_why_keep_the_form_and_save_nothing(client, staff, supplier, name, content, message):
    client.force_login(staff)
    response = _post(client, supplier, name, content)
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert 'value="CN-9001"' in page  # the rest of the form is kept
    assert not QualificationDocument.objects.exists()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=60), content=st.binary(max_size=64))
def test_no_upload_is_stored_unless_its_bytes_match_an_allowed_type(client, staff, supplier, name, content):
    client.force_login(staff)
    QualificationDocument.objects.all().delete()
    name = name.replace("\x00", "")
    if name.rsplit("/", 1)[-1] in ("", ".", ".."):
        name = "x"  # Django's test client cannot even build such a file (it raises before any request)
    _post(client, supplier, name, content)
    for doc in QualificationDocument.objects.exclude(file=""):
        head = doc.file.open("rb").read(8)
        assert head.startswith((b"%PDF-", b"\x89PNG", b"\xff\xd8\xff", b"PK\x03\x04"))


def test_stored_under_a_server_made_name(client, staff, supplier):
    client.force_login(staff)
    assert _post(client, supplier, "../../evil name.PDF", PDF).status_code == 302
    name = QualificationDocument.objects.get().file.name
    assert name.startswith("qualifications/") and name.endswith(".pdf")
    assert "evil" not in name and ".." not in name


def test_download_is_an_attachment_with_nosniff_for_readers_only(client, staff, supervisor, outsider, supplier):
    client.force_login(staff)
    _post(client, supplier, "scan.png", PNG, "image/png")
    doc = QualificationDocument.objects.get()
    url = reverse("suppliers:qualification_file", args=[doc.pk])
    client.force_login(supervisor)  # supervision reads every supplier (P5.1)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_the_page_links_to_the_checked_download_not_to_media(client, staff, supplier):
    client.force_login(staff)
    _post(client, supplier, "iso.pdf", PDF)
    doc = QualificationDocument.objects.get()
    page = client.get(supplier.get_absolute_url()).content.decode()
    assert reverse("suppliers:qualification_file", args=[doc.pk]) in page
    assert "/media/" not in page


@override_settings(DEBUG=True)
def test_media_is_never_served_directly(client, staff, supplier):
    client.force_login(staff)
    _post(client, supplier, "iso.pdf", PDF)
    doc = QualificationDocument.objects.get()
    assert client.get(f"/media/{doc.file.name}").status_code == 404


@override_settings(RAPPORT_UPLOAD_MAX_BYTES=1024)
def test_a_file_over_the_limit_is_refused_while_read(client, staff, supplier):
    client.force_login(staff)
    response = _post(client, supplier, "big.pdf", PDF + b"0" * 4096)
    assert response.status_code == 200
    assert "The file is too large (at most 0 MB)." in response.content.decode()
    assert not QualificationDocument.objects.exists()


@override_settings(RAPPORT_SENDFILE_HEADER="X-Accel-Redirect", RAPPORT_SENDFILE_PREFIX="/protected-media/")
def test_behind_a_proxy_the_view_checks_then_the_proxy_sends(client, staff, supplier):
    client.force_login(staff)
    _post(client, supplier, "iso.pdf", PDF)
    doc = QualificationDocument.objects.get()
    response = client.get(reverse("suppliers:qualification_file", args=[doc.pk]))
    assert response["X-Accel-Redirect"] == f"/protected-media/{doc.file.name}"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content == b""


@override_settings(RAPPORT_UPLOAD_MAX_BYTES=1024)
def test_a_body_declared_too_large_is_refused_before_it_is_read(client, staff, supplier):
    client.force_login(staff)
    response = _post(client, supplier, "huge.pdf", PDF + b"0" * 200_000)
    assert response.status_code == 200
    assert "The file is too large" in response.content.decode()
    assert not QualificationDocument.objects.exists()
