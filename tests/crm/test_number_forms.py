"""Every number a user posts, through the real view (issue #10 §2, issue #12 §4): numbers across
and outside the bounds and junk ("1e309", "NaN", full-width digits …) never cause a 500;
out-of-range values are refused next to the field, the rest of the form is kept and nothing
is written; in-range values are accepted. The bounds come from the model fields
(crm/cleaning.py ``number_bounds``), so these tests follow them."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import pytest
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.cleaning import number_bounds
from evaluations.models import Criterion, CriterionScore, ScorecardTemplate
from evaluations.surveys.models import Survey, SurveyTemplate
from partners.cases.models import Case, SlaTarget
from partners.customers.models import Gift
from partners.models import Partner
from tests.evaluations.factories import criteria_of, kpi, make_template, manual, open_eval
from tests.evaluations.test_template_admin import payload as template_payload

# What people type, paste or a script sends instead of a plain number.
JUNK = [
    "1e309",
    "-1e309",
    "1e2",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "-0",
    "0.0",
    "2.5",
    "9" * 40,
    "9" * 5000,
    "-" + "9" * 30,
    "１２",  # full-width digits: Python reads them as 12
    "٣",  # an Arabic-Indic 3
    "0x1A",
    "1,5",
    "1.2.3",
    "--1",
    "+3",
    " 4 ",
    "",
    "abc",
    "5\x00",
]

EXAMPLES = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def posted(low, high, places: int = 0) -> st.SearchStrategy[tuple[str, str]]:
    """(text, kind): "in" a number within [low, high], "out" a number outside, "junk" anything."""
    low, high = Decimal(str(low)), Decimal(str(high))
    step = Decimal(1).scaleb(-places)

    def text(d: Decimal) -> str:
        return format(d, "f")

    inside = st.decimals(min_value=low, max_value=high, places=places).map(lambda d: (text(d), "in"))
    outside = st.one_of(
        st.decimals(min_value=low - 10**12, max_value=low - step, places=places),
        st.decimals(min_value=high + step, max_value=high + 10**12, places=places),
    ).map(lambda d: (text(d), "out"))
    edges = st.sampled_from(
        [(text(low), "in"), (text(high), "in"), (text(low - step), "out"), (text(high + step), "out")]
    )
    return st.one_of(inside, outside, edges, st.sampled_from(JUNK).map(lambda s: (s, "junk")))


def as_number(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return None


def assert_handled(response, *, kind: str, text: str, field: str, stored: list, bounds, kept: str, form="form"):
    """The view's answer to one posted number (see the module docstring)."""
    assert response.status_code < 500, text
    if response.status_code == 400:  # a NUL byte: crm.middleware refuses the whole request
        assert "\x00" in text and stored == []
        return
    low, high = bounds
    if kind == "in":
        assert response.status_code == 302, (text, response.context and response.context[form].errors)
        assert stored == [as_number(text)], text
    elif kind == "out":
        assert response.status_code == 200, text
    if response.status_code == 302:  # accepted: what was stored lies within the bounds
        assert len(stored) == 1 and low <= stored[0] <= high, (text, stored)
        return
    assert response.status_code == 200
    errors = response.context[form].errors
    assert field in errors, (text, errors)
    page = response.content.decode()
    assert all(escape(message) in page for message in errors[field]), errors[field]
    assert kept in page  # the rest of the form is kept
    assert stored == []  # nothing written


