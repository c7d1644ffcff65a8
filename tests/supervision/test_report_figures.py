"""The annual report's figures on a small known dataset, with the year before beside each
(issue #11 §4, P5.2); a year with no data; the generation's fixed query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from partners.associations.models import IndustryReport, ReportReceipt
from supervision import report
from supervision.models import AnnualReport
from tests.factories import PartnerFactory, attended_event
from tests.supervision.report_data import BEFORE, Y, build_known_year, generated_report, row


@pytest.fixture
def known(manager, staff):
    return build_known_year(manager, staff)


def test_satisfaction_scores_with_n_response_rate_and_yoy(known):
    figures = report.annual_figures(Y)
    supplier = row(figures, "satisfaction_supplier", ["text", "all"])
    assert supplier["responses"] == (2, 1)
    assert supplier["response_rate"] == (66.7, 50.0)
    assert supplier["nps"] == (100.0, -100.0)
    assert supplier["nps_n"] == (2, 1)
    assert supplier["csat"] == (100.0, 0.0)
    assert supplier["ces"] == (6.0, 2.0)
    # By department and by (today's) tier.
    assert row(figures, "satisfaction_supplier", ["department", "Procurement", "采购部"])["nps"] == (100.0, -100.0)
    assert row(figures, "satisfaction_supplier", ["tier", 1])["responses"] == (2, 1)
    assert figures["has_data"] is True and figures["year"] == Y and figures["previous_year"] == BEFORE


def test_cases_sla_attainment_by_kind_and_family(known):
    figures = report.annual_figures(Y)
    complaints = row(figures, "cases_by_kind", ["case_kind", "complaint"])
    assert complaints["cases"] == (2, None)
    assert complaints["response_met"] == (50.0, None)
    assert row(figures, "cases_by_kind", ["case_kind", "request"])["cases"] == (None, 1)
    assert row(figures, "cases_by_kind", ["text", "all"])["cases"] == (2, 1)
    assert row(figures, "cases_by_family", ["family", "supplier"])["cases"] == (2, 1)


def test_contact_coverage_and_follow_up_timeliness(known):
    figures = report.annual_figures(Y)
    key = row(figures, "contact_coverage", ["tier", 1])
    assert key["partners"] == (1, 1) and key["contacted"] == (1, 1) and key["interactions"] == (2, 1)
    assert key["coverage"] == (100.0, 100.0)
    normal = row(figures, "contact_coverage", ["tier", 3])
    assert normal["contacted"] == (0, 1) and normal["coverage"] == (0.0, 100.0)
    followups = row(figures, "followups", ["text", "all"])
    assert followups["due"] == (3, None)
    assert followups["on_time"] == (1, None) and followups["late"] == (1, None) and followups["not_done"] == (1, None)
    assert followups["on_time_share"] == (33.3, None)


def test_gifts_and_approval_before_giving(known):
    figures = report.annual_figures(Y)
    given = row(figures, "gifts", ["direction", "given", "CNY"])
    assert given["gifts"] == (2, None) and given["value"] == (580.0, None)
    assert row(figures, "gift_approval", ["text", "gifts_needing"])["count"] == (1, 0)
    assert row(figures, "gift_approval", ["text", "gifts_approved_before"])["count"] == (1, 0)
    assert row(figures, "gift_approval", ["text", "gifts_approved_before_share"])["count"] == (100.0, None)


def test_findings_and_actions_by_severity_and_state(known):
    figures = report.annual_figures(Y)
    minor = row(figures, "findings", ["severity", "minor"])
    assert minor["findings"] == (1, None) and minor["awaiting"] == (1, None)
    actions = row(figures, "actions", ["action_state", "open"])
    assert actions["actions"] == (1, None) and actions["overdue"] == (1, None)


def test_last_years_plan_items_show_how_they_ended(known, supervisor, staff, settings):
    """Next year's report shows each item of the year before's plan and its action's state."""
    from tests.supervision.test_report_workflow import publish_with_item

    published = publish_with_item(supervisor, staff, year=BEFORE, files=False)
    figures = report.annual_figures(Y)
    item = row(figures, "previous_plan", ["raw", "Call every key supplier each quarter"])
    assert item["outcome"][0] == ["action_state", "open"]
    assert published.items.get().action.state == "open"
    # The department keeps both names: each reader sees their own (issue 12 §6).
    from django.utils import translation

    from supervision.report_exports import label

    department = published.items.get().department
    assert item["department"][0] == ["department", department.name, department.name_zh]
    with translation.override("zh-hans"):
        assert label(item["department"][0]) == department.name_zh != department.name


