"""The annual report's life (issue #11 §4, P5.2): draft → review → published by supervision,
frozen once published, corrected by a new version, exported as PDF (English and Chinese)
and XLSX, generated in the background with a progress fragment."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from crm.models import CorrectiveAction
from supervision import report, report_exports, services
from supervision.models import AnnualReport, ReportPlanItem
from tests.factories import InteractionFactory, department, ensure_reference_data
from tests.supervision.report_data import Y, at, build_known_year, generated_report, pdf_required, row


def publish_with_item(supervisor, owner, *, year: int = Y, files: bool = True) -> AnnualReport:
    report = generated_report(supervisor, year=year)
    services.report_update(report=report, summary="Satisfaction rose.", summary_zh="满意度提高了。", by=supervisor)
    services.report_item_add(
        report=report,
        data={
            "description": "Call every key supplier each quarter",
            "department": department("procurement"),
            "owner": owner,
            "due_on": timezone.localdate() + dt.timedelta(days=90),
        },
        by=supervisor,
    )
    services.report_submit(report=report, by=supervisor)
    report = services.report_publish(report=report, by=supervisor)
    if files:  # the PDFs take seconds: made only where a test reads them
        pdf_required()
        services.report_files_make(report_id=report.pk)  # the task, which on_commit runs in production
        report.refresh_from_db()
    return report


@pytest.fixture
def known(manager, staff):
    return build_known_year(manager, staff)


@pytest.fixture
def published(known, supervisor, staff):
    """A published report whose files (PDF, XLSX) are not made yet."""
    return publish_with_item(supervisor, staff, files=False)


@pytest.fixture
def published_with_files(known, supervisor, staff):
    return publish_with_item(supervisor, staff)


def tables(page: str) -> str:
    return page[page.index('<section class="report-section"') : page.rindex("</section>")]


def pdf_text(field_file) -> str:
    from pypdf import PdfReader

    with field_file.open("rb") as f:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(f.read())).pages)


# --- States and who moves them ------------------------------------------------------------------


def test_draft_review_published_and_the_plan_becomes_actions(published_with_files, staff):
    assert published_with_files.state == AnnualReport.State.PUBLISHED and published_with_files.published_at
    item = published_with_files.items.get()
    assert item.action.state == CorrectiveAction.State.OPEN and item.action.owner == staff
    assert item.action.source == item
    assert published_with_files.pdf_en.name.endswith("-en.pdf") and published_with_files.pdf_zh.name.endswith("-zh.pdf")
    assert published_with_files.xlsx.name.endswith("-en.xlsx") and published_with_files.xlsx_zh.name.endswith(
        "-zh.xlsx"
    )


def test_only_supervision_moves_a_report(known, supervisor, manager):
    report = generated_report(supervisor)
    for write in (
        lambda: services.report_submit(report=report, by=manager),
        lambda: services.report_update(report=report, summary="x", summary_zh="", by=manager),
        lambda: services.report_create(year=Y - 3, by=manager),
    ):
        with pytest.raises(Exception) as exc:
            write()
        assert exc.type.__name__ == "PermissionDenied"


def test_managers_read_published_reports_but_not_drafts(client, published_with_files, supervisor, manager, staff):
    draft = services.report_correct(report=published_with_files, reason="Typo", by=supervisor)
    for user in (manager, staff):
        client.force_login(user)
        assert client.get(published_with_files.get_absolute_url()).status_code == 200
        assert client.get(draft.get_absolute_url()).status_code == 404
        listing = client.get(reverse("supervision:report_list")).content.decode()
        assert published_with_files.get_absolute_url() in listing and draft.get_absolute_url() not in listing
        assert (
            client.get(reverse("supervision:report_download", args=[published_with_files.pk, "xlsx"])).status_code
            == 200
        )


# --- Frozen once published_with_files ----------------------------------------------------------------------


def test_later_data_never_changes_a_published_report(client, published_with_files, supervisor, staff, known):
    client.force_login(supervisor)
    page_before = client.get(published_with_files.get_absolute_url()).content.decode()
    figures_before = published_with_files.figures
    files_before = {f: getattr(published_with_files, f).read() for f in ("pdf_en", "pdf_zh", "xlsx")}
    # More data in the report's year.
    for month in range(1, 13):
        InteractionFactory(partner=known["normal"], occurred_at=at(Y, month, 3))
    published_with_files.refresh_from_db()
    assert published_with_files.figures == figures_before
    assert tables(client.get(published_with_files.get_absolute_url()).content.decode()) == tables(page_before)
    # The live figures did change: the snapshot is what kept the report as published_with_files.
    live = report.annual_figures(Y)
    assert row(live, "contact_coverage", ["tier", 3])["interactions"][0] == 12
    assert row(published_with_files.figures, "contact_coverage", ["tier", 3])["interactions"][0] == 0
    for field, content in files_before.items():
        assert getattr(published_with_files, field).open("rb").read() == content


def test_nobody_edits_a_published_version(client, published, supervisor):
    for write in (
        lambda: services.report_update(report=published, summary="Changed", summary_zh="", by=supervisor),
        lambda: services.report_generate_request(report=published, by=supervisor),
        lambda: services.report_submit(report=published, by=supervisor),
        lambda: services.report_item_remove(item=published.items.get(), by=supervisor),
    ):
        with pytest.raises(ValidationError):
            write()
    # Through the pages: refused with a message, nothing changed.
    client.force_login(supervisor)
    response = client.post(
        reverse("supervision:report_edit", args=[published.pk]), {"summary": "Changed", "summary_zh": ""}, follow=True
    )
    assert "cannot be changed" in response.content.decode()
    assert not services.report_generate(report_id=published.pk)
    published.refresh_from_db()
    assert published.summary == "Satisfaction rose."
    # The admin: read-only for everyone, superusers included.
    from django.contrib import admin

    model_admin = admin.site._registry[AnnualReport]
    request = type("R", (), {"user": supervisor})()
    assert not model_admin.has_change_permission(request, published)
    assert not model_admin.has_delete_permission(request, published)


def test_a_correction_is_a_new_version_and_the_old_one_stays_readable(client, published_with_files, supervisor):
    with pytest.raises(ValidationError):
        services.report_correct(report=published_with_files, reason="  ", by=supervisor)
    client.force_login(supervisor)
    response = client.post(
        reverse("supervision:report_correct", args=[published_with_files.pk]), {"reason": "Wrong case count"}
    )
    correction = AnnualReport.objects.get(year=Y, version=2)
    assert response.status_code == 302 and response["Location"] == correction.get_absolute_url()
    assert correction.state == AnnualReport.State.DRAFT and correction.correction_reason == "Wrong case count"
    assert correction.items.get().action_id == published_with_files.items.get().action_id  # not raised twice
    with pytest.raises(ValidationError):  # one correction at a time
        services.report_correct(report=published_with_files, reason="Again", by=supervisor)
    services.report_submit(report=correction, by=supervisor)
    services.report_publish(report=correction, by=supervisor)
    published_with_files.refresh_from_db()
    assert published_with_files.state == AnnualReport.State.SUPERSEDED
    assert CorrectiveAction.objects.count() == 2  # the finding's and the plan item's, once
    page = client.get(published_with_files.get_absolute_url()).content.decode()
    assert "corrected by a later one" in page
    assert (
        client.get(reverse("supervision:report_download", args=[published_with_files.pk, "pdf-en"])).status_code == 200
    )


def test_publishing_twice_is_refused_and_writes_nothing(published, supervisor):
    files = (published.pdf_en.name, published.xlsx.name)
    with pytest.raises(ValidationError, match="already published"):
        services.report_publish(report=published, by=supervisor)
    published.refresh_from_db()
    assert (published.pdf_en.name, published.xlsx.name) == files
    assert AnnualReport.objects.filter(year=Y, state="published").count() == 1
    assert CorrectiveAction.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_publishes_at_the_same_moment_make_one_published_version(supervisor, staff, manager):
    """Two threads, two connections: the row locks make the second wait and be refused. On
    PostgreSQL (.ci/run's second pass); SQLite's in-memory test database has no row locks to
    wait on (its shared cache raises "table is locked"), where the test above covers it."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks (DATABASE_URL=postgres://…)")
    ensure_reference_data()  # earlier transactional tests may have flushed the data migrations' rows
    pdf_required()
    build_known_year(manager, staff)
    report = generated_report(supervisor)
    services.report_submit(report=report, by=supervisor)
    outcomes, barrier = [], threading.Barrier(2)

    def publish():
        barrier.wait()
        try:
            services.report_publish(report=report, by=supervisor)
            outcomes.append("published")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["This report is already published.", "published"]
    assert AnnualReport.objects.filter(year=Y, state="published").count() == 1


