"""Writes of the satisfaction surveys (P4.1.3, P4.2.3, P5.2): send, remind, answer.

Links: each invitation has a random ``nonce``; the link's token is an HMAC of it under the
SECRET_KEY, and only the token's SHA-256 is stored. A copy of the database therefore
opens no survey, yet a reminder can repeat the same link (the token is derived again
from the nonce). Rotating SECRET_KEY invalidates the links still open.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from crm.bilingual import in_both_languages
from crm.links import base_url
from crm.models import OutboundEmail
from crm.notifications import email_store, object_ref
from partners.cases.models import Case, CaseChannel, CaseKind, Priority
from partners.cases.services import case_open, case_survey_sent
from partners.models import Contact, Partner
from partners.selectors import contact_language

from . import periods
from .metrics import is_low_score
from .models import (
    SCALES,
    TEXT_MAX_LENGTH,
    Answer,
    Question,
    QuestionKind,
    Survey,
    SurveyInvitation,
    SurveyResponse,
    SurveyTemplate,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The salt predates the move out of the supervision app: changing it would void every link sent.
TOKEN_SALT = "supervision.survey-invitation"
TOKEN_MAX_LENGTH = 100
EMAIL_KIND = "survey_invitation"


# --- Tokens ------------------------------------------------------------------------------


def invitation_token(invitation: SurveyInvitation) -> str:
    """The secret of the invitation's link (derived, never stored)."""
    digest = salted_hmac(TOKEN_SALT, invitation.nonce, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(invitation: SurveyInvitation) -> str:
    base = base_url()
    return base + reverse("surveys:respond", kwargs={"token": invitation_token(invitation)})


class TokenError(Exception):
    """Base of what a survey link can fail with; the page says which, and nothing else, in
    the invitation's language when the link was a real one (``language``)."""

    def __init__(self, language: str = ""):
        super().__init__(language)
        self.language = language


class TokenInvalid(TokenError):
    pass


class TokenExpired(TokenError):
    pass


class TokenUsed(TokenError):
    pass


def invitation_for_token(token: str, *, now: dt.datetime | None = None) -> SurveyInvitation:
    """The open invitation of a link, or TokenInvalid / TokenUsed / TokenExpired."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        raise TokenInvalid
    invitation = (
        SurveyInvitation.objects.select_related("survey", "survey__template")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitation is None:
        raise TokenInvalid
    if invitation.responded_at is not None:
        raise TokenUsed(invitation.language)
    if invitation.expires_at <= (now or timezone.now()):
        raise TokenExpired(invitation.language)
    return invitation


# --- Emails to contacts --------------------------------------------------------------------


def contact_email_enqueue(
    *, to_address: str, language: str, kind: str, obj_ref: str, period: str, template: str, context: dict
) -> OutboundEmail | None:
    """An email to someone who is not a user (a contact): unique per (kind, object, period)
    (constraint ``email_once_external``); None when it already exists."""
    return email_store(
        recipient=None,
        to_address=to_address,
        language=language,
        kind=kind,
        obj_ref=obj_ref,
        period=period,
        template=template,
        context=context,
    )


def invitation_email(*, invitation: SurveyInvitation, number: int) -> OutboundEmail | None:
    """The invitation (number 0) or its n-th reminder, in the invitation's language."""
    questions = invitation.survey.template.questions.count()
    return contact_email_enqueue(
        to_address=invitation.email,
        language=invitation.language,
        kind=EMAIL_KIND,
        obj_ref=object_ref(invitation),
        period=f"r{number}",
        template="survey_invitation",
        context={
            "survey": invitation.survey,
            "contact_name": invitation.contact.name if invitation.contact else "",
            "link": invitation_url(invitation),
            "expires_at": invitation.expires_at,
            "reminder": number,
            "questions": questions,
        },
    )


# --- Sending -----------------------------------------------------------------------------


def invitation_create(
    *, survey: Survey, contact: Contact, now: dt.datetime, case_ref: str = ""
) -> SurveyInvitation | None:
    """One contact's invitation and its email; None when the contact has no address or was
    already invited to this survey."""
    if not contact.email:
        return None
    partner = contact.partner
    try:
        with transaction.atomic():
            invitation = SurveyInvitation.objects.create(
                survey=survey,
                partner=partner,
                contact=contact,
                email=contact.email,
                language=contact_language(contact),
                family=partner.family,
                department_id=partner.department_id,
                period_kind=survey.period_kind,
                period_start=survey.period_start,
                period_end=survey.period_end,
                period_note=survey.period_note,
                case_ref=case_ref,
                nonce=secrets.token_urlsafe(32),
                token_hash="-",  # set below, once the nonce is known
                expires_at=now + dt.timedelta(days=survey.expires_after_days),
            )
            invitation.token_hash = token_hash(invitation_token(invitation))
            invitation.save(update_fields=["token_hash"])
    except IntegrityError:
        return None
    invitation_email(invitation=invitation, number=0)
    return invitation


@transaction.atomic
def survey_send(
    *, survey: Survey, contacts: Iterable[Contact], now: dt.datetime | None = None
) -> list[SurveyInvitation]:
    """Invite each contact once (a second sending to the same contact is skipped)."""
    now = now or timezone.now()
    invitations = [
        invitation
        for contact in contacts
        if (invitation := invitation_create(survey=survey, contact=contact, now=now)) is not None
    ]
    if invitations and survey.sent_at is None:
        survey.sent_at = now
        survey.save(update_fields=["sent_at", "updated_at"])
    return invitations


# --- Reminders -----------------------------------------------------------------------------


def invitation_reminder_due(invitation: SurveyInvitation, *, now: dt.datetime) -> int | None:
    """The number of the reminder due now (1, 2, ...), or None."""
    survey = invitation.survey
    if invitation.responded_at is not None or invitation.expires_at <= now or survey.sent_at is None:
        return None
    if invitation.reminders_sent >= survey.max_reminders:
        return None
    last = invitation.last_reminded_at or invitation.created_at
    if now - last < dt.timedelta(days=survey.min_days_between):
        return None
    return invitation.reminders_sent + 1


@transaction.atomic
def invitation_remind(*, invitation_id: int, number: int, now: dt.datetime | None = None) -> int:
    """Send reminder ``number`` to a non-responder, once: the claim is a conditional update
    on ``reminders_sent`` and the email's key includes the number. Returns effects (0/1)."""
    now = now or timezone.now()
    invitation = (
        SurveyInvitation.objects.select_related("survey", "survey__template", "contact")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation_reminder_due(invitation, now=now) != number:
        return 0
    claimed = SurveyInvitation.objects.filter(
        pk=invitation_id, reminders_sent=number - 1, responded_at__isnull=True
    ).update(reminders_sent=number, last_reminded_at=now)
    if not claimed:
        return 0
    return int(invitation_email(invitation=invitation, number=number) is not None)


# --- Answering -----------------------------------------------------------------------------


def answers_validate(*, questions: Iterable[Question], answers: dict[int, object]) -> dict[int, int | str]:
    """Check every answer (range of its kind, required, text length); returns the clean
    values of the answered questions or raises ValidationError keyed by question id."""
    errors: dict[str, list[str]] = {}
    clean: dict[int, int | str] = {}
    for question in questions:
        raw = answers.get(question.pk)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if question.required:
                errors[f"q_{question.pk}"] = [_("Please answer this question.")]
            continue
        if question.kind == QuestionKind.TEXT:
            text = str(raw).strip()
            if len(text) > TEXT_MAX_LENGTH:
                errors[f"q_{question.pk}"] = [
                    _("Please keep your answer under %(max)d characters.") % {"max": TEXT_MAX_LENGTH}
                ]
                continue
            clean[question.pk] = text
            continue
        low, high = SCALES[question.kind]
        try:
            score = int(str(raw).strip())
        except (TypeError, ValueError):
            score = None
        if score is None or not low <= score <= high:
            errors[f"q_{question.pk}"] = [_("Choose a value from %(low)d to %(high)d.") % {"low": low, "high": high}]
            continue
        clean[question.pk] = score
    unknown = set(answers) - {q.pk for q in questions}
    if unknown:
        errors["__all__"] = [_("The answers do not match this survey.")]
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def response_submit(
    *, token: str, answers: dict[int, object], language: str = "", now: dt.datetime | None = None
) -> SurveyResponse:
    """Store the answers of a survey link, once (P4.1.3, P4.2.3).

    Raises TokenInvalid / TokenUsed / TokenExpired, or ValidationError for bad answers.
    Single use is enforced by a conditional update, so two racing submissions store one.
    """
    now = now or timezone.now()
    invitation = invitation_for_token(token, now=now)
    questions = list(invitation.survey.template.questions.all())
    clean = answers_validate(questions=questions, answers=answers)
    claimed = SurveyInvitation.objects.filter(pk=invitation.pk, responded_at__isnull=True).update(responded_at=now)
    if not claimed:
        raise TokenUsed(invitation.language)
    response = SurveyResponse.for_invitation(invitation, submitted_at=now, language=language)
    response.save()
    by_id = {q.pk: q for q in questions}
    Answer.objects.bulk_create(
        Answer(
            response=response,
            question_id=pk,
            kind=by_id[pk].kind,
            score=value if isinstance(value, int) else None,
            text=value if isinstance(value, str) else "",
        )
        for pk, value in clean.items()
    )
    case_from_low_score(response=response, now=now)
    return response


def survey_create(*, created_by: User, **fields) -> Survey:
    """A new survey (not sent yet); fields come from SurveyForm.cleaned_data."""
    return Survey.objects.create(created_by=created_by, **fields)


# --- Surveys after a case, cases from low scores ---------------------------------------------


def case_survey_send(*, case: Case, user: User, now: dt.datetime):
    """Invite the case's contact to the family's after-case survey, when a template asks
    for it (``send_after_case``). One survey per template, family and quarter holds these
    invitations; a contact is invited at most once per quarter. Returns the invitation."""
    if case.contact is None or not case.contact.email:
        return None
    template = (
        SurveyTemplate.objects.filter(is_active=True, send_after_case=True)
        .filter(Q(family=case.family) | Q(family=""))
        .order_by("-family", "pk")
        .first()
    )
    if template is None:
        return None
    period = periods.quarter_of(timezone.localdate(now))
    survey, _created = Survey.objects.get_or_create(
        template=template,
        family=case.family,
        period_kind=period.kind,
        period_start=period.start,
        after_case=True,
        defaults={
            "period_end": period.end,
            "title": f"{template.name} ({period.label})",
            "title_zh": f"{template.name_zh} ({period.label})" if template.name_zh else "",
            "created_by": user,
            "sent_at": now,
        },
    )
    invitation = invitation_create(survey=survey, contact=case.contact, now=now, case_ref=case.reference)
    if invitation is not None:
        case_survey_sent(case=case, to_address=invitation.email, now=now)
    return invitation


def case_from_low_score(*, response: SurveyResponse, now: dt.datetime) -> Case | None:
    """Open a complaint for a low score when the survey's template asks for it (P4.2.3)."""
    template = response.survey.template
    if not template.low_score_opens_case:
        return None
    answers = list(response.answers.select_related("question"))
    low = [a for a in answers if is_low_score(a.kind, a.score)]
    if not low:
        return None
    partner = Partner.objects.select_related("owner").get(pk=response.partner_id)
    about = Case.objects.filter(reference=response.case_ref).first() if response.case_ref else None
    # Written for readers of either language: staff in Chinese and in English work this case.
    lines = [
        f"{in_both_languages(a.question.prompt_en, a.question.prompt_zh)}: {a.score if a.score is not None else a.text}"
        for a in answers
    ]
    survey = response.survey
    with translation.override("en"):
        english = _("Low satisfaction score: %(survey)s") % {"survey": survey.title}
    with translation.override("zh-hans"):
        chinese = _("Low satisfaction score: %(survey)s") % {"survey": survey.title_zh or survey.title}
    subject = in_both_languages(english, chinese)
    return case_open(
        kind=CaseKind.COMPLAINT,
        channel=CaseChannel.SURVEY,
        priority=Priority.HIGH,
        subject=subject[:200],
        description="\n".join(lines)[:5000],
        partner=partner,
        contact=response.contact,
        language=response.language,
        survey_response=response,
        about_case=about,
        now=now,
    )
