"""Imports (issue #14): upload → preview → confirm, all or nothing, skipping bad rows,
encodings, Chinese headers, permissions, a second submit, the Celery path."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from partners.models import Contact, ImportJob, Interaction, Partner, Tag
from tests.factories import PartnerFactory, department

HEADER = "Reference,Family,Type,Name,Status,Owner,Department,Tags\n"


def _upload(client, text: str | bytes, *, kind="partners", name="partners.csv", follow=True):
    data = text.encode("utf-8-sig") if isinstance(text, str) else text
    return client.post(
        reverse("partners:import"), {"kind": kind, "file": SimpleUploadedFile(name, data)}, follow=follow
    )


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def test_preview_marks_each_row_and_writes_nothing(manager_client, manager):
    PartnerFactory(name="Old Supplier", family="supplier", status="candidate", reference="S-1", owner=manager)
    PartnerFactory(name="Same Customer", family="customer", kind="company", status="active", owner=manager)
    csv = HEADER + (
        "S-1,supplier,manufacturer,Old Supplier Renamed,candidate,manager,Procurement,steel\n"
        ",customer,company,Same Customer,active,,,\n"
        ',customer,company,New Customer,,manager@example.com,Procurement,"vip, east"\n'
        ",customer,company,Bad Owner,,nobody,Procurement,\n"
    )
    response = _upload(manager_client, csv)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.PREVIEWED
    assert [r["action"] for r in job.results] == ["update", "unchanged", "new", "error"]
    assert job.results[3]["line"] == 5
    assert job.results[3]["errors"][0]["column"] == "Owner"
    page = response.content.decode()
    assert "Row 5, column “Owner”" in page and "nobody" in page
    # Nothing written yet.
    assert not Partner.objects.filter(name__in=["New Customer", "Old Supplier Renamed"]).exists()
    assert not Tag.objects.exists()


def test_errors_block_the_import_unless_bad_rows_are_skipped(manager_client, manager):
    csv = HEADER + ",customer,company,Good One,,,,\n,customer,company,Bad One,nonsense,,,\n"
    _upload(manager_client, csv)
    job = ImportJob.objects.get()
    confirm = reverse("partners:import_confirm", args=[job.pk])
    response = manager_client.post(confirm, {}, follow=True)
    assert "skip the bad rows" in response.content.decode()
    assert not Partner.objects.filter(name="Good One").exists()

    response = manager_client.post(confirm, {"skip_bad_rows": "on"}, follow=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Partner.objects.filter(name="Good One", department__code="procurement").exists()
    assert not Partner.objects.filter(name="Bad One").exists()
    assert "Download the 1 skipped row" in response.content.decode()
    skipped = manager_client.get(reverse("partners:import_skipped", args=[job.pk]))
    body = b"".join(skipped.streaming_content).decode("utf-8-sig")
    assert "Bad One" in body and "nonsense" in body and "Status" in body
    # A second confirm does nothing twice.
    manager_client.post(confirm, {"skip_bad_rows": "on"})
    assert Partner.objects.filter(name="Good One").count() == 1


def test_an_import_is_all_or_nothing(manager_client, manager):
    """A row that fails at import time (after a clean preview) rolls the whole file back."""
    _upload(manager_client, HEADER + ",customer,company,First,,,,\n,customer,company,Second,,,,\n")
    job = ImportJob.objects.get()
    PartnerFactory(name="Second", family="customer", kind="company", department=department("sales"))
    response = manager_client.post(reverse("partners:import_confirm", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "Nothing was imported" in response.content.decode()
    assert not Partner.objects.filter(name="First").exists()


def test_chinese_headers_in_gb18030(manager_client):
    csv = "类别,类型,名称,标签\n客户,企业客户,华东贸易有限公司,重点\n"
    _upload(manager_client, csv.encode("gb18030"))
    job = ImportJob.objects.get()
    assert [r["action"] for r in job.results] == ["new"], job.results
    manager_client.post(reverse("partners:import_confirm", args=[job.pk]))
    partner = Partner.objects.get(name="华东贸易有限公司")
    assert partner.family == "customer" and [t.name for t in partner.tags.all()] == ["重点"]
    assert partner.history.filter(history_type="+").count() == 1  # the same history as the UI


def test_the_same_file_twice_finds_the_first_import(manager_client):
    csv = HEADER + ",customer,company,Only Once,,,,\n"
    _upload(manager_client, csv)
    job = ImportJob.objects.get()
    manager_client.post(reverse("partners:import_confirm", args=[job.pk]))
    response = _upload(manager_client, csv)
    assert ImportJob.objects.count() == 1
    assert response.redirect_chain[-1][0] == reverse("partners:import_job", args=[job.pk])
    assert "uploaded before" in response.content.decode()
    assert Partner.objects.filter(name="Only Once").count() == 1


def test_a_manager_imports_only_into_their_department(manager_client, manager):
    PartnerFactory(name="Sales Customer", family="customer", kind="company", department=department("sales"))
    csv = HEADER + ",customer,company,Sales Customer,,,,\n,customer,company,Elsewhere,,,Sales,\n"
    _upload(manager_client, csv)
    job = ImportJob.objects.get()
    assert [r["action"] for r in job.results] == ["error", "error"]
    assert "your own department" in job.results[0]["errors"][0]["message"]
    assert job.results[1]["errors"][0]["column"] == "Department"


def test_staff_may_not_import(client, staff):
    client.force_login(staff)
    assert client.get(reverse("partners:import")).status_code == 403
    assert "import-link" not in client.get(reverse("partners:list")).content.decode()


def test_the_partner_list_links_to_the_import_for_managers(manager_client):
    assert "import-link" in manager_client.get(reverse("partners:list")).content.decode()


def test_contacts_and_interactions_use_natural_keys(manager_client, manager):
    partner = PartnerFactory(name="Acme", family="supplier", reference="ACME", owner=manager)
    contacts = (
        "Partner reference,Partner name,Partner family,Name,Email,Phone,Primary contact\n"
        "ACME,,,Li Lei,li@acme.example,+86 138 0000 0000,yes\n"
        ",Acme,supplier,Han Meimei,,,否\n"
        "NOPE,,,Ghost,,,\n"
    )
    _upload(manager_client, contacts, kind="contacts", name="contacts.csv")
    job = ImportJob.objects.get()
    assert [r["action"] for r in job.results] == ["new", "new", "error"]
    assert job.results[2]["errors"][0]["column"] == "Partner reference"
    manager_client.post(reverse("partners:import_confirm", args=[job.pk]), {"skip_bad_rows": "on"})
    li = Contact.objects.get(name="Li Lei")
    assert li.partner == partner and li.is_primary and li.phone == "+86 138 0000 0000"

    interactions = (
        "Partner reference,Type,Date and time,Subject,Logged by\nACME,visit,2026-03-01 10:30,Plant tour,manager\n"
    )
    _upload(manager_client, interactions, kind="interactions", name="interactions.csv")
    job = ImportJob.objects.get(kind="interactions")
    manager_client.post(reverse("partners:import_confirm", args=[job.pk]))
    interaction = Interaction.objects.get(subject="Plant tour")
    assert interaction.author == manager and interaction.kind == "visit"
    partner.refresh_from_db()
    assert partner.last_contacted_at == interaction.occurred_at


@override_settings(RAPPORT_IMPORT_ASYNC_ROWS=1)
def test_a_large_file_runs_in_a_task(manager_client, django_capture_on_commit_callbacks):
    csv = HEADER + ",customer,company,Big One,,,,\n,customer,company,Big Two,,,,\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(manager_client, csv, follow=False)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.PREVIEWED
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("partners:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.counts["new"] == 2
    assert Partner.objects.filter(name__startswith="Big ").count() == 2
    assert response.status_code == 302


def test_a_running_import_shows_its_progress_and_polls(manager_client, manager, django_assert_max_num_queries):
    from django.core.cache import cache

    from partners.importing.services import progress_key

    job = ImportJob.objects.create(
        user=manager, kind="partners", file_hash="1" * 64, filename="big.csv", status="running", total=2000
    )
    cache.set(progress_key(job.pk), 500)
    with django_assert_max_num_queries(15):
        page = manager_client.get(reverse("partners:import_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page and 'http-equiv="refresh"' in page
    assert "500 / 2000" in page and 'value="25"' in page
    assert "import-confirm" not in page


def test_a_preview_page_has_a_fixed_number_of_queries(manager_client, manager, django_assert_max_num_queries):
    rows = "".join(f",customer,company,Row {n},,,,\n" for n in range(60))
    _upload(manager_client, HEADER + rows)
    job = ImportJob.objects.get()
    with django_assert_max_num_queries(15):
        response = manager_client.get(reverse("partners:import_job", args=[job.pk]) + "?page=2")
    assert "Row 59" in response.content.decode() and "2 / 2" in response.content.decode()


def test_a_job_claimed_once_is_not_run_twice_unless_its_worker_died(manager_client, manager):
    import datetime as dt

    from django.utils import timezone

    from partners.importing.services import import_job_apply

    _upload(manager_client, HEADER + ",customer,company,Claimed,,,,\n")
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    assert import_job_apply(job_id=job.pk).status == ImportJob.Status.RUNNING  # someone else runs it
    assert not Partner.objects.filter(name="Claimed").exists()
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    assert import_job_apply(job_id=job.pk).status == ImportJob.Status.DONE  # its worker was killed
    assert Partner.objects.filter(name="Claimed").count() == 1


def test_row_messages_are_in_the_uploaders_language(client, manager):
    client.force_login(manager)
    client.post(reverse("set_language"), {"language": "zh-hans"})
    _upload(client, HEADER + ",customer,company,坏行,,nobody,,\n")
    job = ImportJob.objects.get()
    assert job.language == "zh-hans"
    assert "没有使用此用户名或电子邮件的在职用户" in job.results[0]["errors"][0]["message"]


@override_settings(RAPPORT_IMPORT_ASYNC_ROWS=1)
def test_the_scan_sends_again_the_task_of_a_job_the_broker_lost(manager_client, django_capture_on_commit_callbacks):
    """Issue #14: the upload's and the confirm's tasks never reach a worker (the callbacks
    are dropped here, as a broker restarted without its queue would); the imports scan finds
    each job waiting, sends its task again, and the import completes once."""
    import datetime as dt

    from django.utils import timezone

    from crm.scheduler import scan_run
    from partners.scans import IMPORT_REQUEUE_AFTER

    with django_capture_on_commit_callbacks(execute=False):
        _upload(
            manager_client, HEADER + ",customer,company,Lost One,,,,\n,customer,company,Lost Two,,,,\n", follow=False
        )
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.PREVIEW_QUEUED
    assert scan_run("imports").effects == 0  # it has not waited long enough yet
    later = timezone.now() + IMPORT_REQUEUE_AFTER + dt.timedelta(seconds=1)
    assert scan_run("imports", now=later).effects == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED and job.counts["new"] == 2

    with django_capture_on_commit_callbacks(execute=False):
        manager_client.post(reverse("partners:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED and not Partner.objects.filter(name__startswith="Lost ").exists()
    assert scan_run("imports", now=later + IMPORT_REQUEUE_AFTER).effects == 1
    assert scan_run("imports", now=later + 2 * IMPORT_REQUEUE_AFTER).effects == 0  # done: nothing more
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and Partner.objects.filter(name__startswith="Lost ").count() == 2
