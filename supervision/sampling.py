"""What an inspection can sample (P5.1 "reviewing records"): each kind of record, how it is
dated, how it is labelled and where it is opened. The population of a plan is the kind's
records of the plan's departments and families (the partner's), dated within its period.

Agreements join this list once they exist (issue #13).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.models import Evaluation
from partners.cases.models import Case
from partners.customers.models import Gift
from partners.models import FollowUp, Interaction


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    model: type[Model]
    date_field: str
    is_datetime: bool
    describe: Callable[[Model], str]
    url: Callable[[Model], str]


def _date(value) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return value.isoformat() if value else ""


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind(
            "interactions",
            _("Interactions"),
            Interaction,
            "occurred_at",
            True,
            lambda r: f"{r.partner.name} · {_date(r.occurred_at)} · {r.subject}",
            lambda r: r.partner.get_absolute_url(),
        ),
        Kind(
            "followups",
            _("Follow-ups"),
            FollowUp,
            "due_on",
            False,
            lambda r: f"{r.partner.name} · {_date(r.due_on)} · {r.description}",
            lambda r: r.partner.get_absolute_url(),
        ),
        Kind(
            "evaluations",
            _("Evaluations"),
            Evaluation,
            "period_end",
            False,
            lambda r: f"{r.partner.name} · {_date(r.period_start)} – {_date(r.period_end)}",
            lambda r: reverse("evaluations:detail", args=[r.pk]),
        ),
        Kind(
            "cases",
            _("Cases"),
            Case,
            "opened_at",
            True,
            lambda r: f"{r.partner.name} · {r.reference} · {r.subject}",
            lambda r: reverse("cases:case_detail", args=[r.pk]),
        ),
        Kind(
            "gifts",
            _("Gifts"),
            Gift,
            "date",
            False,
            lambda r: f"{r.partner.name} · {_date(r.date)} · {r.description}",
            lambda r: r.partner.get_absolute_url(),
        ),
    )
}


def kind_choices() -> list[tuple[str, str]]:
    return [(kind.code, kind.label) for kind in KINDS.values()]


def kind_label(code: str) -> str:
    kind = KINDS.get(code)
    return str(kind.label) if kind else code


def population(*, plan, kind: Kind) -> QuerySet:
    """The plan's records of this kind: its departments and families, dated in its period."""
    if kind.is_datetime:
        start = timezone.make_aware(dt.datetime.combine(plan.period_start, dt.time.min))
        end = timezone.make_aware(dt.datetime.combine(plan.period_end + dt.timedelta(days=1), dt.time.min))
        within = {f"{kind.date_field}__gte": start, f"{kind.date_field}__lt": end}
    else:
        within = {f"{kind.date_field}__gte": plan.period_start, f"{kind.date_field}__lte": plan.period_end}
    records = kind.model._default_manager.filter(**within)
    department_ids = [department.pk for department in plan.departments.all()]
    if department_ids:
        records = records.filter(partner__department_id__in=department_ids)
    if plan.families:
        records = records.filter(partner__family__in=plan.families)
    return records


def draw(ids: list[int], size: int, seed: int) -> list[int]:
    """The same ids, size and seed give the same draw, in the same order."""
    return random.Random(seed).sample(sorted(ids), size)


def new_seed() -> int:
    return random.SystemRandom().randrange(1, 2**31 - 1)
