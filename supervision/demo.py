"""Demo data of the supervision app, called by ``seed_demo``: two years of satisfaction
survey responses (so the results page shows trends) and a year of service cases (so the
case list and the SLA report have something to show). Idempotent: a second run adds
nothing.

Survey rows are written in bulk (there are thousands of answers); cases go through the
services with past timestamps, so their timelines and deadlines are exactly what the
application would have recorded.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets

from django.contrib.auth.models import User
from django.utils import timezone

from partners.models import Contact, Family

from . import services
from .models import (
    Answer,
    Case,
    CaseStatus,
    Priority,
    QuestionKind,
    Survey,
    SurveyInvitation,
    SurveyResponse,
    SurveyTemplate,
)

QUARTERS = 8  # two years of quarterly surveys
INVITES_PER_SURVEY = 14
CASES = 60  # at least; one per ten partners on bigger demo sets
SURVEY_FAMILIES = {
    Family.SUPPLIER: "Supplier satisfaction",
    Family.CUSTOMER: "Customer satisfaction",
    Family.PARTNER: "Partner satisfaction",
}
DEMO_TITLE = "{template} {period}"

CASE_SUBJECTS = {
    Family.SUPPLIER: [
        ("issue", "Drawing revision not received"),
        ("request", "Request to extend payment terms"),
        ("issue", "Quality certificate missing from shipment"),
        ("request", "Forecast for next quarter needed"),
        ("issue", "Purchase order quantity mismatch"),
    ],
    Family.CUSTOMER: [
        ("complaint", "Delivery arrived two days late"),
        ("complaint", "Invoice amount does not match the quote"),
        ("request", "Please send the updated price list"),
        ("suggestion", "Offer a self-service order tracking page"),
        ("complaint", "Damaged packaging on the last order"),
        ("request", "Need a product training session"),
    ],
    Family.PARTNER: [
        ("request", "Joint marketing materials for the trade fair"),
        ("issue", "Shared lead was contacted twice"),
    ],
    Family.ASSOCIATION: [("request", "Speaker needed for the annual meeting")],
}


def _quarters(today: dt.date, count: int) -> list[tuple[str, dt.date]]:
    """The last ``count`` quarters, oldest first: ("2025-Q1", first day)."""
    index = today.year * 4 + (today.month - 1) // 3
    out = []
    for i in range(index - count + 1, index + 1):
        year, q = divmod(i, 4)
        out.append((f"{year}-Q{q + 1}", dt.date(year, q * 3 + 1, 1)))
    return out


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
    for family, template_name in SURVEY_FAMILIES.items():
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
        for number, (period, start) in enumerate(_quarters(tz_now.date(), QUARTERS)):
            title = DEMO_TITLE.format(template=template_name, period=period)
            if Survey.objects.filter(title=title, template=template).exists():
                continue
            sent = timezone.make_aware(dt.datetime.combine(start + dt.timedelta(days=14), dt.time(10)))
            if sent > now:
                continue
            survey = Survey.objects.create(
                template=template, title=title, family=family, period=period, created_by=manager, sent_at=sent
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
            period=survey.period,
            nonce=nonce,
            token_hash="-",
            expires_at=sent + dt.timedelta(days=survey.expires_after_days),
        )
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


def seed_cases(*, rng: random.Random, now: dt.datetime) -> int:
    """About a year of cases in every state; returns the cases created."""
    from partners.models import Partner

    missing = max(CASES, Partner.objects.count() // 10) - Case.objects.count()
    if missing <= 0:
        return 0
    contacts_by_family: dict[str, list[Contact]] = {}
    for contact in (
        Contact.objects.filter(partner__archived_at__isnull=True, partner__owner__is_active=True)
        .select_related("partner", "partner__owner")
        .order_by("pk")[:600]
    ):
        contacts_by_family.setdefault(contact.partner.family, []).append(contact)
    weights = {Family.CUSTOMER: 5, Family.SUPPLIER: 4, Family.PARTNER: 1, Family.ASSOCIATION: 1}
    families = [f for f in weights if contacts_by_family.get(f)]
    if not families:
        return 0
    created = 0
    # The demo logins (staff, staff2) own some of the newest cases, so their dashboards and
    # "assigned to me" lists show work to do.
    demo_owned = [
        c for cs in contacts_by_family.values() for c in cs if c.partner.owner.username in ("staff", "staff2")
    ]
    for i in range(missing):
        family = rng.choices(families, weights=[weights[f] for f in families])[0]
        contact = rng.choice(contacts_by_family[family])
        if i % 6 == 0 and demo_owned:
            contact = rng.choice(demo_owned)
            family = contact.partner.family
        kind, subject = rng.choice(CASE_SUBJECTS[family])
        # Spread over the past year; the newest ones are still open.
        age_hours = rng.uniform(2, 24 * 360) if i % 6 else rng.uniform(1, 60)
        opened = now - dt.timedelta(hours=age_hours)
        priority = rng.choices(list(Priority), weights=[2, 6, 3, 1])[0]
        web = kind in ("complaint", "suggestion") and rng.random() < 0.25
        case = services.case_open(
            partner=contact.partner,
            contact=contact,
            kind=kind,
            channel="web_form" if web else rng.choice(["phone", "email", "chat", "visit"]),
            priority=priority,
            subject=subject,
            description=subject + ".",
            created_by=None if web else contact.partner.owner,
            now=opened,
        )
        _play(rng, case, contact.partner.owner, opened, now)
        created += 1
    return created


def _play(rng: random.Random, case: Case, user: User, opened: dt.datetime, now: dt.datetime) -> None:
    """Move a case along its workflow; about one in six misses a deadline."""
    response_window = (case.response_due_at - opened).total_seconds() / 3600
    resolution_window = (case.resolution_due_at - opened).total_seconds() / 3600
    late = rng.random() < 0.17
    respond_at = opened + dt.timedelta(hours=response_window * (rng.uniform(1.1, 2) if late else rng.uniform(0.1, 0.9)))
    if respond_at >= now:
        return  # still new
    services.case_note_add(
        case=case, user=user, kind="reply", body="Thank you, we are looking into it.", now=respond_at, email=False
    )
    services.case_transition(case=case, user=user, to_status=CaseStatus.IN_PROGRESS, now=respond_at)
    resolve_at = opened + dt.timedelta(
        hours=resolution_window * (rng.uniform(1.05, 1.6) if late else rng.uniform(0.2, 0.95))
    )
    if resolve_at >= now:
        return  # in progress
    services.case_transition(
        case=case, user=user, to_status=CaseStatus.RESOLVED, resolution="Solved with the partner.", now=resolve_at
    )
    close_at = resolve_at + dt.timedelta(days=rng.randint(1, 5))
    if close_at < now:
        services.case_transition(case=case, user=user, to_status=CaseStatus.CLOSED, now=close_at)


def seed_supervision(*, rng: random.Random, now: dt.datetime) -> dict[str, int]:
    counts = {"survey responses": seed_surveys(rng=rng, now=now), "cases": seed_cases(rng=rng, now=now)}
    # The demo shows the optional automations from now on (not for the past cases above):
    # a survey after each closed customer case, a complaint opened by a low customer score.
    SurveyTemplate.objects.filter(name="Customer satisfaction").update(send_after_case=True, low_score_opens_case=True)
    return counts
