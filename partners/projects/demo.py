"""Demo data of projects, called by ``seed_demo``: for a few active partners, a joint project;
for a few associations, a cooperative or public-welfare project. Each has milestones done, due
soon and overdue, and links the partner's latest interactions. Idempotent: target totals per
family, and partners that have a project are skipped."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef

from crm.demo import ZH, DemoOptions
from partners.models import Family, Partner, Status

from .models import Milestone, Project, ProjectKind, ProjectStatus

User = get_user_model()

TEXTS = {
    ZH: {
        ProjectKind.JOINT: ("联合研发项目", "共同开发新一代节能控制模块，并于年底前完成样机。"),
        ProjectKind.COOPERATIVE: ("行业合作项目", "与协会共同编写行业数据交换指南。"),
        ProjectKind.PUBLIC_WELFARE: ("公益助学项目", "为乡村学校捐赠科普器材并组织志愿者授课。"),
        "ours": "提供两名工程师和测试实验室。",
        "theirs": "提供样品、市场数据和渠道资源。",
        "benefits": "样机测试通过，能耗降低百分之十二。",
        "notes": "已召开启动会，双方分工已确认；下一步：样机联调。",
        "risks": "关键元器件交期可能延误。",
        "milestones": ["启动会", "需求确认", "样机完成", "试点推广"],
    },
    "en": {
        ProjectKind.JOINT: (
            "Joint R&D project",
            "Develop the next energy-saving control module together, prototype by year end.",
        ),
        ProjectKind.COOPERATIVE: ("Industry cooperation project", "Write the industry's data exchange guide together."),
        ProjectKind.PUBLIC_WELFARE: (
            "School science outreach",
            "Donate science kits to rural schools and send volunteers to teach.",
        ),
        "ours": "Two engineers and our test lab.",
        "theirs": "Samples, market data and their channels.",
        "benefits": "The prototype passed its tests: 12% less energy.",
        "notes": "Kick-off held and the work split agreed; next: testing the prototype together.",
        "risks": "Key components may arrive late.",
        "milestones": ["Kick-off", "Requirements agreed", "Prototype ready", "Pilot roll-out"],
    },
}

# How many partners of each family have a demo project.
PER_FAMILY = {Family.PARTNER: 4, Family.ASSOCIATION: 2}
# (status, progress, start offset in days from today)
SHAPES = [
    (ProjectStatus.ACTIVE, 45, -90),
    (ProjectStatus.ACTIVE, 70, -160),
    (ProjectStatus.PLANNED, 0, 20),
    (ProjectStatus.COMPLETED, 100, -400),
    (ProjectStatus.ON_HOLD, 30, -120),
]


def _manager(partner: Partner):
    return (
        User.objects.filter(is_active=True, groups__name="Manager", profile__department_id=partner.department_id)
        .order_by("pk")
        .first()
    )


def seed(*, rng: random.Random, now: dt.datetime, options: DemoOptions) -> dict[str, int]:
    """Registered with crm.demo (partners/projects/apps.py)."""
    today = now.date()
    has_project = Project.partners.through.objects.filter(partner_id=OuterRef("pk"))
    candidates = list(
        Partner.objects.filter(
            status=Status.ACTIVE,
            archived_at__isnull=True,
            owner__isnull=False,
            department__isnull=False,
            family__in=list(PER_FAMILY),
        )
        .exclude(Exists(has_project))
        .select_related("owner")
        .order_by("family", "pk")
    )
    # Target totals, not additions: a second run tops up to them, and then adds nothing.
    have = dict(Partner.objects.filter(Exists(has_project)).values_list("family").annotate(n=Count("pk")).order_by())
    partners = []
    for family, target in PER_FAMILY.items():
        partners += [p for p in candidates if p.family == family][: max(0, target - have.get(family, 0))]
    counts = {"projects": 0, "milestones": 0}
    for i, partner in enumerate(partners):
        manager = _manager(partner) or partner.owner
        lang = ZH if partner.preferred_language == ZH or not partner.name.isascii() else "en"
        texts = TEXTS[lang]
        kind = (
            ProjectKind.JOINT
            if partner.family == Family.PARTNER
            else rng.choice([ProjectKind.COOPERATIVE, ProjectKind.PUBLIC_WELFARE])
        )
        title, goal = texts[kind]
        status, progress, offset = SHAPES[i % len(SHAPES)]
        starts = today + dt.timedelta(days=offset)
        project = Project(
            title=f"{title} · {partner.name}"[:200],
            kind=kind,
            department_id=partner.department_id,
            owner=partner.owner,
            goal=goal,
            status=status,
            starts_on=starts,
            ends_on=starts + dt.timedelta(days=365),
            our_contribution=texts["ours"],
            partner_contribution=texts["theirs"],
            benefits=texts["benefits"] if progress >= 50 else "",
            progress=progress,
            progress_notes=texts["notes"] if progress else "",
            risks=texts["risks"],
        )
        project._history_user = manager
        project.save()
        project.partners.add(partner)
        project.team.set({partner.owner, manager})
        project.interactions.set(partner.interactions.order_by("-occurred_at")[:2])
        counts["projects"] += 1
        # Done, overdue, due within the dashboard's two weeks, later.
        for order, (name, due_in, done) in enumerate(
            zip(texts["milestones"], (-60, -5, 7, 60), (True, False, False, False), strict=True), start=1
        ):
            done_it = done or status == ProjectStatus.COMPLETED
            milestone = Milestone(
                project=project,
                title=name,
                order=order,
                due_on=today + dt.timedelta(days=due_in),
                done_on=min(today, today + dt.timedelta(days=due_in - 2)) if done_it else None,
                done_by=partner.owner if done_it else None,
            )
            milestone._history_user = manager
            milestone.save()
            counts["milestones"] += 1
    return counts
