"""Issue #11's browser test in Chromium: the supervision group plans an inspection, draws a
sample, grades it, records a finding and raises a corrective action; the department answers
as staff (the action with evidence, the finding with its response); the group verifies the
action and closes the finding. Then its home in Chinese."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from crm.models import CorrectiveAction, Department, Notification
from partners.models import Interaction
from supervision.models import AnnualReport, Finding, InspectionPlan, Sample
from tests.browser.conftest import screenshot, sign_in
from tests.factories import InteractionFactory, PartnerFactory, UserFactory, ensure_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def submit(page) -> None:
    page.click("main form button[type=submit]")


def test_supervisor_inspects_and_the_department_answers_until_the_finding_closes(page):
    ensure_reference_data()
    UserFactory(username="inspector", first_name="Lan", last_name="Guo", role="Supervision", dept="general-office")
    buyer = UserFactory(username="buyer", first_name="Mei", last_name="Chen", role="Staff", dept="procurement")
    UserFactory(username="manager", first_name="Hua", last_name="Zhang", role="Manager", dept="procurement")
    procurement = Department.objects.get(code="procurement")
    supplier = PartnerFactory(name="Wuxi Precision Castings", owner=buyer, department=procurement, tier=1)
    for days, subject in ((3, "Price review"), (20, "Quality meeting"), (45, "Plant tour"), (70, "Forecast call")):
        InteractionFactory(
            partner=supplier,
            author=buyer,
            department=procurement,
            subject=subject,
            occurred_at=timezone.now() - dt.timedelta(days=days),
        )
    today = timezone.localdate()

    page.set_default_timeout(15000)

    # Plan: the checklist is seeded from the policy.
    sign_in(page, "inspector")
    page.goto("/supervision/")
    page.click("text=New inspection plan")
    page.fill("#id_title", "Procurement inspection")
    page.fill("#id_period_start", (today - dt.timedelta(days=120)).isoformat())
    page.fill("#id_period_end", today.isoformat())
    page.fill("#id_year", str(today.year))
    page.check(f"input[name=departments][value='{procurement.pk}']")
    submit(page)
    page.wait_for_selector("#checklist")
    assert "Inspection plan created" in page.locator(".alert").first.inner_text()
    assert "P3.3" in page.locator("#checklist").inner_text()
    plan = InspectionPlan.objects.get(title="Procurement inspection")

    # Sample: three of the four interactions in scope, with a seed that redraws them.
    page.select_option("#id_kind", "interactions")
    page.fill("#id_size", "3")
    page.fill("#id_seed", "2025")
    page.click("#draw-sample")
    page.wait_for_selector("#sample-items")
    assert "Seed 2025, drawn from 4 records in scope" in page.locator("#sample-facts").inner_text()
    assert "0 of 3 graded" in page.locator("main").inner_text()

    # Grade: the first record does not conform to P3.3, the other two conform.
    page.click("#sample-items a.btn >> nth=0")
    page.check("input[name=grade][value=nonconforming]")
    page.select_option("#id_checklist_item", str(plan.checklist.get(clause="P3.3").pk))
    page.fill("#id_note", "No outcome recorded for the meeting.")
    submit(page)
    page.wait_for_selector("text=2 / 3")
    for _ in range(2):
        page.check("input[name=grade][value=conforms]")
        submit(page)
        page.wait_for_load_state()
    page.wait_for_selector("#sample-items")
    assert "3 of 3 graded" in page.locator("main").inner_text()
    assert page.locator("#sample-items >> text=Does not conform").count() == 1
    page.goto(plan.get_absolute_url())
    assert "3 of 3 graded" in page.locator("#samples").inner_text()
    screenshot(page, "supervision-plan")

    # Finding: against P3.3, with the nonconforming record as evidence.
    page.click("#new-finding")
    page.select_option("#id_clause", "P3.3")
    page.select_option("#id_severity", "major")
    page.select_option("#id_department", str(procurement.pk))
    page.fill("#id_title", "Meetings logged without outcomes")
    page.fill("#id_description", "One sampled meeting of three has no outcome recorded.")
    page.check("input[name=evidence] >> nth=0")
    submit(page)
    page.wait_for_selector("#finding-description")
    assert page.locator("#severity").inner_text() == "Major"
    assert "No outcome recorded for the meeting." in page.locator("#evidence").inner_text()

    # Action: raised for the department, owned by the buyer.
    page.fill("#id_description", "Add the outcome to every meeting note")
    page.select_option("#id_owner", str(buyer.pk))
    page.fill("#id_due_on", (today + dt.timedelta(days=14)).isoformat())
    page.click("#raise-action")
    page.wait_for_selector("#actions >> text=Add the outcome to every meeting note")
    finding = Finding.objects.get(title="Meetings logged without outcomes")
    assert Notification.objects.filter(recipient__username="manager", kind="finding_recorded").exists()

    # The department, as staff: the finding is on the dashboard; the owner answers the action
    # with evidence and the finding with a response.
    page.context.clear_cookies()
    sign_in(page, "buyer")
    assert "Meetings logged without outcomes" in page.locator("#department-findings").inner_text()
    page.click("#department-findings >> text=Meetings logged without outcomes")
    page.wait_for_selector("#finding-description")
    page.click("#actions >> text=Add the outcome to every meeting note")
    page.wait_for_selector("#response-form")
    page.fill("#id_r-response", "Outcome field made mandatory; the team was briefed on 3 May.")
    page.set_input_files(
        "#id_r-evidence", {"name": "briefing.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 briefing"}
    )
    page.click("#response-form button[type=submit]")
    page.wait_for_selector("#action-response")
    assert "the supervision group will verify it" in page.locator(".alert").first.inner_text()
    assert "Awaiting verification" in page.locator("#action-state").inner_text()
    page.goto(finding.get_absolute_url())
    page.fill("#id_response", "We added an outcome check to the meeting template.")
    page.click("#respond")
    page.wait_for_selector("text=Response recorded")
    assert page.locator("#finding-status").inner_text() == "Responded"
    assert page.locator("#close-finding").count() == 0  # closing is the group's

    # The group verifies the action, then closes the finding.
    page.context.clear_cookies()
    sign_in(page, "inspector")
    page.goto("/supervision/")
    assert "Add the outcome to every meeting note" in page.locator("#to-verify").inner_text()
    assert page.locator("#count-actions-responded").inner_text() == "1"
    screenshot(page, "supervision-home")
    page.click("#to-verify >> text=Add the outcome to every meeting note")
    page.wait_for_selector("#verify-form")
    assert page.locator("#action-evidence").count() == 1
    page.check("input[name=v-outcome][value=accept]")
    page.fill("#id_v-note", "Template checked on three new meetings.")
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#action-verification")
    assert "Verified" in page.locator("#action-state").inner_text()
    page.click("#action-source a")
    page.wait_for_selector("#close-finding")
    assert "Verified" in page.locator("#actions").inner_text()
    screenshot(page, "supervision-finding")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#close-finding")
    page.wait_for_selector("text=Finding closed.")
    assert page.locator("#finding-status").inner_text() == "Closed"
    assert page.locator("#raise-action").count() == 0

    page.goto("/supervision/")
    assert "Procurement inspection" in page.locator("#open-inspections").inner_text()
    assert "Wuxi Precision Castings" in page.locator("#due-visits").inner_text()

    # In Chinese, through the language switcher: the home and the closed finding.
    page.select_option("#language-select", "zh-hans")
    page.wait_for_selector("html[lang=zh-hans]")
    assert "监督小组" in page.locator("h1").inner_text()
    assert "待验证" in page.locator("#action-counts").inner_text()
    page.goto(finding.get_absolute_url())
    assert page.locator("#finding-status").inner_text() == "已关闭"
    assert "整改措施" in page.locator("#actions").inner_text()
    screenshot(page, "supervision-finding-zh-hans")
    assert page.console_errors == []

    # What was written.
    sample = Sample.objects.get(plan=plan)
    assert (sample.seed, sample.size, sample.population) == (2025, 3, 4)
    assert sorted(sample.items.values_list("grade", flat=True)) == ["conforms", "conforms", "nonconforming"]
    assert Interaction.objects.filter(pk__in=sample.items.values("record_id")).count() == 3
    finding.refresh_from_db()
    assert finding.status == Finding.Status.CLOSED and finding.closed_at is not None
    assert finding.responded_by == buyer and finding.clause == "P3.3" and finding.department == procurement
    assert list(finding.evidence.values_list("grade", flat=True)) == ["nonconforming"]
    action = CorrectiveAction.objects.get()
    assert action.source == finding and action.owner == buyer and action.department == procurement
    assert action.state == CorrectiveAction.State.VERIFIED and action.verified_by.username == "inspector"
    assert action.responded_by == buyer and action.evidence.read() == b"%PDF-1.4 briefing"


def _download(page, selector: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.click(selector)
    download = info.value
    with open(download.path(), "rb") as f:
        return download.suggested_filename, f.read()


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def test_supervisor_publishes_the_annual_report_and_downloads_it_in_both_languages(page):
    """P5.2: create last year's report (its figures generated by the task), write the summary and
    a plan item, submit, publish; then download the PDF and the spreadsheet in English and,
    through the language switcher, in Chinese, and read what is in them."""
    from openpyxl import load_workbook

    from tests.supervision.report_data import Y, build_known_year, pdf_required

    pdf_required()
    ensure_reference_data()
    UserFactory(username="inspector", first_name="Lan", last_name="Guo", role="Supervision", dept="general-office")
    staff = UserFactory(username="buyer", first_name="Mei", last_name="Chen", role="Staff", dept="procurement")
    manager = UserFactory(username="manager", first_name="Hua", last_name="Zhang", role="Manager", dept="procurement")
    build_known_year(manager, staff)
    page.set_default_timeout(30000)

    sign_in(page, "inspector")
    page.goto("/supervision/reports/")
    page.fill("#id_year", str(Y))
    page.click("#report-create button[type=submit]")
    page.wait_for_selector("#report-charts")  # generated by the task, then the page reloads
    assert "Report created" in page.locator(".alert").first.inner_text()
    page.fill("#id_summary", "Supplier satisfaction rose; two complaints, one late.")
    page.fill("#id_summary_zh", "供应商满意度提高；两起投诉，一起逾期。")
    page.click("#save-summary")
    page.wait_for_selector("text=Summary saved.")
    page.fill("#plan #id_description", "Answer every complaint within its deadline")
    page.select_option("#plan #id_department", label="Procurement")
    page.select_option("#plan #id_owner", str(staff.pk))
    page.fill("#plan #id_due_on", (timezone.localdate() + dt.timedelta(days=60)).isoformat())
    page.click("#add-item")
    page.wait_for_selector("#plan >> text=Answer every complaint within its deadline")
    page.click("#submit-review")
    page.wait_for_selector("#publish")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#publish")
    page.wait_for_selector("#report-files >> text=PDF (English)")
    assert "Published" in page.locator("#report-state").inner_text()

    name, pdf_en = _download(page, "#report-files >> text=PDF (English)")
    assert name.endswith("-en.pdf") and pdf_en.startswith(b"%PDF")
    text = _pdf_text(pdf_en)
    assert f"Annual satisfaction report {Y}" in text
    assert "Supplier satisfaction rose" in text and "Answer every complaint within its deadline" in text
    name, xlsx_en = _download(page, "#report-files >> text=Spreadsheet (English)")
    workbook = load_workbook(io.BytesIO(xlsx_en))
    assert name.endswith("-en.xlsx") and workbook.sheetnames[0] == "Satisfaction"
    all_row = next(r for r in workbook["Satisfaction"].iter_rows(values_only=True) if r[0] == "All")
    assert all_row[1:4] == (2, 1, 1)  # responses in Y, the year before, the change: numbers

    page.select_option("#language-select", "zh-hans")
    page.wait_for_selector("html[lang=zh-hans]")
    name, pdf_zh = _download(page, "#report-files >> text=PDF（中文）")
    text = _pdf_text(pdf_zh)
    assert name.endswith("-zh.pdf")
    assert "年度满意度报告" in text and "供应商满意度提高" in text and "供应商" in text
    name, xlsx_zh = _download(page, "#report-files >> text=电子表格（中文）")
    workbook = load_workbook(io.BytesIO(xlsx_zh))
    assert name.endswith("-zh.xlsx") and workbook.sheetnames[:2] == ["满意度", "评分卡"]
    all_row = next(r for r in workbook["满意度"].iter_rows(values_only=True) if r[0] == "全部")
    assert all_row[1:4] == (2, 1, 1)
    screenshot(page, "supervision-report-zh-hans")
    assert page.console_errors == []

    report = AnnualReport.objects.get(year=Y)
    assert report.state == AnnualReport.State.PUBLISHED and report.published_by.username == "inspector"
    assert report.items.get().action.owner == staff  # the plan item is now a corrective action
