"""The annual report's figures on a small known dataset, with the year before beside each
(issue #11 §4, P5.2); a year with no data; the generation's fixed query count."""

from __future__ import annotations

import pytest

from supervision import report
from supervision.models import AnnualReport
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
    with django_assert_max_num_queries(90) as small:  # 85 with agreement execution (3 per year)
        report.annual_figures(Y)
    build_known_year(manager, staff)  # twice the rows
    with django_assert_max_num_queries(len(small.captured_queries)):
        report.annual_figures(Y)
