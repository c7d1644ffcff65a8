"""Demo data of agreements, called by ``seed_demo``: for active partner-family partners and a
few suppliers without agreements, one agreement each — active, expiring, expired, draft or
renewed — with obligations on both sides, a signed copy (a one-page PDF) for those past draft, and an
execution review on the older ones. Idempotent: partners that have an agreement are skipped."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db.models import Count, Exists, OuterRef

from crm.demo import ZH, DemoOptions
from partners.models import Family, Partner, Status

from .models import (
    CADENCE_MONTHS,
    Agreement,
    AgreementDocument,
    AgreementStatus,
    AgreementType,
    Cadence,
    ExecutionReview,
    ObligationStatus,
    Party,
    add_months,
)
from .services import obligation_add, obligation_set_status

User = get_user_model()

TEXTS = {
    ZH: {
        AgreementType.COOPERATION: (
            "技术合作协议",
            "联合开发新一代产品，共享测试设备与实验数据。",
            "联合成果的收益按投入比例分配。",
        ),
        AgreementType.DISTRIBUTION: ("区域分销协议", "华东地区独家分销，含售后服务。", "分销毛利按约定比例分成。"),
        AgreementType.SUPPLY: (
            "年度供货合同",
            "按月供应原材料，质量符合双方确认的标准。",
            "年采购量达标后返利百分之三。",
        ),
        AgreementType.NDA: ("保密协议", "双方交换的技术资料和商业信息保密。", ""),
        AgreementType.MEMBERSHIP: ("会员协议", "参加协会活动与标准工作组。", ""),
        "ours": ["提供季度销售预测", "派工程师现场支持", "支付首期合作费用"],
        "theirs": ["提交季度执行报告", "完成样品交付", "提供市场活动计划"],
        "issues": "部分交付延迟两周。",
        "resolution": "双方商定下季度起提前一周确认排期。",
        "signed": "签署版",
    },
    "en": {
        AgreementType.COOPERATION: (
            "Technology cooperation agreement",
            "Joint development of the next product line; shared test equipment and lab data.",
            "Joint results' revenue shared in proportion to each side's contribution.",
        ),
        AgreementType.DISTRIBUTION: (
            "Regional distribution agreement",
            "Exclusive distribution in the eastern region, after-sales service included.",
            "Distribution margin shared at the agreed rate.",
        ),
        AgreementType.SUPPLY: (
            "Annual supply contract",
            "Monthly supply of raw materials to the quality standard both sides signed.",
            "A 3% rebate once the annual volume is reached.",
        ),
        AgreementType.NDA: (
            "Non-disclosure agreement",
            "Technical and commercial information exchanged stays confidential.",
            "",
        ),
        AgreementType.MEMBERSHIP: (
            "Membership agreement",
            "Taking part in the association's events and standards work.",
            "",
        ),
        "ours": ["Send the quarterly sales forecast", "Send an engineer on site", "Pay the first cooperation fee"],
        "theirs": ["Submit the quarterly execution report", "Deliver the samples", "Send the marketing plan"],
        "issues": "Some deliveries were two weeks late.",
        "resolution": "From next quarter both sides confirm the schedule a week earlier.",
        "signed": "Signed copy",
    },
}

# (status, start offset in days from today, term in days)
SHAPES = [
    (AgreementStatus.ACTIVE, -200, 730),
    (AgreementStatus.ACTIVE, -400, 1095),
    (AgreementStatus.EXPIRING, -330, 360),
    (AgreementStatus.EXPIRED, -800, 700),
    (AgreementStatus.DRAFT, 10, 365),
]


# How many partners of each family have a demo agreement.
PER_FAMILY = {Family.PARTNER: 12, Family.SUPPLIER: 4}


def _pdf(title: str) -> bytes:
    """A one-page PDF that says what it stands for (the demo's signed copies)."""
    text = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def _manager(partner: Partner):
    return (
        User.objects.filter(is_active=True, groups__name="Manager", profile__department_id=partner.department_id)
        .order_by("pk")
        .first()
    )


def seed(*, rng: random.Random, now: dt.datetime, options: DemoOptions) -> dict[str, int]:
    """Registered with crm.demo (partners/agreements/apps.py)."""
    today = now.date()
    has_agreement = Agreement.partners.through.objects.filter(partner_id=OuterRef("pk"))
    candidates = list(
        Partner.objects.filter(status=Status.ACTIVE, archived_at__isnull=True, owner__isnull=False)
        .filter(family__in=[Family.PARTNER, Family.SUPPLIER])
        .exclude(Exists(has_agreement))
        .select_related("owner")
        .order_by("family", "pk")
    )
    # Target totals, not additions: a second run tops up to them, and then adds nothing.
    have = dict(Partner.objects.filter(Exists(has_agreement)).values_list("family").annotate(n=Count("pk")).order_by())
    partners = [p for p in candidates if p.family == Family.PARTNER][
        : max(0, PER_FAMILY[Family.PARTNER] - have.get(Family.PARTNER, 0))
    ]
    partners += [p for p in candidates if p.family == Family.SUPPLIER][
        : max(0, PER_FAMILY[Family.SUPPLIER] - have.get(Family.SUPPLIER, 0))
    ]
    counts = {"agreements": 0, "obligations": 0, "execution_reviews": 0, "agreement_documents": 0}
    for partner in partners:
        manager = _manager(partner)
        if manager is None:
            continue
        lang = ZH if partner.preferred_language == ZH or not partner.name.isascii() else "en"
        texts = TEXTS[lang]
        kind = (
            AgreementType.SUPPLY
            if partner.family == Family.SUPPLIER
            else rng.choice([AgreementType.COOPERATION, AgreementType.DISTRIBUTION, AgreementType.NDA])
        )
        title, scope, benefit = texts[kind]
        i = counts["agreements"]  # the shapes in turn, whichever partners were skipped
        status, offset, term = SHAPES[i % len(SHAPES)]
        starts = today + dt.timedelta(days=offset)
        cadence = rng.choice(Cadence.values)
        agreement = Agreement(
            title=f"{title} · {partner.name}"[:200],
            kind=kind,
            department_id=partner.department_id,
            owner=partner.owner,
            scope=scope,
            benefit_sharing=benefit,
            starts_on=starts,
            ends_on=starts + dt.timedelta(days=term),
            notice_days=60,
            review_cadence=cadence,
            status=status,
        )
        if status in (AgreementStatus.ACTIVE, AgreementStatus.EXPIRING):
            # The first review: past (one recorded, the next due) or still ahead.
            agreement.next_review_on = agreement.first_review_on()
        agreement._history_user = manager
        agreement.save()
        agreement.partners.add(partner)
        counts["agreements"] += 1
        if status != AgreementStatus.DRAFT:
            document = AgreementDocument(agreement=agreement, title=TEXTS[lang]["signed"], uploaded_by=manager)
            document.file.save("signed.pdf", ContentFile(_pdf(f"Signed copy: agreement {agreement.pk}")), save=True)
            counts["agreement_documents"] += 1
        if agreement.next_review_on and agreement.next_review_on < today - dt.timedelta(days=30):
            ExecutionReview.objects.create(
                agreement=agreement,
                due_on=agreement.next_review_on,
                reviewed_on=agreement.next_review_on,
                rating=rng.choice([3, 4, 4, 5]),
                issues=texts["issues"],
                resolution=texts["resolution"],
                reviewed_by=manager,
            )
            agreement.next_review_on = add_months(agreement.next_review_on, CADENCE_MONTHS[cadence])
            agreement.save(update_fields=["next_review_on"])
            counts["execution_reviews"] += 1
        for j, party in enumerate((Party.OURS, Party.THEIRS)):
            due = today + dt.timedelta(days=rng.randint(-20, 40))
            # Through the service: an obligation of ours becomes its owner's follow-up.
            data = {"party": party, "description": texts[party][(i + j) % 3], "due_on": due, "owner": partner.owner}
            obligation = obligation_add(agreement=agreement, data=data, by=manager)
            if due < today - dt.timedelta(days=10):
                obligation_set_status(obligation=obligation, status=ObligationStatus.MET, by=manager)
            counts["obligations"] += 1
    return counts
