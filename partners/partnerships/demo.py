"""Demo prospects of the partner family at every stage of the pipeline (P4.3.1), for ``seed_demo``.

This seeder (order 20) registers the prospects as candidates and rejects the one turned down
before any assessment. The scorecards' seeder (``evaluations.demo.assessments``, order 35)
assesses the others on the partner assessment scorecard and moves them to their stage: the
pipeline gates "assessed" and "active" on a completed assessment, which that app owns.
Texts a person typed (notes, reasons, evidence) are in the prospect's language. Idempotent: a
prospect that exists is left as it is.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.models import User

from crm.demo import EN, ZH, DemoOptions
from crm.models import Department
from partners.models import Contact, Family, Interaction, Partner, PartnerKind, Status
from partners.services import contact_save, interaction_log, partner_create

from .models import Partnership, Stage
from .services import partnership_move


@dataclass(frozen=True)
class Prospect:
    name: str
    lang: str
    kind: str
    industry: str
    region: str
    department: str  # code
    owner: str  # username of a demo user of that department
    stage: str  # where the demo leaves it
    days_ago: int  # when it was identified
    scope: str  # what we would cooperate on
    # 1–5 per criterion of the partner assessment (industry position, technical strength, market
    # channels, corporate culture), with the evaluator's evidence; empty: not assessed yet.
    ratings: tuple[int, ...] = ()
    evidence: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # one per move after "identified", in order
    reason: str = ""  # why it was rejected
    assessment_open: bool = False  # an assessment in progress (a draft sheet)
    contact: tuple[str, str] = ("", "")  # their person we talk to: name, title


# fmt: off
PROSPECTS = (
    Prospect(
        "杭州灵犀智能科技有限公司", ZH, PartnerKind.TECHNOLOGY, "人工智能", "浙江 · 杭州", "procurement", "staff",
        Stage.IDENTIFIED, 12, "视觉质检算法联合开发", assessment_open=True,
        ratings=(4, 5), evidence=("细分领域头部企业，客户包括多家上市公司。", "拥有 30 余项视觉算法专利。"),
        contact=("周婷", "商务拓展总监"),
    ),
    Prospect(
        "Nordlicht Sensorik GmbH", EN, PartnerKind.TECHNOLOGY, "Sensors", "Germany · Munich", "rnd", "rnd",
        Stage.IDENTIFIED, 5, "Joint development of a low-power humidity sensor",
        contact=("Anna Keller", "Head of Partnerships"),
    ),
    Prospect(
        "苏州新材研究院有限公司", ZH, PartnerKind.TECHNOLOGY, "新材料", "江苏 · 苏州", "procurement", "staff",
        Stage.ASSESSED, 60, "轻量化复合材料的联合研发",
        ratings=(3, 5, 2, 4),
        evidence=("在复合材料领域有一定知名度。", "研发团队 80 人，承担过国家重点研发项目。",
                  "以科研合作为主，市场渠道有限。", "重视长期合作，沟通坦诚。"),
        notes=("评估已完成，技术实力突出，建议进入洽谈。",),
        contact=("陈志远", "副院长"),
    ),
    Prospect(
        "Harbour Bridge Distribution Ltd.", EN, PartnerKind.MARKET, "Distribution", "United Kingdom · Leeds", "sales",
        "staff2", Stage.ASSESSED, 45, "Distribution of our product line in the UK and Ireland",
        ratings=(4, 2, 5, 4),
        evidence=("Top-three distributor for industrial parts in the UK.", "Little engineering capacity of their own.",
                  "Covers 1,200 resellers and two marketplaces.", "Open books; shared our values in every meeting."),
        notes=("Assessment closed: strong channels, limited technology. Worth negotiating.",),
        contact=("Oliver Grant", "Commercial Director"),
    ),
    Prospect(
        "深圳云帆物流科技有限公司", ZH, PartnerKind.MARKET, "物流", "广东 · 深圳", "sales", "staff2",
        Stage.NEGOTIATING, 90, "华南区域联合仓配与市场推广",
        ratings=(4, 3, 5, 4),
        evidence=("华南地区领先的第三方物流企业。", "自研仓储管理系统，能力满足当前需要。",
                  "覆盖华南 300 多家经销商。", "管理层重视诚信经营，价值观契合。"),
        notes=("评估结论良好，进入洽谈。", "已发送合作框架协议草案，等待对方法务意见。"),
        contact=("林晓", "市场部经理"),
    ),
    Prospect(
        "Meridian Data Alliance Inc.", EN, PartnerKind.STRATEGIC, "Data services", "United States · Austin",
        "procurement", "staff", Stage.NEGOTIATING, 120, "Shared supply-chain data platform",
        ratings=(5, 4, 4, 3),
        evidence=("Recognised leader in supply-chain data.", "Strong data engineering team, several patents.",
                  "Brings 40 enterprise customers in our markets.", "Different pace of decision-making; workable."),
        notes=("Good result on every criterion.", "Term sheet under discussion: data ownership and revenue share."),
        contact=("Priya Natarajan", "VP Alliances"),
    ),
    Prospect(
        "上海联拓资源共享平台有限公司", ZH, PartnerKind.RESOURCE_SHARING, "工业互联网", "上海", "marketing",
        "marketing", Stage.ACTIVE, 200, "共享检测设备与培训资源",
        ratings=(4, 4, 4, 5),
        evidence=("长三角工业互联网平台的主要运营方之一。", "平台技术成熟，运维团队完整。",
                  "连接 500 多家制造企业。", "合作意愿强，重视互利共赢。"),
        notes=("评估通过。", "合作条款基本谈妥。", "合作协议已签署，正式开始合作。"),
        contact=("吴昊", "合作发展部负责人"),
    ),
    Prospect(
        "Alpine Robotics AG", EN, PartnerKind.TECHNOLOGY, "Robotics", "Switzerland · Zurich", "rnd", "rnd",
        Stage.REJECTED, 150, "Co-developed picking robots for our warehouses",
        ratings=(2, 3, 1, 2),
        evidence=("Start-up with little market presence.", "Promising prototype, no production experience.",
                  "No sales channels in Asia.", "Exclusive terms requested from the first meeting."),
        reason="Assessment below our threshold: no channels in our markets and exclusivity demanded up front.",
        contact=("Lukas Meier", "Co-founder"),
    ),
    Prospect(
        "成都锦程渠道发展有限公司", ZH, PartnerKind.MARKET, "分销", "四川 · 成都", "sales", "staff2",
        Stage.REJECTED, 30, "西南地区渠道合作",
        reason="对方主营业务与我方产品线不匹配，且近期有多起合同纠纷，暂不合作。",
        contact=("张强", "总经理"),
    ),
)
# fmt: on

# The meeting where each prospect was identified, in its language.
FIRST_MEETING = {
    ZH: ("初次洽谈：了解合作意向", "介绍双方业务，探讨合作方向：%(scope)s。"),
    EN: (
        "First meeting: what a cooperation could be",
        "Both sides presented their business; possible scope: %(scope)s.",
    ),
}


def prospect_owner(spec: Prospect) -> User | None:
    return User.objects.filter(username=spec.owner, is_active=True).first()


def prospect_mover(partner: Partner) -> User | None:
    """Who moves a prospect in the demo: a manager of its department, else a superuser."""
    manager = (
        User.objects.filter(is_active=True, groups__name="Manager", profile__department_id=partner.department_id)
        .order_by("pk")
        .first()
    )
    return manager or User.objects.filter(is_active=True, is_superuser=True).order_by("pk").first()


def backdate_steps(partner: Partner, moments: list[dt.datetime]) -> None:
    """Date the pipeline's history records (oldest first) and the current stage like the demo's
    story, not the moment the seeder ran."""
    history = Partnership.history.model
    records = list(history.objects.filter(partner_id=partner.pk).order_by("history_date", "history_id"))
    for record, moment in zip(records, moments, strict=False):
        history.objects.filter(history_id=record.history_id).update(history_date=moment)
    if records and moments:
        Partnership.objects.filter(partner=partner).update(moved_at=moments[min(len(records), len(moments)) - 1])


def step_moments(spec: Prospect, now: dt.datetime, steps: int) -> list[dt.datetime]:
    """``steps`` + 1 moments from the day it was identified to a few days ago, evenly spread."""
    start = now - dt.timedelta(days=spec.days_ago)
    end = now - dt.timedelta(days=min(3, spec.days_ago))
    if steps == 0:
        return [start]
    return [start + (end - start) * i / steps for i in range(steps + 1)]


def seed(*, rng: random.Random, now: dt.datetime, options: DemoOptions) -> dict[str, int]:
    """Registered with crm.demo (apps.py): the prospects, and the early rejection."""
    departments = {d.code: d for d in Department.objects.all()}
    created = 0
    for spec in PROSPECTS:
        owner = prospect_owner(spec)
        if owner is None or spec.department not in departments:
            continue
        if Partner.objects.filter(name__iexact=spec.name, family=Family.PARTNER).exists():
            continue
        partner = partner_create(
            family=Family.PARTNER,
            data={
                "name": spec.name,
                "kind": spec.kind,
                "status": Status.CANDIDATE,
                "owner": owner,
                "department": departments[spec.department],
                "industry": spec.industry,
                "region": spec.region,
                "cooperation_scope": spec.scope,
                "preferred_language": spec.lang,
            },
            tag_names=[],
            created_by=owner,
        )
        identified = now - dt.timedelta(days=spec.days_ago)
        Partner.objects.filter(pk=partner.pk).update(created_at=identified)
        Partner.history.filter(id=partner.pk).update(history_date=identified, history_user=owner)
        person, title = spec.contact
        contact_save(
            contact=Contact(
                partner=partner,
                name=person,
                title=title,
                email=f"partners{partner.pk}@prospect.example",
                preferred_language=spec.lang,
                is_primary=True,
            )
        )
        subject, summary = FIRST_MEETING[spec.lang]
        interaction_log(
            partner=partner,
            author=owner,
            data={
                "kind": Interaction.Kind.MEETING,
                "occurred_at": identified + dt.timedelta(days=1),
                "subject": subject,
                "summary": summary % {"scope": spec.scope},
            },
        )
        created += 1
        if spec.stage == Stage.REJECTED and not spec.ratings:
            mover = prospect_mover(partner)
            if mover is not None:
                partnership_move(partner_id=partner.pk, to_stage=Stage.REJECTED, by=mover, reason=spec.reason)
                backdate_steps(partner, step_moments(spec, now, 1))
    return {"prospects": created}
