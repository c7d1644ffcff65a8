"""Sending, the single-use links, answer validation and reminders (P4.1.3, P4.2.3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.models import OutboundEmail
from crm.scheduler import scan_run
from evaluations.surveys import services
from evaluations.surveys.models import Answer, SurveyInvitation, SurveyResponse
from evaluations.surveys.periods import Period
from tests.factories import ContactFactory
from tests.surveys.conftest import THIS_YEAR, valid_answers


def send(survey, contacts, now=None):
    return services.survey_send(survey=survey, contacts=contacts, now=now)


def test_send_creates_invitation_and_email_in_contacts_language(survey, supplier, django_capture_on_commit_callbacks):
    contact = ContactFactory(partner=supplier, name="Wang Fang", preferred_language="zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        [invitation] = send(survey, [contact])
    assert invitation.language == "zh-hans"
    assert (invitation.family, invitation.department_id, invitation.period) == (
        "supplier",
        supplier.department_id,
        survey.period,
    )
    assert (invitation.period_kind, invitation.period_start, invitation.period_end) == (
        "year",
        dt.date(THIS_YEAR, 1, 1),
        dt.date(THIS_YEAR, 12, 31),
    )
    token = services.invitation_token(invitation)
    # Only the hash is stored; the token appears in the email link.
    assert invitation.token_hash == services.token_hash(token) and token not in invitation.token_hash
    assert not SurveyInvitation.objects.filter(token_hash=token).exists()
    email = OutboundEmail.objects.get()
    assert email.recipient is None and email.to_address == contact.email and email.language == "zh-hans"
    assert (email.kind, email.period) == ("survey_invitation", "r0")
    assert f"/s/{token}/" in email.body_text and "有效期至" in email.body_text
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [contact.email]
    survey.refresh_from_db()
    assert survey.sent_at is not None


def test_send_skips_contacts_without_email_and_already_invited(survey, supplier, django_capture_on_commit_callbacks):
    with_email = ContactFactory(partner=supplier)
    without = ContactFactory(partner=supplier, email="")
    with django_capture_on_commit_callbacks(execute=True):
        assert len(send(survey, [with_email, without])) == 1
        assert send(survey, [with_email]) == []
    assert SurveyInvitation.objects.count() == 1 and OutboundEmail.objects.count() == 1


def test_email_escapes_the_survey_title(survey, supplier):
    survey.title = "<script>alert(1)</script> & co"
    survey.save()
    send(survey, [ContactFactory(partner=supplier)])
    email = OutboundEmail.objects.get()
    assert "<script>" not in email.body_html and "&lt;script&gt;" in email.body_html


def test_submit_stores_response_tied_to_partner_contact_and_period(survey, supplier):
    contact = ContactFactory(partner=supplier)
    [invitation] = send(survey, [contact])
    token = services.invitation_token(invitation)
    response = services.response_submit(token=token, answers=valid_answers(survey, text="Faster invoices"))
    assert (response.partner, response.contact, response.survey, response.period, response.family) == (
        supplier,
        contact,
        survey,
        Period.of_year(THIS_YEAR),
        "supplier",
    )
    assert sorted(response.answers.values_list("kind", "score")) == [
        ("ces", 6),
        ("csat", 5),
        ("nps", 9),
        ("text", None),
    ]
    assert response.answers.get(kind="text").text == "Faster invoices"
    invitation.refresh_from_db()
    assert invitation.responded_at is not None


def test_link_is_single_use(survey, supplier):
    [invitation] = send(survey, [ContactFactory(partner=supplier)])
    token = services.invitation_token(invitation)
    services.response_submit(token=token, answers=valid_answers(survey))
    with pytest.raises(services.TokenUsed):
        services.response_submit(token=token, answers=valid_answers(survey, nps=0))
    assert SurveyResponse.objects.count() == 1 and Answer.objects.get(kind="nps").score == 9


def test_expired_link_is_refused(survey, supplier):
    sent = timezone.now() - dt.timedelta(days=22)
    [invitation] = send(survey, [ContactFactory(partner=supplier)], now=sent)
    with pytest.raises(services.TokenExpired):
        services.response_submit(token=services.invitation_token(invitation), answers=valid_answers(survey))
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize("mangle", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: t[:10], lambda t: ""])
def test_tampered_token_is_invalid(survey, supplier, mangle):
    [invitation] = send(survey, [ContactFactory(partner=supplier)])
    with pytest.raises(services.TokenInvalid):
        services.response_submit(token=mangle(services.invitation_token(invitation)), answers=valid_answers(survey))


def test_the_stored_hash_is_not_a_working_token(survey, supplier):
    [invitation] = send(survey, [ContactFactory(partner=supplier)])
    with pytest.raises(services.TokenInvalid):
        services.invitation_for_token(invitation.token_hash)


@pytest.mark.parametrize(
    ("kind", "value"),
    [("nps", -1), ("nps", 11), ("csat", 0), ("csat", 6), ("ces", 0), ("ces", 8), ("nps", "nine"), ("csat", "4.5")],
)
def test_scores_out_of_range_are_refused(survey, supplier, kind, value):
    [invitation] = send(survey, [ContactFactory(partner=supplier)])
    answers = valid_answers(survey)
    question = survey.template.questions.get(kind=kind)
    answers[question.pk] = value
    with pytest.raises(ValidationError) as exc:
        services.response_submit(token=services.invitation_token(invitation), answers=answers)
    assert f"q_{question.pk}" in exc.value.message_dict
    invitation.refresh_from_db()
    assert invitation.responded_at is None  # a refused answer does not use up the link


def test_required_questions_and_text_length(survey, supplier):
    questions = list(survey.template.questions.all())
    nps = next(q for q in questions if q.kind == "nps")
    text = next(q for q in questions if q.kind == "text")
    answers = valid_answers(survey)
    answers[nps.pk] = None
    answers[text.pk] = "x" * 2001
    with pytest.raises(ValidationError) as exc:
        services.answers_validate(questions=questions, answers=answers)
    assert set(exc.value.message_dict) == {f"q_{nps.pk}", f"q_{text.pk}"}
    answers = valid_answers(survey)
    answers[text.pk] = "x" * 2000
    assert services.answers_validate(questions=questions, answers=answers)[text.pk] == "x" * 2000
    answers[text.pk] = ""  # optional
    assert text.pk not in services.answers_validate(questions=questions, answers=answers)


def test_answers_to_another_surveys_questions_are_refused(survey, supplier):
    questions = list(survey.template.questions.all())
    answers = {**valid_answers(survey), 999999: 5}
    with pytest.raises(ValidationError):
        services.answers_validate(questions=questions, answers=answers)


# --- Reminders ---------------------------------------------------------------------------------


def reminder_emails():
    return sorted(OutboundEmail.objects.filter(kind="survey_invitation").values_list("period", flat=True))


def test_reminders_respect_min_days_and_max_and_are_idempotent(survey, supplier, django_capture_on_commit_callbacks):
    start = timezone.now() - dt.timedelta(days=10)
    [invitation] = send(survey, [ContactFactory(partner=supplier)], now=start)
    SurveyInvitation.objects.filter(pk=invitation.pk).update(created_at=start)

    def run(days):
        with django_capture_on_commit_callbacks(execute=True):
            return scan_run("surveys_remind", now=start + dt.timedelta(days=days, hours=1)).effects

    assert run(2) == 0  # under min_days_between (3)
    assert run(3) == 1
    assert run(3) == 0  # the same day again: nothing twice
    assert reminder_emails() == ["r0", "r1"]
    assert run(5) == 0  # only 2 days after the first reminder
    assert run(6) == 1
    assert run(20) == 0  # max_reminders (2) reached
    assert reminder_emails() == ["r0", "r1", "r2"]
    invitation.refresh_from_db()
    assert invitation.reminders_sent == 2


def test_no_reminder_after_answer_or_expiry(survey, supplier):
    start = timezone.now() - dt.timedelta(days=30)
    answered, expired = send(survey, [ContactFactory(partner=supplier), ContactFactory(partner=supplier)], now=start)
    SurveyInvitation.objects.update(created_at=start)
    SurveyInvitation.objects.filter(pk=answered.pk).update(expires_at=timezone.now() + dt.timedelta(days=5))
    services.response_submit(token=services.invitation_token(answered), answers=valid_answers(survey))
    assert scan_run("surveys_remind").effects == 0
    assert reminder_emails() == ["r0", "r0"]


def test_a_duplicate_reminder_task_sends_once(survey, supplier):
    start = timezone.now() - dt.timedelta(days=4)
    [invitation] = send(survey, [ContactFactory(partner=supplier)], now=start)
    SurveyInvitation.objects.filter(pk=invitation.pk).update(created_at=start)
    assert services.invitation_remind(invitation_id=invitation.pk, number=1) == 1
    assert services.invitation_remind(invitation_id=invitation.pk, number=1) == 0
    assert reminder_emails() == ["r0", "r1"]


def test_reminder_repeats_the_same_link(survey, supplier):
    start = timezone.now() - dt.timedelta(days=4)
    [invitation] = send(survey, [ContactFactory(partner=supplier)], now=start)
    SurveyInvitation.objects.filter(pk=invitation.pk).update(created_at=start)
    services.invitation_remind(invitation_id=invitation.pk, number=1)
    token = services.invitation_token(invitation)
    reminder = OutboundEmail.objects.get(period="r1")
    assert token in reminder.body_text and reminder.subject.startswith("Reminder")