def number_input(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert match, name
    return match.group(0)


# --- Gifts (customers) --------------------------------------------------------------------------

GIFT_BOUNDS = number_bounds(Gift._meta.get_field("value"))


def gift_data(value: str) -> dict:
    return {
        "description": "Kept tea set",
        "direction": "given",
        "value": value,
        "currency": "CNY",
        "occasion": "Spring Festival",
        "date": "2026-11-20",
    }


def test_the_gift_form_shows_the_bounds_and_the_step(client, staff, supplier):
    client.force_login(staff)
    page = client.get(reverse("customers:gift_create", args=[supplier.pk])).content.decode()
    value = number_input(page, "value")
    assert 'min="0"' in value and 'max="100000000"' in value and 'step="0.01"' in value


@EXAMPLES
@given(value=posted(*GIFT_BOUNDS, places=2))
def test_gift_values_across_and_outside_the_bounds(client, staff, supplier, value):
    text, kind = value
    client.force_login(staff)
    response = client.post(reverse("customers:gift_create", args=[supplier.pk]), gift_data(text))
    stored = list(Gift.objects.values_list("value", flat=True))
    kept = "Kept tea set"
    assert_handled(response, kind=kind, text=text, field="value", stored=stored, bounds=GIFT_BOUNDS, kept=kept)
    Gift.objects.all().delete()


def test_full_width_digits_are_read_as_the_number_they_show(client, staff, supplier):
    client.force_login(staff)
    client.post(reverse("customers:gift_create", args=[supplier.pk]), gift_data("１２"))
    assert Gift.objects.get().value == Decimal(12)


# --- Surveys: the reminder policy ----------------------------------------------------------------

SURVEY_FIELDS = ["max_reminders", "min_days_between", "expires_after_days"]


@EXAMPLES
@given(data=st.data())
def test_survey_policy_numbers_across_and_outside_the_bounds(client, manager, data):
    field = data.draw(st.sampled_from(SURVEY_FIELDS), label="field")
    bounds = number_bounds(Survey._meta.get_field(field))
    text, kind = data.draw(posted(*bounds), label="value")
    client.force_login(manager)
    post = {
        "template": SurveyTemplate.objects.get(name="Supplier satisfaction").pk,
        "title": "Kept survey title",
        "family": "supplier",
        "period_kind": "year",
        "period_year": "2026",
        "max_reminders": "2",
        "min_days_between": "3",
        "expires_after_days": "21",
        field: text,
    }
    response = client.post(reverse("surveys:survey_create"), post)
    stored = [Decimal(v) for v in Survey.objects.values_list(field, flat=True)]
    assert_handled(response, kind=kind, text=text, field=field, stored=stored, bounds=bounds, kept="Kept survey title")
    Survey.objects.all().delete()


def test_the_survey_form_shows_the_bounds(client, manager):
    client.force_login(manager)
    page = client.get(reverse("surveys:survey_create")).content.decode()
    assert 'min="0"' in number_input(page, "max_reminders") and 'max="5"' in number_input(page, "max_reminders")
    assert 'min="1"' in number_input(page, "expires_after_days")
    assert 'max="180"' in number_input(page, "expires_after_days")


# --- Scorecard sheets: a percentage KPI and a 1-5 rating -----------------------------------------


@pytest.fixture
def percent_sheet(staff, supplier):
    template = make_template(criteria=[manual("Quality", 60), kpi("Delivery", 40, 80, 100)])
    Criterion.objects.filter(template=template, name="Delivery").update(kpi_unit="%")
    return template, open_eval(supplier, template, [staff]).sheets.get()


def test_the_sheet_shows_the_kpi_scale_and_the_range_plainly(client, staff, percent_sheet):
    template, sheet = percent_sheet
    client.force_login(staff)
    page = client.get(reverse("evaluations:sheet", args=[sheet.pk])).content.decode()
    delivery = number_input(page, f"c{criteria_of(template)['Delivery'].pk}_value")
    assert 'min="0"' in delivery and 'max="100"' in delivery and 'step="0.0001"' in delivery
    assert "KPI: 80 scores 0 and 100 scores 100." in page and "80.0000" not in page


@EXAMPLES
@given(value=posted(0, 100, places=4))
def test_percentage_kpi_values_across_and_outside_the_scale(client, staff, percent_sheet, value):
    text, kind = value
    template, sheet = percent_sheet
    c = criteria_of(template)
    client.force_login(staff)
    post = {
        f"c{c['Quality'].pk}_value": "4",
        f"c{c['Quality'].pk}_evidence": "Kept evidence note",
        f"c{c['Delivery'].pk}_value": text,
        "save": "1",
    }
    response = client.post(reverse("evaluations:sheet", args=[sheet.pk]), post)
    stored = list(
        CriterionScore.objects.filter(sheet=sheet, criterion=c["Delivery"]).values_list("kpi_value", flat=True)
    )
    if text.strip() == "" and response.status_code == 302:  # left empty: the KPI is not scored yet
        assert stored == []
    else:
        field = f"c{c['Delivery'].pk}_value"
        assert_handled(
            response, kind=kind, text=text, field=field, stored=stored, bounds=(0, 100), kept="Kept evidence note"
        )
    CriterionScore.objects.filter(sheet=sheet).delete()


@EXAMPLES
@given(value=posted(1, 5))
def test_ratings_across_and_outside_1_to_5(client, staff, percent_sheet, value):
    text, kind = value
    template, sheet = percent_sheet
    c = criteria_of(template)
    client.force_login(staff)
    post = {
        f"c{c['Quality'].pk}_value": text,
        f"c{c['Quality'].pk}_evidence": "Kept evidence note",
        f"c{c['Delivery'].pk}_value": "95",
        "save": "1",
    }
    response = client.post(reverse("evaluations:sheet", args=[sheet.pk]), post)
    assert response.status_code < 500
    ratings = list(CriterionScore.objects.filter(criterion=c["Quality"]).values_list("rating", flat=True))
    if kind == "in":
        assert response.status_code == 302 and ratings == [int(Decimal(text))]
    if response.status_code == 200 and text.strip():
        assert f"c{c['Quality'].pk}_value" in response.context["form"].errors
        assert "Kept evidence note" in response.content.decode() and not CriterionScore.objects.exists()
    assert all(1 <= r <= 5 for r in ratings)
    CriterionScore.objects.filter(sheet=sheet).delete()


# --- Partners (tier) and cases (priority): numbers chosen from a list -------------------------------


@EXAMPLES
@given(value=posted(1, 3))
def test_partner_tiers_across_and_outside_the_choices(client, staff, value):
    text, kind = value
    client.force_login(staff)
    post = {"name": "Kept Partner Name", "kind": "distributor", "status": "candidate", "tier": text}
    response = client.post(reverse("partners:create", args=["supplier"]), post)
    stored = [Decimal(t) for t in Partner.objects.values_list("tier", flat=True)]
    assert_handled(response, kind=kind, text=text, field="tier", stored=stored, bounds=(1, 3), kept="Kept Partner Name")
    Partner.objects.all().delete()


@EXAMPLES
@given(value=posted(1, 4))
def test_case_priorities_across_and_outside_the_choices(client, staff, supplier, value):
    text, kind = value
    client.force_login(staff)
    post = {"kind": "complaint", "channel": "phone", "priority": text, "subject": "Kept subject", "description": "x"}
    response = client.post(reverse("cases:case_create") + f"?partner={supplier.pk}", post)
    stored = [Decimal(p) for p in Case.objects.values_list("priority", flat=True)]
    assert_handled(response, kind=kind, text=text, field="priority", stored=stored, bounds=(1, 4), kept="Kept subject")
    Case.objects.all().delete()


# --- Configuration in the admin: template weights and thresholds, SLA hours ----------------------


@EXAMPLES
@given(data=st.data())
def test_template_numbers_in_the_admin_across_and_outside_the_bounds(client, admin_user, data):
    field = data.draw(st.sampled_from(["pass_threshold", "min_scored_weight", "recency_periods", "weight"]))
    model_field = (Criterion if field == "weight" else ScorecardTemplate)._meta.get_field(field)
    places = getattr(model_field, "decimal_places", 0)
    bounds = number_bounds(model_field)
    text, kind = data.draw(posted(*bounds, places=places), label="value")
    post = template_payload([60, 40], [85, 70, 50, 0])
    if field == "weight":  # two criteria whose weights still total 100
        number = as_number(text)
        if kind == "in" and number == 100:
            kind = "junk"  # the other criterion's weight 0 is refused: the form is not otherwise valid
        other = 100 - number if number is not None and number.is_finite() and abs(number) < 10**6 else 40
        post.update({"criteria-0-weight": text, "criteria-1-weight": format(other, "f")})
    else:
        post[field] = text
    client.force_login(admin_user)
    response = client.post(reverse("admin:evaluations_scorecardtemplate_add"), post)
    assert response.status_code < 500, text
    created = ScorecardTemplate.objects.filter(name="Admin template")
    if field == "weight":
        stored = list(Criterion.objects.filter(template__in=created, name="Criterion 0").values_list(field, flat=True))
    else:
        stored = list(created.values_list(field, flat=True))
    if kind == "in":
        assert response.status_code == 302 and stored == [as_number(text)], text
    if response.status_code == 302:
        assert len(stored) == 1 and bounds[0] <= stored[0] <= bounds[1]
    else:
        assert stored == [] and not created.exists()
        if kind == "out":
            assert "errorlist" in response.content.decode()
    ScorecardTemplate.objects.filter(name="Admin template").delete()


@EXAMPLES
@given(value=posted(1, 720))
def test_sla_response_hours_in_the_admin(client, admin_user, value):
    text, kind = value
    target, _created = SlaTarget.objects.get_or_create(
        family="supplier", priority=2, defaults={"response_hours": 8, "resolution_hours": 720}
    )
    SlaTarget.objects.filter(pk=target.pk).update(response_hours=8, resolution_hours=720)
    client.force_login(admin_user)
    url = reverse("admin:cases_slatarget_change", args=[target.pk])
    post = {"family": "supplier", "priority": "2", "response_hours": text, "resolution_hours": "720"}
    response = client.post(url, post)
    assert response.status_code < 500, text
    stored = SlaTarget.objects.get(pk=target.pk).response_hours
    if kind == "in":
        assert response.status_code == 302 and stored == as_number(text)
    if response.status_code == 200:
        assert stored == 8 and "response_hours" in response.context["adminform"].form.errors
    assert 1 <= stored <= 720


def test_admin_number_inputs_carry_their_bounds(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("admin:evaluations_scorecardtemplate_add")).content.decode()
    threshold = number_input(page, "pass_threshold")
    assert 'min="0"' in threshold and 'max="100"' in threshold and 'step="0.01"' in threshold
    recency = number_input(page, "recency_periods")
    assert 'min="1"' in recency and 'max="24"' in recency


def test_dates_still_bound_where_numbers_are_posted(client, staff, supplier):
    """The number bounds join the stored-value rules; the date rules still hold on the same form."""
    client.force_login(staff)
    response = client.post(
        reverse("customers:gift_create", args=[supplier.pk]), {**gift_data("10"), "date": "1800-01-01"}
    )
    assert response.status_code == 200 and "date" in response.context["form"].errors
    assert not Gift.objects.exists()
