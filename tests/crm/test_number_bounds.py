"""Every number of Rapport's apps has sane bounds, checked by the pre_save guard as well as the
forms, and pages survive a number stored before the bounds (issue #10 §2, issue #12 §4;
crm/cleaning.py). The forms' side is in test_number_forms.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from simple_history.models import HistoricalChanges

from crm.cleaning import OUR_APPS, is_number_field, number_bounds
from crm.models import OutboundEmail, ScanRun
from crm.numbers import number_text
from evaluations import services as evaluation_services
from evaluations.models import Criterion, CriterionScore, Evaluation, PartnerScore, ScorecardTemplate, StandingBand
from evaluations.surveys.models import Answer, Question, Survey, SurveyInvitation, SurveyTemplate
from partners.cases.models import Case, SlaTarget
from partners.customers.models import Gift
from partners.models import Partner
from tests.evaluations.factories import closed_eval, criteria_of, kpi, make_template, manual, open_eval

# Ids kept without a foreign key: no business bound beyond the column's.
ID_FIELDS = {("crm.FormSubmission", "user_id")}


def our_number_fields():
    for model in apps.get_models():
        if model.__module__.split(".")[0] not in OUR_APPS:
            continue
        for field in model._meta.concrete_fields:
            if not is_number_field(field) or (model._meta.label, field.name) in ID_FIELDS:
                continue
            if issubclass(model, HistoricalChanges) and field.name == "id":  # the tracked row's id
                continue
            yield model, field


def test_every_number_field_of_our_apps_has_an_explicit_min_and_max():
    fields = list(our_number_fields())
    assert len(fields) > 40  # the enumeration found the apps' fields
    unbounded = [f"{m._meta.label}.{f.name}" for m, f in fields if None in number_bounds(f)]
    assert not unbounded, f"give these a MinValueValidator and a MaxValueValidator: {unbounded}"
    for model, field in fields:
        low, high = number_bounds(field)
        assert low <= high, f"{model._meta.label}.{field.name}"
        # Both bounds fit the column (digits, decimal places, the database's integer range).
        field.run_validators(field.to_python(low))
        field.run_validators(field.to_python(high))


def test_percentages_and_scores_are_bounded_by_their_scale():
    expected = {
        (ScorecardTemplate, "pass_threshold"): (0, 100),
        (ScorecardTemplate, "min_scored_weight"): (0, 100),
        (Criterion, "weight"): (Decimal("0.01"), 100),
        (StandingBand, "lower_bound"): (0, 100),
        (Evaluation, "score"): (0, 100),
        (PartnerScore, "overall_score"): (0, 100),
        (CriterionScore, "rating"): (1, 5),
        (Answer, "score"): (0, 10),
        (Gift, "value"): (0, 100_000_000),
        (Partner, "tier"): (1, 3),
        (Case, "priority"): (1, 4),
        (SlaTarget, "response_hours"): (1, 720),
        (Survey, "expires_after_days"): (1, 180),
    }
    for (model, name), bounds in expected.items():
        assert number_bounds(model._meta.get_field(name)) == bounds, f"{model.__name__}.{name}"


# --- The guard refuses through the ORM what the forms refuse -----------------------------------


@pytest.fixture
def rows(staff, manager, supplier):
    """One saved row of every model with a bounded number a user or the system writes."""
    template = make_template(criteria=[manual("Quality", 60), kpi("On-time", 40, 80, 100)])
    evaluation = closed_eval(supplier, template, staff, manager, rating=4)
    survey_template = SurveyTemplate.objects.get(name="Supplier satisfaction")
    survey = Survey.objects.create(
        template=survey_template, title="Bounds survey", family="supplier", period="2026", created_by=manager
    )
    gift = Gift.objects.create(
        partner=supplier, description="Tea", value=Decimal(300), date=dt.date(2026, 1, 5), recorded_by=staff
    )
    case = Case.objects.create(
        partner=supplier,
        family="supplier",
        kind="complaint",
        channel="phone",
        subject="Late",
        description="Late.",
        opened_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
        response_due_at=dt.datetime(2026, 1, 6, tzinfo=dt.UTC),
        resolution_due_at=dt.datetime(2026, 1, 9, tzinfo=dt.UTC),
    )
    sla, _created = SlaTarget.objects.get_or_create(
        family="supplier", priority=2, defaults={"response_hours": 8, "resolution_hours": 72}
    )
    return [
        supplier,
        template,
        template.criteria.first(),
        template.bands.first(),
        evaluation,
        CriterionScore.objects.filter(sheet__evaluation=evaluation).first(),
        PartnerScore.objects.get(partner=supplier, template=template),
        survey,
        survey_template.questions.first(),
        gift,
        case,
        sla,
        OutboundEmail.objects.create(
            to_address="a@example.com", kind="test", period="2026", language="en", subject="s", body_text="b"
        ),
        ScanRun.objects.create(name="bounds", started_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC)),
    ]


def outside(field) -> st.SearchStrategy:
    """Numbers a field refuses: beyond each bound, more decimal places than it holds, NaN, ±∞."""
    low, high = (Decimal(str(b)) for b in number_bounds(field))
    places = field.decimal_places if isinstance(field, models.DecimalField) else 0
    step = Decimal(1).scaleb(-places)
    beyond = st.one_of(
        st.decimals(min_value=low - 10**6, max_value=low - step, places=places),
        st.decimals(min_value=high + step, max_value=high + 10**6, places=places),
    )
    odd = [float("nan"), float("inf"), float("-inf"), Decimal("NaN"), Decimal("-Infinity")]
    if places:
        beyond = st.one_of(beyond, st.just(high - step / 10))  # one decimal place too many
        return st.one_of(beyond, st.sampled_from(odd))
    return st.one_of(beyond.map(int), st.sampled_from(odd))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_orm_refuses_a_number_out_of_bounds_and_writes_nothing(rows, data):
    row = data.draw(st.sampled_from(rows), label="row")
    fields = [f for f in row._meta.concrete_fields if is_number_field(f) and None not in number_bounds(f)]
    field = data.draw(st.sampled_from(fields), label="field")
    value = data.draw(outside(field), label="value")
    stored = type(row).objects.filter(pk=row.pk).values_list(field.attname, flat=True).get()
    setattr(row, field.attname, value)
    with pytest.raises(ValidationError) as refused:
        row.save()
    assert field.name in refused.value.message_dict
    assert type(row).objects.filter(pk=row.pk).values_list(field.attname, flat=True).get() == stored
    row.refresh_from_db()


def test_a_percentage_kpi_of_150_is_refused_by_the_service_and_the_orm(db, staff, supplier):
    template = make_template(criteria=[manual("Quality", 60), kpi("Delivery", 40, 80, 100)])
    Criterion.objects.filter(name="Delivery").update(kpi_unit="%")
    delivery = criteria_of(template)["Delivery"]
    sheet = open_eval(supplier, template, [staff]).sheets.get()
    with pytest.raises(ValidationError, match="between 0 and 100"):
        evaluation_services.sheet_save(
            sheet=sheet, by=staff, scores={delivery.pk: evaluation_services.ScoreData(kpi_value=Decimal(150))}
        )
    with pytest.raises(ValidationError) as refused:
        CriterionScore.objects.create(sheet=sheet, criterion=delivery, kpi_value=Decimal("100.0001"))
    assert "kpi_value" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        delivery.kpi_max = Decimal(150)
        delivery.save()
    assert "kpi_max" in refused.value.message_dict
    assert not CriterionScore.objects.exists()
    evaluation_services.sheet_save(
        sheet=sheet, by=staff, scores={delivery.pk: evaluation_services.ScoreData(kpi_value=Decimal("97.5"))}
    )
    assert CriterionScore.objects.get().kpi_value == Decimal("97.5")


def test_a_survey_answer_lies_on_its_question_kinds_scale(db, survey_answer):
    survey_answer.score = 8  # on the 0-10 range of every scale, but a CSAT is 1-5
    with pytest.raises(ValidationError) as refused:
        survey_answer.save()
    assert "score" in refused.value.message_dict
    survey_answer.score = 5
    survey_answer.save()


@pytest.fixture
def survey_answer(db, manager, supplier):
    from evaluations.surveys.models import SurveyResponse

    template = SurveyTemplate.objects.get(name="Supplier satisfaction")
    survey = Survey.objects.create(template=template, title="S", family="supplier", period="2026", created_by=manager)
    invitation = SurveyInvitation.objects.create(
        survey=survey,
        partner=supplier,
        email="a@example.com",
        language="en",
        family="supplier",
        period="2026",
        nonce="n",
        token_hash="h",
        expires_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
    )
    response = SurveyResponse.for_invitation(invitation, submitted_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    response.save()
    question = Question.objects.filter(template=template, kind="csat").first()
    return Answer.objects.create(response=response, question=question, kind="csat", score=4)


def test_floats_and_trailing_zeros_are_numbers_not_extra_places(db, staff, supplier):
    gift = Gift.objects.create(
        partner=supplier, description="Tea", value=Decimal("120.0000"), date=dt.date(2026, 1, 5), recorded_by=staff
    )
    gift.value = 99.5
    gift.save()
    gift.refresh_from_db()
    assert gift.value == Decimal("99.50")


# --- Display ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (Decimal("80.00"), None, "80"),
        (Decimal("80.0000"), None, "80"),
        (Decimal("87.50"), None, "87.5"),
        (Decimal("87.25"), None, "87.25"),
        ("87.50", None, "87.5"),  # a snapshot's JSON text
        (Decimal("95.12345"), None, "95.1235"),
        (Decimal("300"), 2, "300.00"),
        (None, None, "—"),
        ("", None, "—"),
        (Decimal("NaN"), None, "NaN"),
        ("garbage", None, "garbage"),
        (Decimal("1E+30"), None, "1000000000000000000000000000000"),
        (Decimal("-999.99"), None, "-999.99"),
    ],
)
def test_numbers_show_the_precision_they_need(value, places, shown):
    assert number_text(value, places) == shown


# --- Rendering survives numbers stored before the bounds --------------------------------------


def test_pages_survive_numbers_stored_out_of_range(client, staff, manager, supplier):
    template = make_template(criteria=[manual("Quality", 60), kpi("On-time", 40, 80, 100)])
    evaluation = closed_eval(supplier, template, staff, manager, rating=4)
    open_one = open_eval(supplier, template, [staff], period=dt.date(2025, 8, 10))
    evaluation_services.sheet_save(
        sheet=open_one.sheets.get(),
        by=staff,
        scores={criteria_of(template)["On-time"].pk: evaluation_services.ScoreData(kpi_value=Decimal(90))},
    )
    gift = Gift.objects.create(
        partner=supplier,
        description="Tea",
        value=Decimal(900),
        date=dt.date(2026, 1, 5),
        recorded_by=staff,
        status=Gift.Status.PENDING,
    )
    # Written behind the guard's back, as a database restored from elsewhere would hold them.
    # (Where a database constraint stands behind the guard too, the value cannot be written at all.)
    Evaluation.objects.filter(pk=evaluation.pk).update(overall_score=Decimal("-999.99"))
    PartnerScore.objects.filter(partner=supplier).update(
        overall_score=Decimal("999.99"), latest_score=Decimal("-999.99"), previous_overall_score=Decimal("-5")
    )
    Criterion.objects.filter(template=template, kind="kpi").update(
        kpi_min=Decimal("-9999999999"), kpi_max=Decimal("9999999999"), kpi_unit="%"
    )
    CriterionScore.objects.filter(sheet__evaluation=open_one).update(kpi_value=Decimal("-9999999999.9999"))
    Gift.objects.filter(pk=gift.pk).update(value=Decimal("9999999999.99"))
    Partner.objects.filter(pk=supplier.pk).update(tier=99)
    pages = [
        reverse("evaluations:scorecard", args=[supplier.pk]),
        reverse("evaluations:detail", args=[evaluation.pk]),
        reverse("evaluations:overview") + f"?template={template.pk}",
        reverse("evaluations:sheet", args=[open_one.sheets.get().pk]),
        reverse("customers:gift_list"),
        reverse("customers:gift_decide", args=[gift.pk]),
        supplier.get_absolute_url(),
        reverse("partners:list"),
    ]
    for user in (staff, manager):
        client.force_login(user)
        for url in pages:
            response = client.get(url)
            assert response.status_code in (200, 403), url
    client.force_login(manager)
    assert "9999999999.99" in client.get(reverse("customers:gift_decide", args=[gift.pk])).content.decode()
    assert "999.99" in client.get(reverse("evaluations:scorecard", args=[supplier.pk])).content.decode()
