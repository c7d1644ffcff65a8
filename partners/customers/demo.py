"""Demo data of customer care for seed_demo: greeting templates, greetings, gifts, needs
across 24 months (so the summary shows trends), one sent and one draft campaign.

Idempotent: each part runs only while its table is empty (templates and campaigns by
name), so a second run adds nothing. Holidays come from the migration.
"""

# The bilingual data tables below read best one row per line.
# ruff: noqa: E501

from __future__ import annotations

import datetime as dt
import random
import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Case, Q, When
from django.utils import timezone

from crm.demo import DemoOptions
from partners.models import Contact, Family, Partner

from .models import Campaign, CampaignRecipient, Gift, Greeting, GreetingTemplate, Need, NeedTag
from .selectors import CARE_TIERS, care_occasions, gift_needs_approval
from .services import token_hash, unsubscribe_token

TEMPLATES = [
    {
        "name": "Birthday wishes",
        "occasion": "birthday",
        "subject_en": "Happy birthday, {name}!",
        "body_en": "Dear {name},\n\nAll of us wish you a happy birthday and a wonderful year ahead.\n\nWith warm regards",
        "subject_zh": "生日快乐，{name}！",
        "body_zh": "尊敬的{name}：\n\n值此生日之际，谨代表全体同事向您致以最诚挚的祝福，祝您生日快乐、万事如意！",
        "send_email": True,
    },
    {
        "name": "Holiday greetings",
        "occasion": "holiday",
        "subject_en": "Season's greetings to {company}",
        "body_en": "Dear {name},\n\nThank you for your trust and cooperation. We wish you and your family a joyful holiday.",
        "subject_zh": "节日问候",
        "body_zh": "尊敬的{name}：\n\n感谢贵司一直以来的信任与支持，祝您节日快乐，阖家幸福！",
        "send_email": False,
    },
]

# Need topics (English, Chinese) and how their weight moves over 24 months: a rising
# topic, a falling one and steady ones, so the summary's trend has something to show.
TOPICS = [
    ("delivery time", "交期", lambda m: 3 + m / 4),
    ("price", "价格", lambda m: 6 - m / 6),
    ("quality", "质量", lambda m: 4),
    ("after-sales service", "售后服务", lambda m: 2 + (m % 6) / 2),
    ("customisation", "定制化", lambda m: 1 + m / 8),
    ("training", "培训", lambda m: 1.5),
    ("invoicing", "开票", lambda m: 1),
]
NEED_TEXTS = {
    "delivery time": ("Wants shorter lead times on standard items", "希望缩短标准品交期"),
    "price": ("Asks for volume discounts", "要求批量折扣"),
    "quality": ("Wants batch test reports with each delivery", "希望每批附检测报告"),
    "after-sales service": ("Expects an on-site engineer within 48 hours", "希望48小时内工程师上门"),
    "customisation": ("Needs custom packaging for export", "需要出口定制包装"),
    "training": ("Asks for operator training on the new line", "希望为新产线提供操作培训"),
    "invoicing": ("Prefers one consolidated monthly invoice", "希望按月合并开票"),
}
GIFTS = [
    ("Tea gift box", "茶叶礼盒", 380),
    ("Mooncakes", "月饼礼盒", 260),
    ("Business dinner", "商务宴请", 1200),
    ("Fruit basket", "水果篮", 200),
    ("Calligraphy set", "文房四宝", 880),
    ("Industry conference tickets", "行业会议门票", 1500),
]


def seed_care(*, rng: random.Random, today: dt.date, now: dt.datetime) -> dict[str, int]:
    counts = dict.fromkeys(["greeting templates", "greetings", "gifts", "needs", "campaigns"], 0)
    customers = list(
        Partner.objects.filter(family=Family.CUSTOMER, archived_at__isnull=True)
        .order_by("pk")
        .only("pk", "name", "owner_id", "tier", "department_id", "preferred_language")
    )
    if not customers:
        return counts
    for data in TEMPLATES:
        _obj, created = GreetingTemplate.objects.get_or_create(name=data["name"], defaults=data)
        counts["greeting templates"] += created
    if not Greeting.objects.exists():
        counts["greetings"] = _greetings(rng=rng, today=today, now=now)
    if not Gift.objects.exists():
        counts["gifts"] = _gifts(rng=rng, customers=customers, today=today)
    if not Need.objects.exists():
        counts["needs"] = _needs(rng=rng, customers=customers, now=now)
    counts["campaigns"] = _campaigns(rng=rng, now=now)
    return counts


