"""Scheduled effects of supplier scorecards (P4.1.1 periodic evaluation, P3.3).

Opening: when a template's period has started, every partner it applies to gets its
evaluation (one per partner/template/period, ever — a unique key in the database), with
the partner's owner as evaluator (or, when the owner cannot score, the department's
managers). Reminders: evaluators are reminded before the due date and when overdue;
after RAPPORT_EVALUATION_ESCALATE_DAYS the department's managers are told.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from crm import roles
from crm.links import base_url
from crm.notifications import notify, object_ref, register_kind, user_language
from partners.models import Partner
from partners.reminders import department_managers

from .models import CorrectiveActionPlan, Evaluation, EvaluatorSheet, ScorecardTemplate
from .services import evaluation_open

logger = logging.getLogger(__name__)


def default_evaluators(partner: Partner) -> list:
    owner = partner.owner
    if owner.is_active and (owner.is_superuser or roles.has_write_role(owner)):
        return [owner]
    return department_managers(partner.department_id)


def evaluation_open_due(*, partner_id: int, template_id: int, day: dt.date) -> int:
    """Open the evaluation of the period containing ``day``; 1 if this call opened it."""
    partner = Partner.objects.select_related("owner").filter(pk=partner_id).first()
    template = ScorecardTemplate.objects.filter(pk=template_id).first()
    if partner is None or template is None:
        return 0
    try:
        _evaluation, created = evaluation_open(
            partner=partner, template=template, period=day, evaluators=default_evaluators(partner)
        )
    except ValidationError as exc:  # e.g. nobody can score: the operations log shows it
        logger.warning("Evaluation of %s on %s not opened: %s", partner, template, exc.messages)
        return 0
    return int(created)


@transaction.atomic
def _template_names(template) -> dict[str, str]:
    """Both names: the notice shows the one of the language it is read in."""
    return {"template": template.name, "template_zh": template.name_zh}


def evaluation_sheet_remind(*, sheet_id: int, day: dt.date) -> int:
    """Remind an evaluator whose sheet is not submitted: due soon, then overdue (once each),
    then escalate to the department's managers (once)."""
    sheet = (
        EvaluatorSheet.objects.select_related("evaluation__partner", "evaluation__template", "evaluator")
        .filter(pk=sheet_id, submitted_at__isnull=True, evaluation__status="open")
        .first()
    )
    if sheet is None:
        return 0
    evaluation = sheet.evaluation
    partner, due = evaluation.partner, evaluation.due_on
    link = partner.get_absolute_url()
    ref = object_ref(sheet)
    effects = 0

    template = evaluation.template

    def say(user, kind: str) -> int:
        params = {"partner": partner.name, **_template_names(template), "date": due}
        return int(notify(recipient=user, kind=kind, obj_ref=ref, period=due.isoformat(), params=params, link=link))

    if day >= due - dt.timedelta(days=settings.RAPPORT_EVALUATION_REMIND_DAYS):
        effects += say(sheet.evaluator, DUE_SOON)
    if day > due:
        effects += say(sheet.evaluator, OVERDUE)
    if day > due + dt.timedelta(days=settings.RAPPORT_EVALUATION_ESCALATE_DAYS):
        for manager in department_managers(partner.department_id):
            effects += say(manager, ESCALATED)
    return effects


def plans_due_for_re_evaluation(day: dt.date):
    """Corrective action plans whose re-evaluation date has come (or passed: a missed day is
    caught up) and whose supplier has not been evaluated again on that template since: no
    closed evaluation of a later period."""
    later = Evaluation.objects.filter(
        partner=OuterRef("evaluation__partner"),
        template=OuterRef("evaluation__template"),
        status=Evaluation.Status.CLOSED,
        period_start__gt=OuterRef("evaluation__period_start"),
    )
    return CorrectiveActionPlan.objects.filter(re_evaluation_on__lte=day).filter(~Exists(later))


@transaction.atomic
def action_plan_re_evaluation_due(*, plan_id: int, day: dt.date) -> int:
    """Tell the partner's department managers, once per plan and date (the notification's key),
    that the supplier is due its re-evaluation: the plan's follow-up check (P4.1.3). The
    periodic evaluation of that period opens on its own (``evaluations_open``); the managers
    close it, or open a screening, and decide on the outcome of the plan."""
    plan = (
        CorrectiveActionPlan.objects.select_related("evaluation__partner", "evaluation__template")
        .filter(pk=plan_id, re_evaluation_on__lte=day)
        .first()
    )
    if plan is None:
        return 0
    partner = plan.evaluation.partner
    effects = 0
    for manager in department_managers(partner.department_id):
        effects += int(
            notify(
                recipient=manager,
                kind=RE_EVALUATION_DUE,
                obj_ref=object_ref(plan),
                period=plan.re_evaluation_on.isoformat(),
                params={
                    "partner": partner.name,
                    **_template_names(plan.evaluation.template),
                    "date": plan.re_evaluation_on,
                },
                link=reverse("evaluations:detail", args=[plan.evaluation_id]),
            )
        )
    return effects


# The notices' wording, translated in each reader's language when shown (crm.notifications).
RE_EVALUATION_DUE = register_kind(
    "action_plan_re_evaluation",
    gettext_noop("%(partner)s is due its re-evaluation (%(template)s) on %(date)s, as its corrective action plan set."),
    bilingual=("template",),
)
DUE_SOON = register_kind(
    "evaluation_due_soon",
    gettext_noop("Evaluation of %(partner)s (%(template)s) is due on %(date)s: please score and submit."),
    bilingual=("template",),
)
OVERDUE = register_kind(
    "evaluation_overdue",
    gettext_noop("Evaluation of %(partner)s (%(template)s) is overdue since %(date)s."),
    bilingual=("template",),
)
ESCALATED = register_kind(
    "evaluation_escalated",
    gettext_noop("Escalation: the evaluation of %(partner)s (%(template)s) is still not submitted (due %(date)s)."),
    bilingual=("template",),
)


def calendar_items(user) -> list[tuple]:
    """Evaluations the user still has to score, for the user's calendar feed (crm.calendar)."""
    sheets = EvaluatorSheet.objects.filter(
        evaluator=user, submitted_at__isnull=True, evaluation__status="open"
    ).select_related("evaluation__partner", "evaluation__template")
    base = base_url()
    items = []
    for sheet in sheets[:500]:
        evaluation = sheet.evaluation
        with override(user_language(user)):
            summary = _("Evaluate %(partner)s (%(template)s)") % {
                "partner": evaluation.partner.name,
                "template": evaluation.template.display_name,
            }
        items.append(
            (
                f"evaluation-sheet-{sheet.pk}@rapport",
                evaluation.due_on,
                summary,
                summary,
                base + evaluation.partner.get_absolute_url(),
            )
        )
    return items