def test_association_events_attended_and_reports_read_by_department(client, supervisor, staff, staff_sales):
    """Events recorded on an association's page with one of our people attending, in the year
    they started, by the recorder's department; each reader of a report shared in the year,
    and those who read it, by the reader's department (P4.4.1, P4.4.3). English and Chinese."""
    association = PartnerFactory(owner=staff, family="association")
    for topic, day, recorder, attendees in (
        ("Tariffs", dt.date(Y, 3, 1), staff, [staff]),
        ("Rules", dt.date(Y, 6, 1), staff, [staff, staff_sales]),
        ("Fair", dt.date(Y, 7, 1), staff_sales, [staff_sales]),
        ("Nobody went", dt.date(Y, 8, 1), staff, []),
        ("Before", dt.date(BEFORE, 8, 1), staff, [staff]),
    ):
        attended_event(association, topic, day, recorder, attendees, kind="meeting")
    shared = IndustryReport.objects.create(source_institution="CISA", title="Steel", summary="…", sent_by=staff)
    IndustryReport.objects.filter(pk=shared.pk).update(created_at=timezone.make_aware(dt.datetime(Y, 5, 1, 10)))
    ReportReceipt.objects.create(report=shared, reader=staff, read_at=timezone.now())
    ReportReceipt.objects.create(report=shared, reader=staff_sales)

    figures = report.annual_figures(Y)
    procurement, sales = staff.profile.department, staff_sales.profile.department
    assert row(figures, "association_events", ["text", "all"])["events"] == (3, 1)
    assert row(figures, "association_events", ["department", procurement.name, procurement.name_zh])["events"] == (
        2,
        1,
    )
    assert row(figures, "association_events", ["department", sales.name, sales.name_zh])["events"] == (1, None)
    assert row(figures, "industry_reports_read", ["text", "all"]) == {
        "receipts": (2, None),
        "read": (1, None),
        "read_share": (50.0, None),
    }
    assert row(figures, "industry_reports_read", ["department", sales.name, sales.name_zh])["read"] == (0, None)

    draft = generated_report(supervisor)
    client.force_login(supervisor)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Association events attended by at least one of our people, by department" in page
    assert "Industry reports shared in the year: readers and reads, by department" in page
    client.cookies["django_language"] = "zh-hans"
    page = client.get(draft.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "至少一位我方人员参加的协会活动（按部门）" in page and "阅读率（%）" in page


def test_a_year_with_no_data_says_so_and_cannot_be_submitted(client, supervisor):
    report_ = generated_report(supervisor, year=2019)
    assert report_.generation == AnnualReport.Generation.DONE
    assert report_.figures["has_data"] is False
    client.force_login(supervisor)
    page = client.get(report_.get_absolute_url())
    assert page.status_code == 200
    assert "No data for 2019" in page.content.decode()
    response = client.post(f"/supervision/reports/{report_.pk}/submit/", follow=True)
    assert "No data for 2019" in response.content.decode()
    report_.refresh_from_db()
    assert report_.state == AnnualReport.State.DRAFT


def test_generation_costs_a_fixed_number_of_queries(manager, staff, django_assert_max_num_queries):
    build_known_year(manager, staff)
    with django_assert_max_num_queries(90) as small:  # 89 with association engagement (2 per year)
        report.annual_figures(Y)
    build_known_year(manager, staff)  # twice the rows
    with django_assert_max_num_queries(len(small.captured_queries)):
        report.annual_figures(Y)