def test_the_database_refuses_a_second_published_version(published, supervisor):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        AnnualReport.objects.create(year=Y, version=9, state="published", created_by=supervisor)


# --- Exports ---------------------------------------------------------------------------------------


def test_the_pdf_has_extractable_text_in_english_and_in_chinese(published_with_files):
    english = pdf_text(published_with_files.pdf_en)
    assert f"Annual satisfaction report {Y}" in english and "Satisfaction rose." in english
    assert "Call every key supplier each quarter" in english
    chinese = pdf_text(published_with_files.pdf_zh)
    assert f"{Y}" in chinese and "满意度提高了。" in chinese
    assert "年度满意度报告" in chinese and "供应商" in chinese


def test_the_spreadsheet_has_one_sheet_per_section_and_numbers_as_numbers(client, published_with_files, manager):
    client.force_login(manager)
    response = client.get(reverse("supervision:report_download", args=[published_with_files.pk, "xlsx"]))
    assert response["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == [
        "Satisfaction",
        "Scorecards",
        "Service cases",
        "Contact coverage",
        "Gifts",
        "Agreement execution",
        "Association engagement",
        "Findings and corrective actions",
        "Last year's improvement plan",
    ]
    sheet = workbook["Satisfaction"]
    rows = list(sheet.iter_rows(values_only=True))
    all_row = next(r for r in rows if r[0] == "All")
    assert all_row[1:4] == (2, 1, 1)  # responses, the year before, the delta: numbers
    assert all(isinstance(v, int | float) for v in all_row[1:4])


