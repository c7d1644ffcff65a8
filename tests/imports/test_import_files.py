"""Bad files get clear messages (issue #14), templates, and the export → import round trip."""

from __future__ import annotations

import io
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from partners.importing.files import read_table
from partners.importing.services import import_job_apply, import_job_confirm, import_job_create, import_job_preview
from partners.models import Contact, ImportJob, Interaction, Partner, Tag
from tests.factories import ContactFactory, InteractionFactory, PartnerFactory


def _error(name: str, data: bytes, kind: str = "partners") -> str:
    with pytest.raises(ValidationError) as info:
        read_table(name=name, data=data, kind=kind)
    return " ".join(info.value.messages)


def _xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_bad_files_are_refused_with_a_clear_message(settings):
    assert "empty" in _error("p.csv", b"")
    assert "no rows" in _error("p.csv", b"Family,Type,Name\n")
    message = _error("p.csv", b"Family,Type,Name,Colour\nsupplier,manufacturer,A,red\n")
    assert "Unknown columns: Colour" in message
    assert "Missing columns: Type / 类型" in _error("p.csv", b"Family,Name\nsupplier,A\n")
    assert "encoding" in _error("p.csv", b"Family,Type,Name\n\xff\xfe\xfa\xfb,\x80,\xff\n")
    message = _error("p.csv", b'Family,Type,Name\nsupplier,manufacturer,=HYPERLINK("x")\n')
    assert "Row 2, column “Name”" in message and "formula" in message
    assert "formula" in _error("p.xlsx", _xlsx([["Family", "Type", "Name"], ["supplier", "manufacturer", "=1+1"]]))
    assert "Excel" in _error("p.xlsx", b"Family,Type,Name\n")
    assert "CSV" in _error("p.txt", b"Family,Type,Name\n")
    settings.RAPPORT_IMPORT_MAX_BYTES = 10
    assert "too large" in _error("p.csv", b"Family,Type,Name\nsupplier,manufacturer,A\n")


def test_a_number_or_phone_is_not_a_formula_and_our_export_quote_comes_off():
    table = read_table(
        name="c.csv",
        data=b"Partner reference,Name,Phone,Notes\nR,Li,+86 138 0000 0000,'=not a formula\n",
        kind="contacts",
    )
    assert table.rows[0][1:] == ["R", "Li", "+86 138 0000 0000", "=not a formula"]


@override_settings(RAPPORT_IMPORT_MAX_ROWS=3)
def test_the_row_limit_names_the_limit():
    assert "more than 3 rows" in _error("p.csv", b"Family,Type,Name\n" + b"supplier,manufacturer,A\n" * 4)


def test_a_100000_row_file_is_refused_quickly():
    data = b"Family,Type,Name\n" + b"supplier,manufacturer,A\n" * 100_000
    started = time.monotonic()
    assert "more than 5000 rows" in _error("p.csv", data)
    assert time.monotonic() - started < 5


def test_the_upload_page_shows_the_file_error_next_to_the_field(client, manager):
    client.force_login(manager)
    response = client.post(reverse("partners:import"), {"kind": "partners", "file": SimpleUploadedFile("p.csv", b"")})
    assert response.status_code == 200
    assert "empty" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_each_template_is_accepted_by_the_import(client, manager, language):
    client.force_login(manager)
    for kind in ("partners", "contacts", "interactions", "tags"):
        response = client.get(reverse("partners:import_template", args=[kind, language]))
        header = b"".join(response.streaming_content).decode("utf-8-sig")
        assert "no rows" in _error(f"{kind}.csv", header.encode(), kind=kind)  # the columns are right


def _import(user, data: bytes, kind: str) -> ImportJob:
    job, _created = import_job_create(user=user, kind=kind, name="registry.xlsx", data=data)
    job = import_job_preview(job_id=job.pk)
    assert job.counts.get("error", 0) == 0, job.results
    assert import_job_confirm(job=job, skip_bad_rows=False)
    job = import_job_apply(job_id=job.pk)
    assert job.status == ImportJob.Status.DONE, job.results
    return job


def _snapshot() -> dict:
    return {
        "partners": sorted(
            (
                p.reference,
                p.family,
                p.kind,
                p.name,
                p.status,
                p.tier,
                p.owner.username,
                p.department.code,
                p.needs,
                p.customer_since,
                tuple(sorted(t.name for t in p.tags.all())),
            )
            for p in Partner.objects.all()
        ),
        "contacts": sorted(
            (c.partner.name, c.name, c.email, c.phone, c.birthday, c.is_primary, c.marketing_consent, c.notes)
            for c in Contact.objects.all()
        ),
        "interactions": sorted(
            (i.partner.name, i.kind, i.occurred_at.replace(microsecond=0), i.subject, i.summary, i.author.username)
            for i in Interaction.objects.all()
        ),
        "tags": sorted(Tag.objects.values_list("name", flat=True)),
    }


def test_export_everything_then_import_into_an_empty_registry_gives_the_same_data(client, admin_user, staff):
    import datetime as dt

    supplier = PartnerFactory(name="Acme", reference="ACME-1", owner=staff)
    supplier.tags.set([Tag.objects.create(name="steel"), Tag.objects.create(name="华东")])
    customer = PartnerFactory(
        name="客户甲", family="customer", owner=staff, needs="- faster delivery", customer_since=dt.date(2020, 5, 1)
    )
    Tag.objects.create(name="unused")
    ContactFactory(partner=supplier, name="Li Lei", phone="+86 138 0000 0000", is_primary=True, notes="=care")
    ContactFactory(partner=customer, name="王芳", birthday=dt.date(1990, 2, 3), marketing_consent=True)
    InteractionFactory(partner=supplier, subject="Plant tour", summary="@home", author=staff)
    InteractionFactory(partner=customer, kind="call", subject="年度回顾", author=staff)
    before = _snapshot()

    client.force_login(admin_user)
    response = client.get(reverse("partners:export_all"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["partners", "contacts", "tags", "interactions"]

    Interaction.objects.all().delete()
    Contact.objects.all().delete()
    Partner.objects.all().delete()
    Tag.objects.all().delete()
    for kind in ("tags", "partners", "contacts", "interactions"):
        _import(admin_user, response.content, kind)
    assert _snapshot() == before
