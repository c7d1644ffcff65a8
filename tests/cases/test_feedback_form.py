"""The public complaint / suggestion form (no login) and the survey ↔ case links."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from evaluations.surveys import services as survey_services
from evaluations.surveys.models import SurveyInvitation, SurveyTemplate
from partners.cases import services as case_services
from partners.cases.models import Case, CaseChannel, CaseIntakeRule
from partners.cases.views import FEEDBACK_POSTS_PER_ADDRESS
from tests.edit_forms import post_edit
from tests.factories import ContactFactory, PartnerFactory, department
from tests.surveys.conftest import valid_answers

URL = "/feedback/"

pytestmark = pytest.mark.django_db


def form(**overrides) -> dict[str, str]:
    data = {
        "family": "customer",
        "kind": "complaint",
        "name": "Wang Fang",
        "email": "wang@bluesky.example",
        "company": "Blue Sky Trading",
        "subject": "Invoice sent twice",
        "description": "We were billed twice for order 1001.",
        "website": "",
    }
    return {**data, **overrides}


def test_url_is_stable():
    assert reverse("cases:feedback") == URL


def test_a_visitor_files_a_complaint_and_gets_a_reference(client):
    assert client.get(URL).status_code == 200
    response = client.post(URL, form())
    assert response.status_code == 302
    thanks = client.get(response["Location"])
    case = Case.objects.get()
    assert case.reference in thanks.content.decode()
    assert (case.channel, case.kind, case.family, case.partner) == (CaseChannel.WEB_FORM, "complaint", "customer", None)
    assert case.submitter_email == "wang@bluesky.example"
    # The reference is shown once; the thanks page reveals nothing on a second visit.
    again = client.get(response["Location"])
    assert again.status_code == 302 and case.reference not in again.content.decode()


def test_a_known_address_is_suggested_to_triage_never_linked(client, staff_sales):
    customer = PartnerFactory(family="customer", owner=staff_sales)
    contact = ContactFactory(partner=customer, email="Wang@BlueSky.example")
    CaseIntakeRule.objects.create(family="customer", department=department("sales"))  # Sales triages
    client.post(URL, form())
    case = Case.objects.get()
    # Anyone can type a customer's address: the case is not filed in their name.
    assert (case.partner, case.contact, case.assignee) == (None, None, None)
    client.force_login(staff_sales)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    link = reverse("cases:case_edit", args=[case.pk]) + f"?partner={customer.pk}&amp;contact={contact.pk}"
    assert link in page
    edit = client.get(link.replace("&amp;", "&")).content.decode()
    assert f'<option value="{contact.pk}" selected>' in edit
    response = post_edit(
        client,
        reverse("cases:case_edit", args=[case.pk]),
        {
            "partner": customer.pk,
            "contact": contact.pk,
            "kind": "complaint",
            "channel": "web_form",
            "priority": "2",
            "subject": case.subject,
            "description": case.description,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.partner, case.contact, case.assignee) == (customer, contact, staff_sales)


def test_the_form_is_served_in_chinese(client):
    body = client.get(URL, {"lang": "zh-hans"}).content.decode()
    assert 'lang="zh-hans"' in body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"subject": ""}, "This field is required."),
        ({"kind": "request"}, "Select a valid choice."),
        ({"description": "Broken \x01 text"}, "Remove the control characters from this text."),
        ({"website": "http://spam.example"}, "Leave this field empty."),
        ({"description": "x" * 5001}, "Ensure this value has at most 5000 characters"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_kept(client, overrides, message):
    response = client.post(URL, form(**overrides))
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert "Blue Sky Trading" in body  # the rest of the form is kept
    assert not Case.objects.exists()


def test_oversized_posts_are_refused(client):
    response = client.post(URL, form(description="x" * 30_000))
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_rate_limited_per_address(client):
    for _ in range(FEEDBACK_POSTS_PER_ADDRESS):
        assert client.post(URL, form()).status_code == 302
    assert client.post(URL, form()).status_code == 429
    assert Case.objects.count() == FEEDBACK_POSTS_PER_ADDRESS


def test_csrf_is_enforced(db):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, form()).status_code == 403
    assert not Case.objects.exists()


def test_what_a_visitor_wrote_is_escaped_for_staff(client, staff):
    Client().post(URL, form(company="Tom & Jerry's", description='Price < 5 & weight > 3 "kg"'))
    case = Case.objects.get()
    client.force_login(staff)
    body = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Tom &amp; Jerry&#x27;s" in body
    assert "Price &lt; 5 &amp; weight &gt; 3 &quot;kg&quot;" in body
    body = client.get(reverse("cases:case_list"), {"state": "unassigned"}).content.decode()
    assert case.reference in body


# --- Surveys after a case, cases from low scores ------------------------------------------------


@pytest.fixture
def supplier_contact(supplier):
    return ContactFactory(partner=supplier, email="qa@acme.example")


def _closed_case(supplier, contact, staff):
    case = case_services.case_open(
        partner=supplier, contact=contact, kind="issue", channel="phone", subject="s", description="d"
    )
    case_services.case_transition(case=case, user=staff, to_status="resolved", resolution="done")
    case_services.case_transition(case=case, user=staff, to_status="closed")
    return case


def test_closing_a_case_sends_the_after_case_survey_when_configured(supplier, supplier_contact, staff):
    _closed_case(supplier, supplier_contact, staff)
    assert not SurveyInvitation.objects.exists()  # not configured: nothing sent

    SurveyTemplate.objects.filter(name="Supplier satisfaction").update(send_after_case=True)
    case = _closed_case(supplier, supplier_contact, staff)
    invitation = SurveyInvitation.objects.get()
    assert (invitation.contact, invitation.case_ref, invitation.survey.after_case) == (
        supplier_contact,
        case.reference,
        True,
    )
    assert invitation.partner == supplier


def test_a_low_score_opens_a_case_only_when_configured(survey, supplier_contact, supplier):
    first, second = survey_services.survey_send(
        survey=survey, contacts=[supplier_contact, ContactFactory(partner=supplier, email="b@acme.example")]
    )
    survey_services.response_submit(token=survey_services.invitation_token(first), answers=valid_answers(survey, nps=2))
    assert not Case.objects.exists()

    SurveyTemplate.objects.filter(pk=survey.template_id).update(low_score_opens_case=True)
    response = survey_services.response_submit(
        token=survey_services.invitation_token(second),
        answers=valid_answers(survey, nps=3, csat=2, text="Slow answers"),
    )
    case = Case.objects.get()
    assert (case.survey_response, case.partner, case.channel, case.kind) == (response, supplier, "survey", "complaint")
    assert "Slow answers" in case.description
    # What the system writes reads in either language: staff in Chinese and English share cases.
    title = survey.title_zh or survey.title
    assert case.subject == f"Low satisfaction score: {survey.title} / 满意度低分：{title}"
    question = survey.template.questions.exclude(prompt_zh="").first()
    assert f"{question.prompt_en} / {question.prompt_zh}: " in case.description


def test_a_good_score_opens_no_case(survey, supplier_contact):
    SurveyTemplate.objects.filter(pk=survey.template_id).update(low_score_opens_case=True)
    invitation = survey_services.survey_send(survey=survey, contacts=[supplier_contact])[0]
    survey_services.response_submit(
        token=survey_services.invitation_token(invitation), answers=valid_answers(survey, nps=9)
    )
    assert not Case.objects.exists()


def test_the_case_page_shows_the_satisfaction_answered_after_it(client, supplier, supplier_contact, staff):
    SurveyTemplate.objects.filter(name="Supplier satisfaction").update(send_after_case=True)
    case = _closed_case(supplier, supplier_contact, staff)
    invitation = SurveyInvitation.objects.get(case_ref=case.reference)
    survey = invitation.survey
    survey_services.response_submit(
        token=survey_services.invitation_token(invitation), answers=valid_answers(survey, nps=10, text="Fixed <fast>")
    )
    client.force_login(staff)
    body = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'id="case-satisfaction"' in body and "<strong>10</strong>" in body
    assert "Fixed &lt;fast&gt;" in body


def test_the_case_records_that_its_survey_was_sent(client, supplier, supplier_contact, staff):
    """Issue 12 §2: "survey sent" is on the case, once, with the address it went to."""
    SurveyTemplate.objects.filter(name="Supplier satisfaction").update(send_after_case=True)
    case = _closed_case(supplier, supplier_contact, staff)
    notes = list(case.notes.filter(kind="survey"))
    assert [(n.body, n.author) for n in notes] == [(supplier_contact.email, None)]
    # Reopened and closed again in the same quarter: the contact is not surveyed twice.
    for status in ("in_progress", "resolved", "closed"):
        case_services.case_transition(case=case, user=staff, to_status=status, resolution="Again")
    assert case.notes.filter(kind="survey").count() == 1
    client.force_login(staff)
    body = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert f'<span class="survey-sent">Satisfaction survey sent to {supplier_contact.email}.</span>' in body


def test_a_low_score_after_a_case_links_the_case_it_was_about(client, supplier, supplier_contact, staff):
    """Issue 12 §2: the complaint a low score opens points at the case the survey followed."""
    SurveyTemplate.objects.filter(name="Supplier satisfaction").update(send_after_case=True, low_score_opens_case=True)
    case = _closed_case(supplier, supplier_contact, staff)
    invitation = SurveyInvitation.objects.get(case_ref=case.reference)
    survey_services.response_submit(
        token=survey_services.invitation_token(invitation), answers=valid_answers(invitation.survey, nps=1, csat=1)
    )
    complaint = Case.objects.exclude(pk=case.pk).get()
    assert (complaint.about_case, complaint.channel) == (case, "survey")
    client.force_login(staff)
    body = client.get(reverse("cases:case_detail", args=[complaint.pk])).content.decode()
    assert "The customer was unhappy about case" in body
    assert f'<a href="{reverse("cases:case_detail", args=[case.pk])}">{case.reference}</a>' in body
    original = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'id="case-follow-ups"' in original
    assert f'<a href="{reverse("cases:case_detail", args=[complaint.pk])}">{complaint.reference}</a>' in original
