"""Reads and access checks of the partnership pipeline (P4.3.1).

Everyone with a role reads the pipeline; the managers of a partner's department (and
superusers) move it from stage to stage. ``stage_move_problem`` is the one place the pipeline's
rule is decided, for the move service and for the page that offers the next steps.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from crm import roles
from partners.models import Family, Partner
from partners.selectors import LIST_COLUMNS, can_manage_partner

from .models import MAIN_LINE, PROSPECT_STAGES, STAGE_MOVES, Partnership, Stage, stage_expression, stage_of

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# --- Access rules ------------------------------------------------------------------------


def may_move_partnership(user: User, partner: Partner) -> bool:
    """The managers of the partner's department (and superusers) move it through the pipeline."""
    return roles.has_write_role(user) and can_manage_partner(user, partner)


# --- The rule ----------------------------------------------------------------------------

# ``gate(partner) -> message``: why the partner may not enter the stage yet, or "".
STAGE_GATES: dict[str, list[Callable[[Partner], str]]] = defaultdict(list)


def register_stage_gate(*, to_stage: str, gate: Callable[[Partner], str]) -> None:
    """Another app gates a stage on evidence it owns (evaluations: the partner assessment)."""
    if gate not in STAGE_GATES[to_stage]:
        STAGE_GATES[to_stage].append(gate)


def stage_move_problem(*, partner: Partner, current: str | None, to_stage: str, user: User | None = None) -> str:
    """Why ``partner``, at stage ``current``, may not move to ``to_stage``, or "" if it may.

    The allowed moves (``STAGE_MOVES``) and the gates other apps registered. Superusers pass
    the gates (not the moves), as they do the registry's (P4.3.1)."""
    if partner.family != Family.PARTNER:
        return _("Only partners of the partner family go through the partnership pipeline.")
    if partner.archived_at is not None:
        return _("This partner is archived: restore it first.")
    if current is None:
        return _("This relationship has ended: it is no longer in the partnership pipeline.")
    if to_stage not in STAGE_MOVES.get(current, ()):
        return _("A partner cannot go from the stage “%(old)s” to “%(new)s”.") % {
            "old": Stage(current).label,
            "new": Stage(to_stage).label if to_stage in Stage.values else to_stage,
        }
    if user is not None and user.is_superuser:
        return ""
    for gate in STAGE_GATES[to_stage]:
        if message := gate(partner):
            return message
    return ""


# --- One partner ---------------------------------------------------------------------------


def partnership_for(partner: Partner) -> Partnership | None:
    """The partner's pipeline row, or None before its first move. The partner's page joined it
    to the partner (apps.py registers the relation with the registry): no query there."""
    try:
        return partner.partnership
    except Partnership.DoesNotExist:
        return None


def partner_stage(partner: Partner, row: Partnership | None) -> str | None:
    return stage_of(status=partner.status, stored=row.stage if row else None)


@dataclass
class NextStep:
    stage: str
    label: str
    url: str
    problem: str  # why it cannot be taken now ("" when it can)


def next_steps(*, partner: Partner, current: str | None, user: User) -> list[NextStep]:
    """The moves the pipeline allows from ``current``, each with what still stands in its way."""
    if current is None or partner.archived_at is not None:
        return []
    return [
        NextStep(
            stage=to,
            label=Stage(to).label,
            url=reverse("partnerships:move", args=[partner.pk, to]),
            problem=stage_move_problem(partner=partner, current=current, to_stage=to, user=user),
        )
        for to in STAGE_MOVES[current]
    ]


def pipeline_panel(*, partner: Partner, user: User) -> dict | None:
    """The partner page's pipeline card (registered in apps.py): the stage, what was said at the
    latest move, and the next steps. Partner family only. No query of its own (the row comes
    with the partner); a gate may read its evidence (the assessment card shares that query)."""
    if partner.family != Family.PARTNER:
        return None
    row = partnership_for(partner)
    current = partner_stage(partner, row)
    reached = MAIN_LINE.index(current) if current in MAIN_LINE else -1
    latest = row if row is not None and row.stage == current else None
    return {
        "partner": partner,
        "stage": current,
        "stage_label": Stage(current).label if current else "",
        "since": latest.moved_at if latest else None,
        "said": (latest.rejection_reason or latest.note) if latest else "",
        "line": [(Stage(s).label, i < reached, i == reached) for i, s in enumerate(MAIN_LINE)],
        "next_steps": next_steps(partner=partner, current=current, user=user),
        "may_move": may_move_partnership(user, partner),
        "Stage": Stage,
    }


def partnership_history_source(partner: Partner) -> tuple:
    """The partner's history page lists the pipeline's moves (P4.3.1, P3.1). The partner's name
    labels each entry, as it does the partner's own."""
    return (
        Partnership.history.filter(partner_id=partner.pk).annotate(name=Value(partner.name)),
        _("Partnership pipeline"),
        (),
    )


# --- The pipeline list ----------------------------------------------------------------------

# The list's stage tab: the prospects (default), one stage, or every partner in the pipeline.
IN_PROGRESS, ALL = "in_progress", "all"


def pipeline_for_user(*, user: User) -> QuerySet[Partner]:
    """Partner-family partners in the pipeline (not archived), each with its ``pipeline_stage``
    and the time it reached it (``stage_since``). Everyone with a role reads it."""
    if not roles.has_any_role(user):
        return Partner.objects.none()
    return (
        Partner.objects.filter(family=Family.PARTNER, archived_at__isnull=True)
        .annotate(
            pipeline_stage=stage_expression(),
            stage_since=Coalesce("partnership__moved_at", "created_at"),
        )
        .exclude(pipeline_stage=None)
        .select_related("owner", "department", "partnership")
        .only(
            *LIST_COLUMNS,
            "partnership__stage",
            "partnership__note",
            "partnership__rejection_reason",
            "partnership__moved_at",
        )
    )


def attach_stage_labels(partners: list[Partner]) -> list[Partner]:
    """Each row's stage label and what was said at its latest move (the reason, if rejected)."""
    for p in partners:
        row = partnership_for(p)  # joined by pipeline_for_user: no query
        p.stage_label = Stage(p.pipeline_stage).label
        p.stage_note = ""
        if row is not None and row.stage == p.pipeline_stage:
            p.stage_note = row.rejection_reason if p.pipeline_stage == Stage.REJECTED else row.note
    return partners


def in_stage(qs: QuerySet[Partner], tab: str) -> QuerySet[Partner]:
    if tab == ALL:
        return qs
    if tab in Stage.values:
        return qs.filter(pipeline_stage=tab)
    return qs.filter(pipeline_stage__in=PROSPECT_STAGES)


def stage_counts(qs: QuerySet[Partner]) -> dict[str, int]:
    """How many partners are at each stage, with the tab totals: one query."""
    counts = dict.fromkeys(Stage.values, 0)
    for row in qs.order_by().values("pipeline_stage").annotate(n=Count("pk")):
        counts[row["pipeline_stage"]] = row["n"]
    counts[IN_PROGRESS] = sum(counts[s] for s in PROSPECT_STAGES)
    counts[ALL] = sum(counts[s] for s in Stage.values)
    return counts
