"""Demo data of the associations app (P4.4), for ``seed_demo``: for a few demo associations a
membership (from the registry card's level and expiry date), a position, an event, standards
work and a submission (their projects are seeded by partners/projects/demo.py); and industry
reports shared with departments, some read.

Texts a person typed are in the association's language. Idempotent: an association that has a
membership is left as it is, and a report whose title exists is not shared again."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from crm.demo import EN, ZH, DemoOptions
from crm.models import Department
from partners.models import Family, Partner

from .models import (
    AssociationEvent,
    EventKind,
    EventPurpose,
    IndustryReport,
    Membership,
    Position,
    ReportReceipt,
    StandardRole,
    StandardStage,
    StandardWork,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)
from .services import event_save, membership_save, position_save, record_save, report_share

ASSOCIATIONS = 4  # how many demo associations get the full story

TEXTS = {
    ZH: {
        "level": "理事单位",
        "role": "副会长",
        "topic": "行业数据安全合规研讨",
        "location": "上海国际会议中心",
        "takeaways": "数据出境新规明年起实施，采购合同需增加数据处理条款；建议法务部门提前评估。",
        "standard": "绿色供应链评价团体标准",
        "subject": "原材料价格波动过大，建议建立行业价格监测机制",
        "body": "近半年主要原材料价格波动超过30%，影响中小企业订单交付。建议协会牵头发布月度价格指数。",
        "response": "协会已将该建议纳入下季度工作计划。",
    },
    EN: {
        "level": "Council member",
        "role": "Vice-chair",
        "topic": "Data security compliance in the industry",
        "location": "Conference centre, hall B",
        "takeaways": "New data-transfer rules apply from next year: purchase contracts need a data-processing clause.",
        "standard": "Green supply chain assessment standard",
        "subject": "Raw material prices swing too much: an industry price index would help",
        "body": "Prices of the main raw materials moved over 30% in six months. We propose a monthly price index.",
        "response": "",
    },
}

REPORTS = (
    (
        ZH,
        "2026年行业发展白皮书",
        "中国电子商会",
        "市场趋势, 政策",
        "全面回顾本年度行业规模、细分市场增速与政策变化，预测明年需求增长约8%。",
        ("procurement", "sales"),
    ),
    (
        EN,
        "Industry outlook: supply chain resilience 2026",
        "International Supply Chain Institute",
        "供应链, 技术趋势",
        "How leading manufacturers diversify suppliers; a benchmark of lead times and inventory policy.",
        ("procurement",),
    ),
    (
        ZH,
        "新版产品能效标准解读",
        "全国标准化研究院",
        "标准, 能效",
        "对新版能效标准的主要变化进行解读，包括测试方法与过渡期安排。",
        ("rnd", "quality"),
    ),
)


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def seed(*, rng: random.Random, now: dt.datetime, options: DemoOptions) -> dict[str, int]:
    today = timezone.localdate(now)
    manager = _user("manager")
    staff = _user("staff")
    if manager is None or staff is None:
        return {}
    associations = list(Partner.objects.filter(family=Family.ASSOCIATION, archived_at__isnull=True).order_by("pk"))
    done = 0
    for index, association in enumerate(associations[:ASSOCIATIONS]):
        if association.memberships.exists():
            continue
        lang = ZH if association.preferred_language == ZH else EN
        text = TEXTS[lang]
        ends = association.membership_expires_on or today + dt.timedelta(days=rng.randint(20, 300))
        membership_save(
            membership=Membership(
                association=association,
                level=association.membership_level or text["level"],
                fee=Decimal(rng.choice([5000, 10000, 20000])),
                starts_on=ends - dt.timedelta(days=365),
                ends_on=ends,
            )
        )
        holder = _user(["manager", "staff", "office", "manager2"][index % 4]) or manager
        start = today - dt.timedelta(days=rng.randint(300, 700))
        position_save(
            position=Position(
                association=association,
                role=text["role"],
                person=holder,
                starts_on=start,
                ends_on=start + dt.timedelta(days=730 + 20),
            )
        )
        event_day = today - dt.timedelta(days=rng.randint(5, 120))
        event_save(
            event=AssociationEvent(
                association=association,
                kind=[EventKind.SEMINAR, EventKind.MEETING, EventKind.TRAINING, EventKind.EXHIBITION][index % 4],
                topic=text["topic"],
                purpose=[EventPurpose.POLICY, EventPurpose.TECHNOLOGY][index % 2],
                starts_on=event_day,
                location=text["location"],
                takeaways=text["takeaways"],
            ),
            attendees=[u for u in (staff, holder) if u],
            shared_with=list(Department.objects.filter(code__in=("procurement", "rnd"))),
            by=staff,
        )
        record_save(
            record=StandardWork(
                association=association,
                title=text["standard"],
                our_role=[StandardRole.DRAFTING, StandardRole.REVIEWING, StandardRole.MEMBER][index % 3],
                stage=[StandardStage.DRAFT, StandardStage.CONSULTATION, StandardStage.PUBLISHED][index % 3],
            )
        )
        record_save(
            record=Submission(
                association=association,
                kind=SubmissionKind.PROPOSAL if index % 2 else SubmissionKind.PROBLEM,
                subject=text["subject"],
                body=text["body"],
                sent_on=today - dt.timedelta(days=30),
                status=SubmissionStatus.ANSWERED if text["response"] else SubmissionStatus.SENT,
                response=text["response"],
            )
        )
        done += 1
    reports = 0
    sender = _user("manager")
    for i, (_lang, title, source, topics, summary, departments) in enumerate(REPORTS):
        if IndustryReport.objects.filter(title=title).exists():
            continue
        report = report_share(
            report=IndustryReport(
                association=associations[i] if i < len(associations) else None,
                source_institution=source,
                title=title,
                topics=topics,
                summary=summary,
                published_on=today - dt.timedelta(days=10 * (i + 1)),
                link=f"https://example.com/reports/{i + 1}",
            ),
            departments=list(Department.objects.filter(code__in=departments)),
            people=[],
            by=sender,
        )
        # Some readers have read it already.
        first = report.receipts.order_by("pk").first()
        if first is not None and i != 0:
            ReportReceipt.objects.filter(pk=first.pk).update(read_at=now - dt.timedelta(days=i))
        reports += 1
    return {"associations": done, "industry reports": reports}
