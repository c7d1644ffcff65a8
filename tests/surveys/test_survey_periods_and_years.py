"""Survey periods on the pages: the creation form, the results by year, the year-over-year
comparison, the quarterly trend, the export, the annual report's selectors, and surveys
of associations (issue #11 §4; P4.4, P5.2)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.urls import reverse
from openpyxl import load_workbook

from evaluations.surveys import selectors, services
from evaluations.surveys.models import Survey, SurveyResponse, SurveyTemplate
from evaluations.surveys.periods import Period
from tests.factories import ContactFactory, PartnerFactory, department
from tests.surveys.conftest import THIS_YEAR, valid_answers

LAST_YEAR = THIS_YEAR - 1


def form_data(**overrides) -> dict:
    data = {
        "template": SurveyTemplate.objects.get(name="Supplier satisfaction").pk,
        "title": "Supplier satisfaction",
        "family": "supplier",
        "period_kind": "quarter",
        "period_year": "2026",
        "period_quarter": "2",
        "max_reminders": 2,
        "min_days_between": 3,
        "expires_after_days": 21,
    }
    return {**data, **overrides}


def make_survey(manager, period: Period, *, family: str = "supplier", name: str = "Supplier satisfaction") -> Survey:
    return Survey.objects.create(
        template=SurveyTemplate.objects.get(name=name),
        title=f"{name} {period.label}",
        family=family,
        period=period,
        created_by=manager,
    )


def answer(survey, partner, **scores):
    [invitation] = services.survey_send(survey=survey, contacts=[ContactFactory(partner=partner)])
    if scores:
        services.response_submit(token=services.invitation_token(invitation), answers=valid_answers(survey, **scores))
    return invitation


# --- The survey form: a kind and a year, quarter or month, never free text ----------------------


def test_the_form_offers_kind_year_and_quarter_not_free_text(client, manager):
    client.force_login(manager)
    page = client.get(reverse("surveys:survey_create")).content.decode()
    assert '<select name="period_kind"' in page and 'name="period_year"' in page
    assert '<select name="period_quarter"' in page and 'name="period"' not in page


@pytest.mark.parametrize(
    ("kind", "parts", "expected"),
    [
        ("year", {"period_year": "2025"}, ("year", dt.date(2025, 1, 1), dt.date(2025, 12, 31))),
        (
            "quarter",
            {"period_year": "2026", "period_quarter": "1"},
            ("quarter", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        ),
        ("month", {"period_year": "2024", "period_month": "2"}, ("month", dt.date(2024, 2, 1), dt.date(2024, 2, 29))),
    ],
)
def test_the_survey_is_about_the_chosen_period(client, manager, kind, parts, expected):
    client.force_login(manager)
    response = client.post(reverse("surveys:survey_create"), form_data(period_kind=kind, **parts))
    survey = Survey.objects.get()
    assert response.status_code == 302
    assert (survey.period_kind, survey.period_start, survey.period_end) == expected
    page = client.get(reverse("surveys:survey_detail", args=[survey.pk])).content.decode()
    assert str(survey.period) in page and expected[1].isoformat() in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"period_quarter": "5"}, "period_quarter", "Choose a quarter from Q1 to Q4."),
        ({"period_quarter": ""}, "period_quarter", "Choose the quarter."),
        ({"period_year": "1800"}, "period_year", "Choose a year from 2000 to 2100."),
        ({"period_year": "3000"}, "period_year", "Choose a year from 2000 to 2100."),
        ({"period_year": "twenty"}, "period_year", "Choose a year from 2000 to 2100."),
        ({"period_kind": "month", "period_month": "13"}, "period_month", "Choose a month from 1 to 12."),
        ({"period_kind": "month"}, "period_month", "Choose the month."),
        ({"period_kind": "week"}, "period_kind", "Select a valid choice."),
    ],
)
def test_a_bad_period_is_a_field_error_and_nothing_is_written(client, manager, overrides, field, message):
    client.force_login(manager)
    response = client.post(reverse("surveys:survey_create"), form_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and any(e.startswith(message) for e in errors[field])
    assert message.split(".")[0] in response.content.decode()
    assert not Survey.objects.exists()


def test_the_errors_are_in_chinese_for_a_chinese_user(client, manager):
    manager.profile.language = "zh-hans"
    manager.profile.save()
    client.force_login(manager)
    response = client.post(
        reverse("surveys:survey_create"),
        form_data(period_year="3000", period_quarter="5"),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    body = response.content.decode()
    assert "请选择 2000 到 2100 之间的年份。" in body and "请选择第一至第四季度。" in body
    assert not Survey.objects.exists()


def test_after_case_survey_is_unique_per_template_family_and_period(manager, supplier_template):
    q2 = Period.of_quarter(2026, 2)
    fields = {"template": supplier_template, "family": "supplier", "created_by": manager, "after_case": True}
    Survey.objects.create(title="A", period=q2, **fields)
    Survey.objects.create(title="B", period=Period.of_quarter(2026, 3), **fields)  # another quarter
    Survey.objects.create(title="C", period=Period.of_year(2026), **fields)  # the year, not the quarter
    Survey.objects.create(title="D", period=q2, **{**fields, "after_case": False})  # a manual sending
    with pytest.raises(IntegrityError):
        Survey.objects.create(title="E", period=q2, **fields)


def test_an_invitation_and_its_response_copy_the_surveys_period(manager, supplier):
    survey = make_survey(manager, Period.of_month(2026, 5))
    invitation = answer(survey, supplier, nps=9)
    response = SurveyResponse.objects.get()
    for row in (invitation, response):
        assert (row.period_kind, row.period_start, row.period_end) == (
            "month",
            dt.date(2026, 5, 1),
            dt.date(2026, 5, 31),
        )


# --- Results: the year filter, the comparison, the trend ------------------------------------------


@pytest.fixture
def two_years(manager, supplier):
    """This year: NPS 100 (two promoters), CSAT 100; last year: NPS −100, CSAT 0; a customer
    survey of the whole of this year; one invitation unanswered each year."""
    this_q1 = make_survey(manager, Period.of_quarter(THIS_YEAR, 1))
    last_q4 = make_survey(manager, Period.of_quarter(LAST_YEAR, 4))
    answer(this_q1, supplier, nps=10, csat=5, ces=7)
    answer(this_q1, supplier, nps=9, csat=4, ces=5)
    answer(this_q1, supplier)
    answer(last_q4, supplier, nps=2, csat=1, ces=2)
    answer(last_q4, supplier)
    customer = PartnerFactory(family="customer", department=department("sales"))
    yearly = make_survey(manager, Period.of_year(THIS_YEAR), family="customer", name="Customer satisfaction")
    answer(yearly, customer, nps=10, csat=5, ces=6)
    return {"this_q1": this_q1, "last_q4": last_q4, "yearly": yearly}


def test_results_show_the_current_year_by_default(client, manager, two_years):
    client.force_login(manager)
    response = client.get(reverse("surveys:results"))
    assert response.context["year"] == THIS_YEAR
    overall = response.context["results"].overall
    assert (overall.nps_n, overall.nps, overall.invitations, overall.responses) == (3, Decimal("100.0"), 4, 3)
    body = response.content.decode()
    assert f'<option value="{THIS_YEAR}" selected>' in body and f'<option value="{LAST_YEAR}">' in body

    last = client.get(reverse("surveys:results"), {"year": LAST_YEAR}).context["results"].overall
    assert (last.nps_n, last.nps, last.response_rate) == (1, Decimal("-100.0"), Decimal("50.0"))
    every = client.get(reverse("surveys:results"), {"year": "all"})
    assert every.context["year"] is None and every.context["results"].comparison is None
    assert every.context["results"].overall.nps_n == 4
    # A year nobody can mean is ignored: the current year.
    for bad in ("1800", "3000", "abc", "9" * 30):
        assert client.get(reverse("surveys:results"), {"year": bad}).context["year"] == THIS_YEAR


def test_a_chosen_survey_shows_its_own_year(client, manager, two_years):
    client.force_login(manager)
    response = client.get(reverse("surveys:results"), {"survey": two_years["last_q4"].pk})
    assert response.context["year"] == LAST_YEAR
    assert response.context["results"].overall.nps == Decimal("-100.0")


def test_year_over_year_deltas(client, manager, two_years):
    client.force_login(manager)
    response = client.get(reverse("surveys:results"), {"year": THIS_YEAR, "family": "supplier"})
    changes = {c.key: c for c in response.context["results"].comparison.changes}
    assert (changes["nps"].current, changes["nps"].previous, changes["nps"].delta) == (
        Decimal("100.0"),
        Decimal("-100.0"),
        Decimal("200.0"),
    )
    assert changes["csat"].delta == Decimal("100.0")
    assert (changes["ces"].current, changes["ces"].previous, changes["ces"].delta) == (
        Decimal("6.00"),
        Decimal("2.00"),
        Decimal("4.00"),
    )
    assert (changes["responses"].current, changes["responses"].previous, changes["responses"].delta) == (2, 1, 1)
    # Response rate: 2 of 3 against 1 of 2.
    assert (changes["rate"].current, changes["rate"].previous) == (Decimal("66.7"), Decimal("50.0"))
    assert changes["rate"].delta == Decimal("16.7")
    body = response.content.decode()
    assert 'id="year-over-year"' in body and "+200.0" in body
    # Against a year without data: no change, not a change from zero (counts are counts).
    first = client.get(reverse("surveys:results"), {"year": LAST_YEAR}).context["results"].comparison
    assert first.previous.nps is None
    assert {c.key: c.delta for c in first.changes} == {
        "nps": None,
        "csat": None,
        "ces": None,
        "responses": 1,
        "rate": None,
    }


def test_trend_by_quarter_covers_both_years_in_a_json_script(client, manager, two_years):
    client.force_login(manager)
    response = client.get(reverse("surveys:results"))
    quarters = response.context["results"].by_quarter
    assert [q.key for q in quarters] == [f"{y}-Q{q}" for y in (LAST_YEAR, THIS_YEAR) for q in (1, 2, 3, 4)]
    by_key = {q.key: q for q in quarters}
    assert by_key[f"{THIS_YEAR}-Q1"].nps == Decimal("100.0") and by_key[f"{LAST_YEAR}-Q4"].nps == Decimal("-100.0")
    # The customer survey of the whole year is in the year's figures, not in a quarter.
    assert by_key[f"{THIS_YEAR}-Q1"].nps_n == 2 and response.context["results"].overall.nps_n == 3
    body = response.content.decode()
    start = body.index('<script id="survey-trend-data" type="application/json">')
    data = json.loads(body[start:].split(">", 1)[1].split("</script>", 1)[0])
    assert data["labels"][4] == f"{THIS_YEAR}-Q1" and data["nps"][4] == 100.0 and data["nps"][0] is None
    # Chart.js and the chart code come from static files; no inline code or handlers.
    assert "js/survey_results.js" in body and "vendor/chartjs/chart.umd.min.js" in body
    scripts = [chunk.split(">", 1)[0] for chunk in body.split("<script")[1:]]
    assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts)
    assert " onclick=" not in body and " style=" not in body


def test_chinese_results_label_quarters_in_chinese(client, manager, two_years):
    manager.profile.language = "zh-hans"
    manager.profile.save()
    client.force_login(manager)
    response = client.get(reverse("surveys:results"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert f"{THIS_YEAR}年第一季度" in body and f"{THIS_YEAR}年与{LAST_YEAR}年对比" in body


@pytest.mark.parametrize("params", [{}, {"year": "all"}, {"year": str(LAST_YEAR), "family": "supplier"}])
def test_results_page_query_count_is_fixed(client, manager, supplier, django_assert_max_num_queries, params):
    client.force_login(manager)
    for period in (Period.of_quarter(THIS_YEAR, 1), Period.of_quarter(LAST_YEAR, 2), Period.of_year(LAST_YEAR)):
        survey = make_survey(manager, period)
        for score in range(6):
            answer(survey, supplier, nps=score, csat=1 + score % 5, ces=1 + score)
    # Session, user, roles, notifications; surveys and years of the filters; two for the results.
    with django_assert_max_num_queries(9):
        assert client.get(reverse("surveys:results"), params).status_code == 200


# --- Export ------------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_export_follows_the_filter(client, manager, two_years, django_assert_max_num_queries):
    client.force_login(manager)
    page = client.get(reverse("surveys:results"), {"family": "supplier"}).content.decode()
    assert f"{reverse('surveys:results_export')}?year={THIS_YEAR}&amp;family=supplier" in page
    with django_assert_max_num_queries(8):
        response = client.get(reverse("surveys:results_export"), {"year": THIS_YEAR, "family": "supplier"})
    assert response["Content-Disposition"].startswith(f'attachment; filename="rapport-survey-results-{THIS_YEAR}-')
    rows = csv_rows(response)
    assert rows[0][:3] == ["Section", "Group", "NPS"]
    by_group = {(r[0], r[1]): r for r in rows[1:]}
    assert by_group[("Overall", str(THIS_YEAR))][2:4] == ["100.0", "2"]
    assert by_group[("Year before", str(LAST_YEAR))][2:4] == ["-100.0", "1"]
    assert by_group[("Quarter", f"{THIS_YEAR}-Q1")][2] == "100.0"
    assert ("Family", "Suppliers") in by_group and ("Family", "Customers") not in by_group  # the filter

    every = csv_rows(client.get(reverse("surveys:results_export"), {"year": "all"}))
    assert {r[1] for r in every if r[0] == "Family"} == {"Suppliers", "Customers"}
    assert not any(r[0] == "Year before" for r in every)


def test_export_as_excel(client, manager, two_years):
    client.force_login(manager)
    response = client.get(reverse("surveys:results_export"), {"year": LAST_YEAR, "format": "xlsx"})
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Section", "Group")
    assert ("Overall", str(LAST_YEAR), -100.0) == rows[1][:3]


def test_export_is_refused_to_an_outsider(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("surveys:results_export")).status_code == 403


# --- For the annual report (P5.2) ---------------------------------------------------------------


def test_responses_and_scores_for_a_year(manager, supplier, two_years, django_assert_num_queries):
    with django_assert_num_queries(1):
        responses = list(selectors.responses_for_year(THIS_YEAR))
        assert {(r.family, r.partner.tier, r.department.code) for r in responses} == {
            ("supplier", supplier.tier, "procurement"),
            ("customer", responses[-1].partner.tier, "sales"),
        }
    assert len(responses) == 3 and selectors.responses_for_year(LAST_YEAR).count() == 1
    assert selectors.responses_for_year(THIS_YEAR, family="customer").count() == 1
    with django_assert_num_queries(2):
        by_family = selectors.scores_for_year(year=THIS_YEAR, by="family")
    assert (by_family["supplier"].nps, by_family["customer"].nps_n) == (Decimal("100.0"), 1)
    by_tier = selectors.scores_for_year(year=LAST_YEAR, by="tier")
    assert by_tier[supplier.tier].nps == Decimal("-100.0")
    with pytest.raises(ValueError):
        selectors.scores_for_year(year=THIS_YEAR, by="colour")


# --- Associations ------------------------------------------------------------------------------


def test_associations_can_be_surveyed(client, manager, django_capture_on_commit_callbacks):
    association = PartnerFactory(family="association", name="Regional Machinery Association")
    contact = ContactFactory(partner=association, name="Zhao Min")
    template = SurveyTemplate.objects.get(name="Association satisfaction")
    assert template.family == "association" and template.questions.exclude(prompt_zh="").count() == 4
    client.force_login(manager)
    assert '<option value="association">' in client.get(reverse("surveys:survey_create")).content.decode()
    client.post(
        reverse("surveys:survey_create"),
        form_data(template=template.pk, family="association", title="Associations 2026"),
    )
    survey = Survey.objects.get()
    assert survey.family == "association"
    assert "Zhao Min" in client.get(reverse("surveys:survey_detail", args=[survey.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("surveys:survey_send", args=[survey.pk]), {"contacts": [contact.pk]})
    invitation = survey.invitations.get()
    services.response_submit(token=services.invitation_token(invitation), answers=valid_answers(survey, nps=10))
    response = client.get(reverse("surveys:results"), {"year": "2026", "family": "association"})
    assert response.context["results"].overall.nps == Decimal("100.0")
    assert [s.key for s in response.context["results"].by_family] == ["association"]