def test_the_chinese_spreadsheet_names_sheets_rows_and_columns_in_chinese(client, published_with_files, manager):
    client.force_login(manager)
    response = client.get(reverse("supervision:report_download", args=[published_with_files.pk, "xlsx-zh"]))
    assert response["Content-Disposition"].startswith("attachment") and "-zh.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames[:3] == ["满意度", "评分卡", "服务工单"]
    rows = list(workbook["满意度"].iter_rows(values_only=True))
    assert any(r[1] == "答复" for r in rows)  # the column header
    all_row = next(r for r in rows if r[0] == "全部")
    assert all_row[1:4] == (2, 1, 1)  # the same numbers as the English one, still numbers


def test_pdf_downloads_are_attachments(client, published_with_files, staff):
    client.force_login(staff)
    for kind in ("pdf-en", "pdf-zh"):
        response = client.get(reverse("supervision:report_download", args=[published_with_files.pk, kind]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
    assert client.get(reverse("supervision:report_download", args=[published_with_files.pk, "doc"])).status_code == 404


def test_publishing_without_pdf_support_says_so_and_publishes_nothing(client, known, supervisor, monkeypatch):
    report = generated_report(supervisor)
    services.report_submit(report=report, by=supervisor)
    monkeypatch.setattr(report_exports, "pdf_unavailable", lambda: "pango is not installed")
    client.force_login(supervisor)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "PDF files cannot be made on this server (pango is not installed)" in page
    response = client.post(reverse("supervision:report_publish", args=[report.pk]), follow=True)
    assert response.status_code == 200
    assert "Nothing was published" in response.content.decode()
    report.refresh_from_db()
    assert report.state == AnnualReport.State.REVIEW and not report.pdf_en


# --- Generation in the background --------------------------------------------------------------------


def test_creating_a_report_queues_its_generation_and_the_task_runs_once(
    client, known, supervisor, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("supervision:report_create"), {"year": Y})
    report = AnnualReport.objects.get(year=Y)
    assert response.status_code == 302 and len(callbacks) == 1
    assert report.generation == AnnualReport.Generation.QUEUED and report.figures == {}
    # The page shows the progress fragment, which polls while the figures are generated.
    page = client.get(report.get_absolute_url()).content.decode()
    assert "<progress" in page and reverse("supervision:report_status", args=[report.pk]) in page
    fragment = client.get(reverse("supervision:report_status", args=[report.pk]), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in fragment.content.decode() and "HX-Refresh" not in fragment
    from supervision.tasks import report_generate_task

    assert report_generate_task.apply(args=[report.pk]).get() is True
    assert report_generate_task.apply(args=[report.pk]).get() is False  # a second delivery: nothing
    fragment = client.get(reverse("supervision:report_status", args=[report.pk]), HTTP_HX_REQUEST="true")
    assert fragment["HX-Refresh"] == "true" and "<progress" not in fragment.content.decode()
    report.refresh_from_db()
    assert report.generation == AnnualReport.Generation.DONE and report.progress == 100


def test_a_second_report_for_the_same_year_is_refused(known, supervisor):
    generated_report(supervisor)
    with pytest.raises(ValidationError, match="exists"):
        services.report_create(year=Y, by=supervisor)
    with pytest.raises(ValidationError):
        services.report_create(year=timezone.localdate().year + 1, by=supervisor)


def test_the_scan_catches_up_a_generation_left_behind(known, supervisor, settings):
    from crm.scheduler import scan_run

    report = services.report_create(year=Y, by=supervisor)  # on_commit never ran: left queued
    AnnualReport.objects.filter(pk=report.pk).update(generation_requested_at=timezone.now() - dt.timedelta(minutes=5))
    run = scan_run("annual_reports")
    assert run.effects == 1
    report.refresh_from_db()
    assert report.generation == AnnualReport.Generation.DONE and report.figures["has_data"]
    assert scan_run("annual_reports").effects == 0
    # A generation whose worker died is put back in the queue and run again.
    AnnualReport.objects.filter(pk=report.pk).update(
        generation="running",
        generation_started_at=timezone.now() - dt.timedelta(days=1),
        generation_requested_at=timezone.now() - dt.timedelta(days=1),
    )
    assert scan_run("annual_reports").effects == 1
    report.refresh_from_db()
    assert report.generation == AnnualReport.Generation.DONE


def test_publishing_leaves_the_files_to_a_task_that_makes_them_once(client, known, supervisor, staff, settings):
    """The request freezes the report; the files are made after the commit by the task, never in
    the request. Until they exist the page says so and polls; a second delivery does nothing."""
    from crm.scheduler import scan_run

    report = generated_report(supervisor)
    services.report_submit(report=report, by=supervisor)
    services.report_publish(report=report, by=supervisor)  # on_commit never runs here: no task yet
    report.refresh_from_db()
    assert report.state == AnnualReport.State.PUBLISHED and report.files_pending
    assert not any(getattr(report, field) for field in AnnualReport.FILE_FIELDS)
    client.force_login(staff)
    page = client.get(report.get_absolute_url()).content.decode()
    assert 'id="files-pending"' in page and 'hx-trigger="every 2s"' in page
    assert client.get(reverse("supervision:report_download", args=[report.pk, "pdf-en"])).status_code == 404

    # The broker was down: the scan makes them; then nothing is left to do.
    assert scan_run("annual_reports").effects == 1
    report.refresh_from_db()
    assert not report.files_pending and report.pdf_zh.name.endswith("-zh.pdf")
    names = [getattr(report, field).name for field in AnnualReport.FILE_FIELDS]
    assert services.report_files_make(report_id=report.pk) is False  # a duplicate delivery
    report.refresh_from_db()
    assert [getattr(report, field).name for field in AnnualReport.FILE_FIELDS] == names
    assert scan_run("annual_reports").effects == 0
    page = client.get(report.get_absolute_url()).content.decode()
    assert 'id="files-pending"' not in page and "Spreadsheet (Chinese)" in page


def test_publishing_through_the_page_queues_the_files_after_the_commit(
    client, known, supervisor, django_capture_on_commit_callbacks
):
    report = generated_report(supervisor)
    services.report_submit(report=report, by=supervisor)
    client.force_login(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("supervision:report_publish", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == AnnualReport.State.PUBLISHED and not report.files_pending


def test_a_failed_generation_writes_no_figures(known, supervisor, monkeypatch):
    report = services.report_create(year=Y, by=supervisor)
    from supervision import services as svc

    def boom(year, progress=None):
        progress(50)
        raise RuntimeError("database went away")

    monkeypatch.setattr(svc, "annual_figures", boom)
    with pytest.raises(RuntimeError):
        services.report_generate(report_id=report.pk)
    report.refresh_from_db()
    assert report.generation == AnnualReport.Generation.FAILED and report.figures == {}


# --- Pages ---------------------------------------------------------------------------------------------


def test_the_draft_page_edits_the_summary_and_the_plan(client, known, supervisor, staff):
    report = generated_report(supervisor)
    client.force_login(supervisor)
    client.post(reverse("supervision:report_edit", args=[report.pk]), {"summary": "Better year", "summary_zh": ""})
    client.post(
        reverse("supervision:report_item_add", args=[report.pk]),
        {
            "description": "Weekly follow-up review",
            "department": department("procurement").pk,
            "owner": staff.pk,
            "due_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        },
    )
    report.refresh_from_db()
    assert report.summary == "Better year"
    item = ReportPlanItem.objects.get(report=report)
    assert item.action is None  # raised at publication
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Weekly follow-up review" in page and 'id="report-chart-data"' in page
    assert "+200" in page  # NPS −100 → 100
    client.post(reverse("supervision:report_item_remove", args=[item.pk]))
    assert not ReportPlanItem.objects.exists()


def test_the_published_page_renders_from_the_snapshot_in_few_queries(
    client, published, manager, django_assert_max_num_queries
):
    client.force_login(manager)
    with django_assert_max_num_queries(14):
        response = client.get(published.get_absolute_url())
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        client.get(reverse("supervision:report_list"))


def test_the_chinese_page_labels_the_snapshot_in_chinese(client, published, supervisor):
    client.force_login(supervisor)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(published.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "供应商" in page and "满意度提高了。" in page


def test_a_published_version_is_cached_per_language(client, published, supervisor, django_assert_max_num_queries):
    """A frozen version's tables are cached by version and language: the English page does not
    serve the Chinese one's tables, and a cached page still shows the current state."""
    client.force_login(supervisor)
    english = client.get(published.get_absolute_url()).content.decode()
    with django_assert_max_num_queries(10):
        again = client.get(published.get_absolute_url()).content.decode()
    assert english.count('id="report-charts"') == again.count('id="report-charts"') == 1
    assert "Overall standings of the year" in again
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(published.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Overall standings of the year" not in chinese and "满意度" in chinese
