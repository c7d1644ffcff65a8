"""A published annual report and its files (issue #11 §4, P5.2): what it shows, how it stays
frozen, how a correction supersedes it, and its PDF and XLSX exports.

The report, with its PDFs in English and Chinese (seconds of WeasyPrint each), is published
once for the module (tests/shared_rows.py); each test's own writes are undone after it, and
each test reads the report and the people afresh from the database.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from crm.models import CorrectiveAction
from supervision import report, services
from supervision.models import AnnualReport
from tests.factories import InteractionFactory, UserFactory
from tests.shared_rows import module_rows
from tests.supervision.report_data import Y, at, build_known_year, row
from tests.supervision.test_report_workflow import publish_with_item


@pytest.fixture(scope="module")
def _published_once(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("report-files")
    with module_rows(django_db_blocker, media):
        people = {
            "staff": UserFactory(username="staff", role="Staff", dept="procurement"),
            "manager": UserFactory(username="manager", role="Manager", dept="procurement"),
            "supervisor": UserFactory(username="supervisor", role="Supervision", dept="general-office"),
        }
        known = build_known_year(people["manager"], people["staff"])
        published = publish_with_item(people["supervisor"], people["staff"])
        pks = {role: user.pk for role, user in people.items()}
        yield {"people": pks, "known": known, "report": published.pk}, media


@pytest.fixture
def _shared(db, settings, _published_once):
    shared, settings.MEDIA_ROOT = _published_once  # where the report's files are
    return shared


def _person(shared, role):
    return get_user_model().objects.get(pk=shared["people"][role])


@pytest.fixture
def staff(_shared):
    return _person(_shared, "staff")


@pytest.fixture
def manager(_shared):
    return _person(_shared, "manager")


@pytest.fixture
def supervisor(_shared):
    return _person(_shared, "supervisor")


@pytest.fixture
def known(_shared):
    return _shared["known"]


@pytest.fixture
def published_with_files(_shared):
    return AnnualReport.objects.get(pk=_shared["report"])


def tables(page: str) -> str:
    return page[page.index('<section class="report-section"') : page.rindex("</section>")]


def pdf_text(field_file) -> str:
    from pypdf import PdfReader

    with field_file.open("rb") as f:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(f.read())).pages)


def test_draft_review_published_and_the_plan_becomes_actions(published_with_files, staff):
    assert published_with_files.state == AnnualReport.State.PUBLISHED and published_with_files.published_at
    item = published_with_files.items.get()
    assert item.action.state == CorrectiveAction.State.OPEN and item.action.owner == staff
    assert item.action.source == item
    assert published_with_files.pdf_en.name.endswith("-en.pdf") and published_with_files.pdf_zh.name.endswith("-zh.pdf")
    assert published_with_files.xlsx.name.endswith("-en.xlsx") and published_with_files.xlsx_zh.name.endswith(
        "-zh.xlsx"
    )


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
