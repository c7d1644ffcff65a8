"""Creating and sending surveys, and the results page (P4.1.3, P4.2.3, P5.2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.models import OutboundEmail
from evaluations.surveys import services
from evaluations.surveys.models import Survey, SurveyInvitation, SurveyTemplate
from evaluations.surveys.selectors import survey_results
from tests.factories import ContactFactory, PartnerFactory, department
from tests.surveys.conftest import valid_answers

# --- Creating and sending ------------------------------------------------------------------


def test_manager_creates_and_sends_a_survey(client, manager, supplier, django_capture_on_commit_callbacks):
    with_email = ContactFactory(partner=supplier, name="Li Na")
    ContactFactory(partner=supplier, name="No Mail", email="")
    customer_contact = ContactFactory(partner=PartnerFactory(family="customer"), name="Customer Person")
    client.force_login(manager)
    template = SurveyTemplate.objects.get(name="Supplier satisfaction")
    response = client.post(
        reverse("surveys:survey_create"),
        {
            "template": template.pk,
            "title": "  Supplier   satisfaction 2026 ",
            "family": "supplier",
            "period_kind": "quarter",
            "period_year": "2026",
            "period_quarter": "4",
            "max_reminders": 2,
            "min_days_between": 3,
            "expires_after_days": 21,
        },
    )
    survey = Survey.objects.get()
    assert response.status_code == 302 and survey.title == "Supplier satisfaction 2026"
    assert survey.created_by == manager and survey.sent_at is None
    assert (survey.period_kind, survey.period_start, survey.period_end) == (
        "quarter",
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
    )
    assert survey.period_note == ""
    page = client.get(reverse("surveys:survey_detail", args=[survey.pk])).content.decode()
    assert "Li Na" in page and "No Mail" not in page and "Customer Person" not in page
    # A contact of another family cannot be slipped into the POST.
    client.post(reverse("surveys:survey_send", args=[survey.pk]), {"contacts": [customer_contact.pk]})
    assert not SurveyInvitation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("surveys:survey_send", args=[survey.pk]), {"contacts": [with_email.pk]})
    assert response.status_code == 302
    assert SurveyInvitation.objects.get().contact == with_email
    assert OutboundEmail.objects.get().to_address == with_email.email
    page = client.get(reverse("surveys:survey_detail", args=[survey.pk])).content.decode()
    assert "No contact left to invite." in page


def test_template_of_another_family_is_refused(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("surveys:survey_create"),
        {
            "template": SurveyTemplate.objects.get(name="Customer satisfaction").pk,
            "title": "Wrong",
            "family": "supplier",
            "period_kind": "year",
            "period_year": "2026",
            "max_reminders": 2,
            "min_days_between": 3,
            "expires_after_days": 21,
        },
    )
    assert response.status_code == 200 and not Survey.objects.exists()


def test_supervision_reads_but_cannot_send(client, supervisor, survey, supplier):
    contact = ContactFactory(partner=supplier)
    client.force_login(supervisor)
    page = client.get(reverse("surveys:survey_detail", args=[survey.pk]))
    assert page.status_code == 200 and "send-form" not in page.content.decode()
    assert client.post(reverse("surveys:survey_send", args=[survey.pk]), {"contacts": [contact.pk]}).status_code == 403
    assert client.get(reverse("surveys:survey_create")).status_code == 403
    assert client.get(reverse("surveys:results")).status_code == 200
    assert not SurveyInvitation.objects.exists()


def test_outsider_cannot_read_results(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("surveys:results")).status_code == 403


# --- Results ------------------------------------------------------------------------------------


def answer(survey, partner, **scores):
    [invitation] = services.survey_send(survey=survey, contacts=[ContactFactory(partner=partner)])
    if scores:
        services.response_submit(token=services.invitation_token(invitation), answers=valid_answers(survey, **scores))
    return invitation


def test_no_responses_is_no_data(survey, supplier):
    answer(survey, supplier)  # invited, not answered
    results = survey_results()
    overall = results.overall
    assert (overall.nps, overall.csat, overall.ces) == (None, None, None)
    assert (overall.nps_n, overall.invitations, overall.responses) == (0, 1, 0)
    assert overall.response_rate == Decimal("0.0")
    empty = survey_results(family="customer").overall
    assert empty.response_rate is None and empty.nps is None


def test_all_promoters_is_nps_100(survey, supplier):
    for score in (9, 10, 10):
        answer(survey, supplier, nps=score)
    assert survey_results().overall.nps == Decimal("100.0")


def test_results_maths_by_period_family_and_department(manager, supplier, supplier_template):
    customer_template = SurveyTemplate.objects.get(name="Customer satisfaction")
    s2025 = Survey.objects.create(
        template=supplier_template, title="S 2025", family="supplier", period="2025", created_by=manager
    )
    s2026 = Survey.objects.create(
        template=supplier_template, title="S 2026", family="supplier", period="2026", created_by=manager
    )
    c2026 = Survey.objects.create(
        template=customer_template, title="C 2026", family="customer", period="2026", created_by=manager
    )
    customer = PartnerFactory(family="customer", department=department("sales"))
    answer(s2025, supplier, nps=3, csat=2, ces=2)
    answer(s2025, supplier)  # no answer
    answer(s2026, supplier, nps=10, csat=5, ces=7)
    answer(s2026, supplier, nps=8, csat=4, ces=4)
    answer(c2026, customer, nps=0, csat=5, ces=1)

    results = survey_results()
    o = results.overall
    # NPS: 1 promoter, 2 detractors of 4 → −25; CSAT 3 of 4 → 75; CES (2+7+4+1)/4 = 3.5
    assert (o.nps_n, o.nps, o.csat, o.ces) == (4, Decimal("-25.0"), Decimal("75.0"), Decimal("3.50"))
    assert (o.invitations, o.responses, o.response_rate) == (5, 4, Decimal("80.0"))

    periods = {s.label: s for s in results.by_period}
    assert list(periods) == ["2025", "2026"]
    assert (periods["2025"].nps, periods["2025"].response_rate) == (Decimal("-100.0"), Decimal("50.0"))
    assert (periods["2026"].nps, periods["2026"].csat) == (Decimal("0.0"), Decimal("100.0"))

    families = {s.key: s for s in results.by_family}
    assert families["supplier"].nps == Decimal("0.0") and families["customer"].nps == Decimal("-100.0")
    departments = {s.label: s for s in results.by_department}
    assert departments["Sales"].ces == Decimal("1.00") and departments["Procurement"].ces_n == 3

    only = survey_results(survey_id=s2026.pk).overall
    assert (only.nps_n, only.nps) == (2, Decimal("50.0"))
    assert survey_results(family="customer").overall.nps_n == 1


def results_queries(client) -> int:
    cache.clear()  # nothing cached yet: the bell counted too (crm.notifications)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("surveys:results"))
    assert response.status_code == 200
    return len(ctx)


@pytest.mark.django_db
def test_results_page_query_count_does_not_grow(client, manager, survey, supplier):
    client.force_login(manager)
    answer(survey, supplier, nps=9)
    small = results_queries(client)
    other = PartnerFactory(family="customer", department=department("sales"))
    customer_survey = Survey.objects.create(
        template=SurveyTemplate.objects.get(name="Customer satisfaction"),
        title="C",
        family="customer",
        period="2025",
        created_by=manager,
    )
    for score in range(10):
        answer(survey, supplier, nps=score)
        answer(customer_survey, other, nps=score, csat=1 + score % 5)
    answer(customer_survey, other)
    assert results_queries(client) == small
    # Session, user, roles, notifications; the surveys and years of the filters; the
    # results (selectors.survey_results: ten grouped queries).
    assert small <= 17


def test_results_page_shows_no_data_and_scores(client, manager, survey, supplier):
    client.force_login(manager)
    body = client.get(reverse("surveys:results")).content.decode()
    assert "No data" in body
    answer(survey, supplier, nps=10)
    body = client.get(reverse("surveys:results") + f"?survey={survey.pk}&family=supplier").content.decode()
    assert 'id="overall-nps">100.0' in body
    # Bad filter values are ignored, not errors.
    assert client.get(reverse("surveys:results") + "?survey=abc&family=<x>").status_code == 200
    # A refused value drops that filter only; the page says which filters applied.
    response = client.get(reverse("surveys:results"), {"survey": "9" * 40, "family": "customer"})
    assert (response.context["survey_id"], response.context["family"]) == (None, "customer")
    assert 'id="overall-nps">100.0' not in response.content.decode()  # no customer answered
    response = client.get(reverse("surveys:results"), {"survey": str(survey.pk), "family": "<x>"})
    assert (response.context["survey_id"], response.context["family"]) == (survey.pk, None)
    assert f'<option value="{survey.pk}" selected>' in response.content.decode()
    assert 'id="overall-nps">100.0' in response.content.decode()
