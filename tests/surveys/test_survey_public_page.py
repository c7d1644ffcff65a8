"""The public survey page (no login): tokens, validation, abuse (P4.1.3, P4.2.3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from evaluations.surveys import services
from evaluations.surveys.models import Answer, SurveyInvitation, SurveyResponse
from evaluations.surveys.views import RATE_LIMIT_POSTS
from tests.factories import ContactFactory
from tests.surveys.conftest import form_post


@pytest.fixture
def contact(supplier):
    return ContactFactory(partner=supplier, name="Zhao Lei", preferred_language="zh-hans")


@pytest.fixture
def invitation(survey, contact) -> SurveyInvitation:
    return services.survey_send(survey=survey, contacts=[contact])[0]


def url_for(invitation) -> str:
    return reverse("surveys:respond", kwargs={"token": services.invitation_token(invitation)})


def assert_reveals_nothing(response, invitation):
    body = response.content.decode()
    for secret in (invitation.partner.name, invitation.contact.name, invitation.email, invitation.survey.title):
        assert secret not in body
    assert "<form" not in body or "survey-form" not in body


def test_form_opens_in_the_invitations_language_and_switches(client, invitation):
    response = client.get(url_for(invitation))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="zh-hans"' in body and "总体而言，您对我们的合作满意吗？" in body
    assert "Zhao Lei" not in body and "Acme Components" not in body  # a forwarded link shows no names
    response = client.get(url_for(invitation) + "?lang=en")
    assert "Overall, how satisfied are you with our cooperation?" in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]


def test_submit_then_thank_you_then_already_answered(client, survey, invitation):
    url = url_for(invitation)
    response = client.post(url + "?lang=en", form_post(survey, nps=10, text="Great"))
    assert response.status_code == 200 and "Thank you for your feedback" in response.content.decode()
    assert SurveyResponse.objects.get().language == "en"
    assert Answer.objects.get(kind="nps").score == 10
    again = client.post(url + "?lang=en", form_post(survey, nps=0))
    assert again.status_code == 409 and "already been answered" in again.content.decode()
    assert_reveals_nothing(again, invitation)
    assert client.get(url).status_code == 409
    assert Answer.objects.get(kind="nps").score == 10


def test_expired_link_shows_a_clear_page_without_data(client, survey, contact):
    [invitation] = services.survey_send(
        survey=survey, contacts=[contact], now=timezone.now() - dt.timedelta(days=survey.expires_after_days + 1)
    )
    for response in (client.get(url_for(invitation) + "?lang=en"), client.post(url_for(invitation), form_post(survey))):
        assert response.status_code == 410
        assert_reveals_nothing(response, invitation)
    assert "expired" in client.get(url_for(invitation) + "?lang=en").content.decode()
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize("token", ["x", "A" * 43, "A" * 5000, "%3Cscript%3E"])
def test_tampered_or_unknown_link_is_a_friendly_404(client, survey, invitation, token):
    good = services.invitation_token(invitation)
    for response in (
        client.get(f"/s/{token}/?lang=en"),
        client.get(f"/s/{good[:-2]}/?lang=en"),
        client.post(f"/s/{good}x/", form_post(survey)),
    ):
        assert response.status_code == 404
        assert "not valid" in response.content.decode() or "无效" in response.content.decode()
        assert_reveals_nothing(response, invitation)
    assert not SurveyResponse.objects.exists()


def test_invalid_answers_show_errors_and_keep_the_link(client, survey, invitation):
    data = form_post(survey)
    nps = survey.template.questions.get(kind="nps")
    data[f"q_{nps.pk}"] = "11"
    response = client.post(url_for(invitation) + "?lang=en", data)
    assert response.status_code == 200 and "survey-form" in response.content.decode()
    assert not SurveyResponse.objects.exists()
    del data[f"q_{nps.pk}"]
    assert "Please answer this question." in client.post(url_for(invitation) + "?lang=en", data).content.decode()
    assert client.post(url_for(invitation), form_post(survey)).status_code == 200
    assert SurveyResponse.objects.count() == 1


def test_text_is_escaped_when_shown_again(client, survey, invitation, manager):
    data = form_post(survey, text="<script>alert('x')</script>")
    nps = survey.template.questions.get(kind="nps")
    data[f"q_{nps.pk}"] = ""  # an error: the form comes back with the text in it
    body = client.post(url_for(invitation), data).content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;" in body
    client.post(url_for(invitation), form_post(survey, text="<script>alert('x')</script>"))
    client.force_login(manager)
    body = client.get(reverse("surveys:survey_detail", args=[survey.pk])).content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;alert" in body


def test_survey_title_is_escaped(client, survey, invitation):
    survey.title = "<b>bold</b>"
    survey.save()
    body = client.get(url_for(invitation)).content.decode()
    assert "<b>bold</b>" not in body and "&lt;b&gt;bold&lt;/b&gt;" in body


def test_csrf_is_required(survey, invitation):
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(url_for(invitation), form_post(survey))
    assert response.status_code == 403
    assert not SurveyResponse.objects.exists()
    page = csrf_client.get(url_for(invitation))
    token = page.cookies["csrftoken"].value
    response = csrf_client.post(url_for(invitation), {**form_post(survey), "csrfmiddlewaretoken": token})
    assert response.status_code == 200 and SurveyResponse.objects.count() == 1


def test_body_over_20_kb_is_rejected(client, survey, invitation):
    response = client.post(url_for(invitation), form_post(survey, text="x" * 21 * 1024))
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()


def test_rate_limit_per_address_and_link(client, survey, invitation, contact):
    url = url_for(invitation)
    bad = {"q_0": "1"}
    for _i in range(RATE_LIMIT_POSTS):
        assert client.post(url, bad).status_code == 200
    response = client.post(url, form_post(survey))
    assert response.status_code == 429
    assert not SurveyResponse.objects.exists()
    # Another address is not blocked; a GET is not counted.
    assert client.get(url).status_code == 200
    assert client.post(url, form_post(survey), REMOTE_ADDR="10.0.0.9").status_code == 200
    assert SurveyResponse.objects.count() == 1


def test_only_get_and_post(client, invitation):
    assert client.put(url_for(invitation)).status_code == 405


def test_link_never_leaks_to_other_sites_yet_the_form_posts(client, invitation):
    # "no-referrer" would make browsers send "Origin: null" with the form, which Django's
    # CSRF check refuses (found by the browser test); "same-origin" keeps the token home.
    response = client.get(url_for(invitation))
    assert response["Referrer-Policy"] == "same-origin"


def test_each_question_kind_gets_its_own_input_and_scale_ends(client, invitation):
    body = client.get(url_for(invitation) + "?lang=en").content.decode()
    assert "Not at all likely" in body and "Extremely likely" in body  # the NPS scale
    assert "Very dissatisfied" in body and "Very satisfied" in body  # the CSAT scale
    assert "<textarea" in body  # the free-text question