def _greetings(*, rng: random.Random, today: dt.date, now: dt.datetime) -> int:
    """Occasions of the last six weeks (mostly done) and the next days (to send)."""
    rows = care_occasions(start=today - dt.timedelta(days=45), end=today + dt.timedelta(days=10))
    greetings = []
    for o in rows[:40]:
        past = o.date < today
        status = Greeting.Status.TO_SEND
        if past:
            status = rng.choice([Greeting.Status.DONE, Greeting.Status.DONE, Greeting.Status.SKIPPED])
        greetings.append(
            Greeting(
                partner=o.partner,
                contact=o.contact,
                occasion=o.occasion,
                holiday=o.holiday,
                date=o.date,
                status=status,
                done_by_id=o.partner.owner_id if past else None,
                done_at=now - dt.timedelta(days=(today - o.date).days) if past else None,
            )
        )
    Greeting.objects.bulk_create(greetings)
    return len(greetings)


def _gifts(*, rng: random.Random, customers: list[Partner], today: dt.date) -> int:
    important = [p for p in customers if p.tier in CARE_TIERS] or customers
    managers = {
        profile_dept: user_id
        for user_id, profile_dept in User.objects.filter(groups__name="Manager").values_list(
            "pk", "profile__department_id"
        )
    }
    contacts = {}
    for contact_id, partner_id in Contact.objects.filter(partner__in=important).values_list("pk", "partner_id"):
        contacts.setdefault(partner_id, contact_id)
    gifts = []
    for i in range(20):
        partner = rng.choice(important)
        en, zh, base = rng.choice(GIFTS)
        value = Decimal(base + rng.randrange(0, 5) * 20)
        if managers.get(partner.department_id) == partner.owner_id:
            # Nobody approves their own gift (P3.1): keep a manager's own gifts modest.
            value = Decimal(rng.randrange(100, 480, 20))
        zh_partner = partner.preferred_language == "zh-hans"
        gift = Gift(
            partner=partner,
            contact_id=contacts.get(partner.pk),
            description=zh if zh_partner else en,
            value=value,
            direction=Gift.Direction.RECEIVED if i % 7 == 3 else Gift.Direction.GIVEN,
            date=today - dt.timedelta(days=rng.randrange(1, 300)),
            occasion=rng.choice(["Contract signing", "Customer visit", "Trade fair", ""]),
            recorded_by_id=partner.owner_id,
        )
        if gift_needs_approval(value=value, currency=gift.currency):
            manager_id = managers.get(partner.department_id)
            # The most recent ones still wait; older ones were decided.
            if i % 3 == 0 or manager_id is None:
                gift.status = Gift.Status.PENDING
            else:
                gift.status = Gift.Status.APPROVED if i % 4 else Gift.Status.REJECTED
                gift.decided_by_id = manager_id
                gift.decided_at = timezone.now() - dt.timedelta(days=rng.randrange(1, 30))
                gift.decision_note = (
                    "" if gift.status == Gift.Status.APPROVED else "Above the usual value for this customer."
                )
        else:
            gift.status = Gift.Status.NOT_REQUIRED
        gifts.append(gift)
    gifts += _gifts_waiting_for_each_manager(
        managers=managers,
        covered={g.partner.department_id for g in gifts if g.status == Gift.Status.PENDING},
        today=today,
    )
    Gift.objects.bulk_create(gifts)
    return len(gifts)


def _gifts_waiting_for_each_manager(*, managers: dict, covered: set, today: dt.date) -> list[Gift]:
    """Every demo manager has a gift waiting for their approval (their first journey, P3.1):
    one recent gift above the threshold to a partner of their department owned by someone else."""
    waiting = []
    colleague = (
        User.objects.filter(is_active=True, groups__name="Staff").order_by("pk").values_list("pk", flat=True).first()
    )
    for department_id, manager_id in managers.items():
        if department_id is None or department_id in covered:
            continue
        partner = (
            Partner.objects.filter(department_id=department_id, archived_at__isnull=True)
            .order_by(Case(When(owner_id=manager_id, then=1), default=0), "pk")
            .first()
        )
        recorder = partner.owner_id if partner and partner.owner_id != manager_id else colleague
        if partner is None or recorder is None:
            continue
        waiting.append(
            Gift(
                partner=partner,
                description="Tea set for the annual review meeting",
                value=Decimal("880"),
                direction=Gift.Direction.GIVEN,
                date=today - dt.timedelta(days=2),
                occasion="Annual review",
                recorded_by_id=recorder,
                status=Gift.Status.PENDING,
            )
        )
    return waiting


