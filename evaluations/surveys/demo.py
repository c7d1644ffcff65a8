"""Demo data of the satisfaction surveys, called by ``seed_demo``: two years of quarterly
survey responses of suppliers, customers, partners and associations (so the results page
shows trends and a year-over-year comparison), written in bulk (there are thousands of
answers). Each survey is about a real quarter (periods.py) and titled in both languages.
Idempotent: a second run adds nothing (a survey is found by template and quarter). The
service cases seed their own demo data (partners/cases/demo.py).
"""

from __future__ import annotations

import datetime as dt
import random
import secrets

from django.contrib.auth.models import User
from django.utils import timezone, translation

from crm.demo import DemoOptions
from partners.models import Contact, Family

from . import periods, services
from .models import (
    Answer,
    QuestionKind,
    Survey,
    SurveyInvitation,
    SurveyResponse,
    SurveyTemplate,
)

QUARTERS = 8  # two years of quarterly surveys
INVITES_PER_SURVEY = 14
# family → (template, its name in Chinese for the bilingual title)
SURVEY_FAMILIES = {
    Family.SUPPLIER: ("Supplier satisfaction", "供应商满意度"),
    Family.CUSTOMER: ("Customer satisfaction", "客户满意度"),
    Family.PARTNER: ("Partner satisfaction", "合作伙伴满意度"),
    Family.ASSOCIATION: ("Association satisfaction", "行业协会满意度"),
}


def _quarters(today: dt.date, count: int) -> list[periods.Period]:
    """The last ``count`` quarters, oldest first."""
    out = [periods.quarter_of(today)]
    while len(out) < count:
        out.insert(0, periods.quarter_of(out[0].start - dt.timedelta(days=1)))
    return out


def demo_title(name_en: str, name_zh: str, period: periods.Period) -> tuple[str, str]:
    """("Customer satisfaction 2025-Q1", "客户满意度 2025年第一季度")."""
    with translation.override("zh-hans"):
        zh = period.display()
    return f"{name_en} {period.label}", f"{name_zh} {zh}"


def _score(rng: random.Random, kind: str, mood: float) -> int:
    """A score of ``kind`` around ``mood`` (0 unhappy … 1 delighted)."""
    low, high = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}[kind]
    value = rng.gauss(low + mood * (high - low), (high - low) * 0.2)
    return max(low, min(high, round(value)))


COMMENTS = {
    "en": ["Fast answers, thank you.", "Delivery times could be more reliable.", "Very helpful account manager."],
    "zh-hans": ["响应很快，谢谢。", "交货时间希望更稳定。", "客户经理很专业。"],
}


def seed_surveys(*, rng: random.Random, now: dt.datetime) -> int:
    """Quarterly surveys per family for two years; returns the responses created."""
    manager = User.objects.filter(groups__name="Manager").order_by("pk").first()
    if manager is None:
        return 0
    created = 0
    tz_now = timezone.localtime(now)
    for family, (template_name, name_zh) in SURVEY_FAMILIES.items():
        template = SurveyTemplate.objects.filter(name=template_name).first()
        if template is None:
            continue
        questions = list(template.questions.all())
        contacts = list(
            Contact.objects.filter(partner__family=family, partner__archived_at__isnull=True)
            .exclude(email="")
            .select_related("partner")
            .order_by("pk")[:200]
        )
        if not contacts:
            continue
        done = set(
            Survey.objects.filter(template=template, family=family, after_case=False).values_list(
                "period_kind", "period_start"
            )
        )
        for number, period in enumerate(_quarters(tz_now.date(), QUARTERS)):
            if (period.kind, period.start) in done:
                continue
            sent = timezone.make_aware(dt.datetime.combine(period.start + dt.timedelta(days=14), dt.time(10)))
            if sent > now:
                continue
            title, title_zh = demo_title(template_name, name_zh, period)
            survey = Survey.objects.create(
                template=template,
                title=title,
                title_zh=title_zh,
                family=family,
                period=period,
                created_by=manager,
                sent_at=sent,
            )
            # Satisfaction improves over the two years, with some noise per quarter.
            mood = 0.55 + 0.3 * number / QUARTERS + rng.uniform(-0.05, 0.05)
            created += _survey_rows(
                rng, survey, questions, rng.sample(contacts, min(INVITES_PER_SURVEY, len(contacts))), sent, mood
            )
    return created


def _survey_rows(rng, survey, questions, contacts, sent, mood) -> int:
    invitations = []
    for contact in contacts:
        nonce = secrets.token_urlsafe(32)
        invitation = SurveyInvitation(
            survey=survey,
            partner=contact.partner,
            contact=contact,
            email=contact.email,
            language=services.contact_language(contact),
            family=contact.partner.family,
            department_id=contact.partner.department_id,
            nonce=nonce,
            token_hash="-",
            expires_at=sent + dt.timedelta(days=survey.expires_after_days),
        )
        invitation.copy_period(survey)
        invitation.token_hash = services.token_hash(services.invitation_token(invitation))
        if rng.random() < 0.65:
            invitation.responded_at = sent + dt.timedelta(days=rng.randint(0, 12), hours=rng.randint(1, 8))
        invitations.append(invitation)
    SurveyInvitation.objects.bulk_create(invitations)
    responses = [
        SurveyResponse.for_invitation(inv, submitted_at=inv.responded_at) for inv in invitations if inv.responded_at
    ]
    SurveyResponse.objects.bulk_create(responses)
    answers = []
    for response in responses:
        personal = min(1.0, max(0.0, mood + rng.uniform(-0.25, 0.2)))
        for question in questions:
            if question.kind == QuestionKind.TEXT:
                if rng.random() < 0.3:
                    text = rng.choice(COMMENTS["zh-hans" if response.language.startswith("zh") else "en"])
                    answers.append(Answer(response=response, question=question, kind=question.kind, text=text))
                continue
            answers.append(
                Answer(
                    response=response, question=question, kind=question.kind, score=_score(rng, question.kind, personal)
                )
            )
    Answer.objects.bulk_create(answers)
    return len(responses)


def seed_automations(*, rng: random.Random, now: dt.datetime, options: DemoOptions) -> dict[str, int]:
    """Runs after the demo cases: the demo shows the optional automations from now on (not
    for the past cases): a survey after each closed customer case, a complaint opened by a
    low customer score."""
    SurveyTemplate.objects.filter(name="Customer satisfaction").update(send_after_case=True, low_score_opens_case=True)
    return {}


def seed(*, rng: random.Random, now: dt.datetime, options: DemoOptions) -> dict[str, int]:
    """Registered with crm.demo (evaluations/surveys/apps.py)."""
    return {"survey responses": seed_surveys(rng=rng, now=now)}
