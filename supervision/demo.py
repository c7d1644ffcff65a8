"""Demo data of the supervision group (P5.1): an inspection plan with a graded sample, visits,
and findings with corrective actions in every state (awaiting response, responded, closed;
actions open, overdue, responded, verified). Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from crm.demo import DemoOptions
from crm.models import CorrectiveAction, Department
from crm.services import corrective_action_respond, corrective_action_verify
from partners.models import Partner, Tier

from . import services
from .models import Finding, Grade, InspectionPlan, Visit
from .sampling import KINDS, population

PLAN_TITLE = "Annual inspection of relationship maintenance"


def seed(*, rng: random.Random, now: dt.datetime, options: DemoOptions) -> dict[str, int]:
    if InspectionPlan.objects.filter(title=PLAN_TITLE).exists():
        return {"inspection plans": 0}
    User = get_user_model()
    supervisor = User.objects.filter(username="supervisor").first()
    staff = User.objects.filter(username="staff").first()
    manager = User.objects.filter(username="manager").first()
    if not (supervisor and staff and manager):
        return {"inspection plans": 0}
    today = timezone.localdate(now)
    procurement = Department.objects.get(code="procurement")
    plan = services.plan_create(
        data={
            "year": today.year,
            "title": PLAN_TITLE,
            "schedule": InspectionPlan.Schedule.PERIODIC,
            "planned_on": today - dt.timedelta(days=20),
            "period_start": today.replace(month=1, day=1),
            "period_end": today,
            "families": [],
        },
        departments=[procurement],
        by=supervisor,
    )
    # Ten records, or all of them on a small demo (a sample larger than its scope is refused).
    in_scope = population(plan=plan, kind=KINDS["interactions"]).count()
    items = []
    if in_scope:
        size = min(10, in_scope)
        sample = services.sample_draw(plan=plan, kind="interactions", size=size, seed=20261130, by=supervisor)
        items = list(sample.items.order_by("position"))
    no_outcome = plan.checklist.get(clause="P3.3")
    for index, item in enumerate(items[:-2]):  # two left to grade: the progress shows 8 / 10
        nonconforming = index in (2, 5)
        services.sample_item_grade(
            item=item,
            grade=Grade.DOES_NOT_CONFORM if nonconforming else Grade.CONFORMS,
            checklist_item=no_outcome if nonconforming else None,
            note="No outcome recorded for this meeting." if nonconforming else "",
            by=supervisor,
        )
    visited = list(
        Partner.objects.filter(archived_at__isnull=True, tier=Tier.KEY, department=procurement).order_by("pk")[:3]
    )
    feedback = [
        "Satisfied with payment punctuality; asks for earlier demand forecasts.",
        "合作顺畅，希望每季度召开一次质量改进会议。",
        "Would like one contact person for engineering changes.",
    ]
    for index, partner in enumerate(visited):
        services.visit_record(
            partner=partner,
            plan=plan,
            data={
                "visited_on": today - dt.timedelta(days=15 - index * 4),
                "met": "Sales director, quality lead",
                "feedback": feedback[index % len(feedback)],
                "satisfaction": 4 - (index % 2),
            },
            by=supervisor,
        )
    due = today + dt.timedelta(days=14)
    evidence = [item for index, item in enumerate(items[:-2]) if index in (2, 5)]
    # Awaiting response (overdue), responded with actions in every state, and closed.
    awaiting = services.finding_record(
        data={
            "plan": plan,
            "clause": "P3.3",
            "severity": Finding.Severity.MINOR,
            "department": procurement,
            "title": "Meetings logged without an outcome",
            "description": "Two of ten sampled meetings record no outcome or next step.",
            "response_due": due,
        },
        evidence=evidence,
        by=supervisor,
    )
    responded = services.finding_record(
        data={
            "plan": plan,
            "clause": "P4.1.1",
            "severity": Finding.Severity.MAJOR,
            "department": procurement,
            "title": "Evaluations closed late",
            "description": "Quarterly supplier evaluations were closed up to six weeks after their due date.",
            "response_due": today - dt.timedelta(days=2),
        },
        evidence=[],
        by=supervisor,
    )
    services.finding_respond(finding=responded, response="We add a weekly review of open evaluations.", by=manager)
    open_action = services.finding_raise_action(
        finding=responded, description="Weekly review of open evaluations", owner=manager, due_on=due, by=supervisor
    )
    overdue = services.finding_raise_action(
        finding=responded,
        description="Train buyers on the evaluation calendar",
        owner=staff,
        due_on=today + dt.timedelta(days=1),
        by=supervisor,
    )
    answered = services.finding_raise_action(
        finding=responded,
        description="Add evaluation due dates to the team calendar",
        owner=staff,
        due_on=due,
        by=supervisor,
    )
    corrective_action_respond(action=answered, by=staff, response="Due dates are in the shared calendar feed.")
    # Overdue: due last week (written directly: the service refuses a due date in the past).
    CorrectiveAction.objects.filter(pk=overdue.pk).update(due_on=today - dt.timedelta(days=7))
    closed = services.finding_record(
        data={
            "plan": plan,
            "clause": "P3.1",
            "severity": Finding.Severity.OBSERVATION,
            "department": procurement,
            "title": "Gift register kept well",
            "description": "All sampled gifts above the threshold were approved before they were given.",
            "response_due": due,
        },
        evidence=[],
        by=supervisor,
    )
    services.finding_respond(finding=closed, response="Noted; we keep the practice.", by=manager)
    verified = services.finding_raise_action(
        finding=closed, description="Share the gift checklist with sales", owner=manager, due_on=due, by=supervisor
    )
    corrective_action_respond(action=verified, by=manager, response="Shared at the sales meeting.")
    verified.refresh_from_db()
    corrective_action_verify(action=verified, by=supervisor, accepted=True, note="Meeting minutes seen.")
    services.finding_close(finding=closed, by=supervisor)
    del awaiting, open_action
    return {
        "inspection plans": 1,
        "sampled records": len(items),
        "visits": Visit.objects.count(),
        "findings": Finding.objects.count(),
    }