def _needs(*, rng: random.Random, customers: list[Partner], now: dt.datetime) -> int:
    tags = {en: NeedTag.objects.get_or_create(name=en)[0] for en, _zh, _w in TOPICS}
    needs, topics = [], []
    for months_ago in range(24, -1, -1):
        month = 24 - months_ago  # 0 = two years ago
        weights = [w(month) for _en, _zh, w in TOPICS]
        for _ in range(rng.randrange(6, 12)):
            partner = rng.choice(customers)
            chosen = rng.choices(TOPICS, weights=weights)[0]
            second = rng.choices(TOPICS, weights=weights)[0] if rng.random() < 0.3 else None
            en_text, zh_text = NEED_TEXTS[chosen[0]]
            when = now - dt.timedelta(days=30 * months_ago + rng.randrange(0, 28), hours=rng.randrange(0, 8))
            needs.append(
                Need(
                    partner=partner,
                    summary=zh_text if partner.preferred_language == "zh-hans" else en_text,
                    recorded_by_id=partner.owner_id,
                    recorded_at=min(when, now),
                    status=Need.Status.ADDRESSED if months_ago > 6 and rng.random() < 0.6 else Need.Status.OPEN,
                )
            )
            topics.append({chosen[0]} | ({second[0]} if second else set()))
    Need.objects.bulk_create(needs, batch_size=500)
    Through = Need.tags.through
    Through.objects.bulk_create(
        [Through(need_id=n.pk, needtag_id=tags[t].pk) for n, names in zip(needs, topics, strict=True) for t in names],
        batch_size=1000,
    )
    return len(needs)


def _campaigns(*, rng: random.Random, now: dt.datetime) -> int:
    creator = User.objects.filter(groups__name="Manager").order_by("pk").first()
    if creator is None:
        return 0
    created = 0
    sent, made = Campaign.objects.get_or_create(
        name="New product line 2026",
        defaults={
            "subject_en": "Our new product line for {company}",
            "body_en": "Dear {name},\n\nWe are pleased to introduce our new product line. Reply to this email for samples.",
            "subject_zh": "2026年新品发布",
            "body_zh": "{name}您好：\n\n我司新产品系列正式上市，欢迎回复索取样品。",
            "tiers": [1, 2],
            "created_by": creator,
        },
    )
    created += made
    if made:
        # Recorded as sent a month ago; the emails themselves are not generated for the demo.
        contacts = list(
            Contact.objects.filter(
                partner__family=Family.CUSTOMER,
                partner__tier__in=CARE_TIERS,
                partner__archived_at__isnull=True,
                marketing_consent=True,
            )
            .exclude(email="")
            .filter(~Q(partner__status="terminated"))
            .order_by("pk")[:200]
        )
        sent_at = now - dt.timedelta(days=30)
        recipients = []
        for contact in contacts:
            recipient = CampaignRecipient(
                campaign=sent,
                contact=contact,
                email=contact.email,
                language=contact.preferred_language or settings.LANGUAGE_CODE,
                nonce=secrets.token_urlsafe(32),
                queued_at=sent_at,
            )
            recipient.token_hash = token_hash(unsubscribe_token(recipient))
            recipients.append(recipient)
        CampaignRecipient.objects.bulk_create(recipients)
        Campaign.objects.filter(pk=sent.pk).update(status=Campaign.Status.SENT, sent_at=sent_at, sent_by=creator)
    _draft, made = Campaign.objects.get_or_create(
        name="Spring Festival promotion",
        defaults={
            "subject_en": "Spring Festival offer",
            "body_en": "Dear {name},\n\nOrders placed before the holiday get priority delivery.",
            "subject_zh": "春节促销",
            "body_zh": "{name}您好：\n\n节前下单可享优先发货。",
            "created_by": creator,
        },
    )
    return created + made


def seed(*, rng: random.Random, now: dt.datetime, options: DemoOptions) -> dict[str, int]:
    """Registered with crm.demo (partners/apps.py): greetings, gifts, needs, campaigns."""
    return seed_care(rng=rng, today=now.date(), now=now)
