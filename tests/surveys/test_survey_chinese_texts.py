"""What a respondent reading Chinese sees is Chinese (issue #12 §6): the survey's title in the
e-mail's subject and body and on the page, and the "already answered" page."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from evaluations.surveys import services
from tests.factories import ContactFactory
from tests.surveys.conftest import form_post


@pytest.fixture
def chinese_invitation(survey, supplier, django_capture_on_commit_callbacks):
    survey.title, survey.title_zh = "Supplier satisfaction 2026-Q1", "供应商满意度 2026年第一季度"
    survey.save()
    contact = ContactFactory(partner=supplier, name="Zhao Lei", email="zhao@example.com", preferred_language="zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.survey_send(survey=survey, contacts=[contact])[0]
    return invitation


def test_the_email_and_the_page_show_the_chinese_title(client, chinese_invitation):
    (message,) = [m for m in mail.outbox if m.to == ["zhao@example.com"]]
    assert message.subject == "供应商满意度 2026年第一季度"
    assert "Supplier satisfaction" not in message.body
    url = reverse("surveys:respond", kwargs={"token": services.invitation_token(chinese_invitation)})
    page = client.get(url).content.decode()
    assert "供应商满意度 2026年第一季度" in page and "Supplier satisfaction 2026-Q1" not in page


def test_an_english_reader_sees_the_english_title(survey, supplier, django_capture_on_commit_callbacks):
    survey.title, survey.title_zh = "Supplier satisfaction 2026-Q1", "供应商满意度 2026年第一季度"
    survey.save()
    contact = ContactFactory(partner=supplier, email="ann@example.com", preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        services.survey_send(survey=survey, contacts=[contact])
    (message,) = [m for m in mail.outbox if m.to == ["ann@example.com"]]
    assert message.subject == "Supplier satisfaction 2026-Q1"


def test_an_answered_chinese_link_says_so_in_chinese(client, chinese_invitation):
    url = reverse("surveys:respond", kwargs={"token": services.invitation_token(chinese_invitation)})
    assert client.post(url, form_post(chinese_invitation.survey)).status_code in (200, 302)
    response = client.get(url)
    assert response.status_code == 409
    body = response.content.decode()
    assert "This survey has already been answered" not in body
    assert response["Content-Language"] == "zh-hans"
