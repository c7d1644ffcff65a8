"""Reads of the satisfaction surveys: access, contacts to invite, results (P5.2).

The results are aggregated in SQL, one grouped query per dimension for the answers and
one for the invitations, so the page costs the same number of queries for ten responses
or ten thousand. A year is a range on the indexed ``period_start``; the annual report
(P5.2) reads a year through ``responses_for_year`` and ``scores_for_year``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear, TruncQuarter
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext

from crm import roles
from crm.bilingual import in_language
from partners.cases.models import Case
from partners.models import FAMILY_PLURALS, Contact
from partners.selectors import partner_list_for_user

from . import metrics, periods
from .models import Answer, QuestionKind, Survey, SurveyInvitation, SurveyResponse
from .periods import Period, PeriodKind

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def can_send_surveys(user: User) -> bool:
    """Staff and managers send surveys; supervision reads the results only (P5.1)."""
    return roles.has_write_role(user)


def survey_get_for_user(*, user: User, pk: int) -> Survey:
    if not roles.has_any_role(user):
        raise Http404
    survey = Survey.objects.select_related("template", "department", "created_by").filter(pk=pk).first()
    if survey is None:
        raise Http404
    return survey


def survey_list_for_user(*, user: User) -> QuerySet[Survey]:
    if not roles.has_any_role(user):
        return Survey.objects.none()
    return Survey.objects.select_related("template", "department").annotate(
        invited=Count("invitations", distinct=True),
        responded=Count("invitations", filter=Q(invitations__responded_at__isnull=False), distinct=True),
    )


def contacts_to_invite(*, user: User, survey: Survey) -> QuerySet[Contact]:
    """Contacts with an email of the survey's family (and department) that the user may
    read and that are not invited yet."""
    partners = partner_list_for_user(user=user, family=survey.family)
    if survey.department_id:
        partners = partners.filter(department_id=survey.department_id)
    return (
        Contact.objects.filter(partner__in=partners.values("pk"))
        .exclude(email="")
        .exclude(pk__in=SurveyInvitation.objects.filter(survey=survey, contact__isnull=False).values("contact_id"))
        .select_related("partner")
        .order_by("partner__name", "-is_primary", "name")
    )


def survey_comments(*, survey: Survey, limit: int = 100) -> QuerySet[Answer]:
    """The free-text answers of a survey, newest first (what to fix, P4.1.3)."""
    return (
        Answer.objects.filter(response__survey=survey, kind=QuestionKind.TEXT)
        .exclude(text="")
        .select_related("response__partner")
        .order_by("-response__submitted_at", "-pk")[:limit]
    )


# --- Results ---------------------------------------------------------------------------------


@dataclass
class Scores:
    """The three scores of one group of responses; None means "no data"."""

    label: str
    key: str = ""
    invitations: int = 0
    responses: int = 0
    nps_n: int = 0
    nps: Decimal | None = None
    csat_n: int = 0
    csat: Decimal | None = None
    ces_n: int = 0
    ces: Decimal | None = None

    @property
    def response_rate(self) -> Decimal | None:
        return metrics.response_rate(responses=self.responses, invitations=self.invitations)

    @property
    def has_data(self) -> bool:
        return bool(self.nps_n or self.csat_n or self.ces_n)


ANSWER_AGGREGATES = {
    "n": Count("pk"),
    "promoters": Count("pk", filter=Q(score__gte=metrics.PROMOTER_MIN)),
    "detractors": Count("pk", filter=Q(score__lte=metrics.DETRACTOR_MAX)),
    "satisfied": Count("pk", filter=Q(score__gte=metrics.SATISFIED_MIN)),
    "total": Sum("score"),
}
INVITATION_AGGREGATES = {"invited": Count("pk"), "responded": Count("pk", filter=Q(responded_at__isnull=False))}


# dimension → the grouping expressions, given the path to the invitation or response row
# ("" from an invitation, "response__" from an answer). Names start with g_ so they never
# clash with a field (Answer.kind). A one-expression key is the value itself, else a tuple.
DIMENSIONS: dict[str, Callable[[str], dict]] = {
    "overall": lambda p: {},
    "period": lambda p: {"g_kind": F(f"{p}period_kind"), "g_start": F(f"{p}period_start")},
    # Months count in their quarter; a year's survey has no quarter (callers leave it out).
    "quarter": lambda p: {"g_quarter": TruncQuarter(f"{p}period_start")},
    "family": lambda p: {"g_family": F(f"{p}family")},
    "department": lambda p: {
        "g_department": F(f"{p}department_id"),
        "g_name": F(f"{p}department__name"),
        "g_name_zh": F(f"{p}department__name_zh"),
    },
    "year": lambda p: {"g_year": ExtractYear(f"{p}period_start")},
    # The partner's tier today (the response keeps family and department as they were).
    "tier": lambda p: {"g_tier": F(f"{p}partner__tier")},
}


def _key(row: dict, names: list[str]):
    values = tuple(row[name] for name in names)
    return values[0] if len(values) == 1 else values


SKIP = object()  # a rollup key that leaves the row out


def _rows(invitations: QuerySet, answers: QuerySet, keys: Callable[[str], dict]) -> tuple[list, list]:
    """The two grouped queries: invitations (response rate) and answers by question kind
    (NPS, CSAT, CES counts and totals), grouped by ``keys``."""
    inv_keys, ans_keys = keys(""), keys("response__")
    if inv_keys:
        inv_rows = list(invitations.values(**inv_keys).annotate(**INVITATION_AGGREGATES).order_by())
    else:
        inv_rows = [invitations.aggregate(**INVITATION_AGGREGATES)]
    ans_rows = list(answers.values("kind", **ans_keys).annotate(**ANSWER_AGGREGATES).order_by())
    return inv_rows, ans_rows


def _rollup(inv_rows: list, ans_rows: list, key: Callable[[dict], object]) -> dict:
    """Scores per ``key(row)`` (SKIP leaves a row out). Every aggregate is a count or a
    total, so groups of a finer grouping add up exactly to a coarser one."""
    tallies: dict = {}

    def tally(row: dict) -> dict | None:
        group = key(row)
        if group is SKIP:
            return None
        return tallies.setdefault(group, {"invited": 0, "responded": 0, "kinds": {}})

    for row in inv_rows:
        if (t := tally(row)) is not None:
            t["invited"] += row["invited"] or 0
            t["responded"] += row["responded"] or 0
    for row in ans_rows:
        if (t := tally(row)) is not None:
            counts = t["kinds"].setdefault(row["kind"], dict.fromkeys(ANSWER_AGGREGATES, 0))
            for name in ANSWER_AGGREGATES:
                counts[name] += row[name] or 0
    return {group: _scores(t) for group, t in tallies.items()}


def _scores(t: dict) -> Scores:
    scores = Scores(label="", invitations=t["invited"], responses=t["responded"])
    for kind, c in t["kinds"].items():
        if kind == QuestionKind.NPS:
            scores.nps_n = c["n"]
            scores.nps = metrics.nps_from_counts(n=c["n"], promoters=c["promoters"], detractors=c["detractors"])
        elif kind == QuestionKind.CSAT:
            scores.csat_n = c["n"]
            scores.csat = metrics.csat_from_counts(n=c["n"], satisfied=c["satisfied"])
        elif kind == QuestionKind.CES:
            scores.ces_n = c["n"]
            scores.ces = metrics.ces_from_total(n=c["n"], total=c["total"])
    return scores


def _grouped(invitations: QuerySet, answers: QuerySet, dimension: str) -> dict:
    """Scores per group of ``dimension``: one grouped query over the invitations (response
    rate), one over the answers (NPS, CSAT, CES). Key None for "overall"."""
    keys = DIMENSIONS[dimension]
    names = list(keys(""))
    return _rollup(*_rows(invitations, answers, keys), lambda row: _key(row, names) if names else None)


def _in_year(invitations: QuerySet, answers: QuerySet, year: int | None) -> tuple[QuerySet, QuerySet]:
    """The rows about a period of ``year`` (a range on the indexed period_start)."""
    if year is None:
        return invitations, answers
    span = periods.year_range(year)
    return invitations.filter(period_start__range=span), answers.filter(response__period_start__range=span)


def _scope(*, survey_id: int | None, family: str | None) -> tuple[QuerySet, QuerySet]:
    invitations = SurveyInvitation.objects.all()
    answers = Answer.objects.exclude(kind=QuestionKind.TEXT).filter(score__isnull=False)
    if survey_id:
        invitations = invitations.filter(survey_id=survey_id)
        answers = answers.filter(response__survey_id=survey_id)
    if family:
        invitations = invitations.filter(family=family)
        answers = answers.filter(response__family=family)
    return invitations, answers


@dataclass
class Change:
    """One line of the year-over-year comparison; ``delta`` is None when a year has no data."""

    key: str
    label: str
    current: Decimal | int | None
    previous: Decimal | int | None
    unit: str = ""

    @property
    def delta(self) -> Decimal | int | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous


@dataclass
class Comparison:
    """The chosen year against the year before (P5.2: is satisfaction improving?)."""

    year: int
    current: Scores
    previous: Scores

    @property
    def changes(self) -> list[Change]:
        c, p = self.current, self.previous
        return [
            Change("nps", gettext("NPS"), c.nps, p.nps),
            Change("csat", gettext("CSAT"), c.csat, p.csat, "%"),
            Change("ces", gettext("CES"), c.ces, p.ces),
            Change("responses", gettext("Responses"), c.responses, p.responses),
            Change("rate", gettext("Response rate"), c.response_rate, p.response_rate, "%"),
        ]


@dataclass
class Results:
    overall: Scores
    by_period: list[Scores]
    by_family: list[Scores]
    by_department: list[Scores]
    # Quarter by quarter over the year before and the chosen year (all quarters with data
    # when no year is chosen); a year's surveys are in the year's figures only.
    by_quarter: list[Scores] = field(default_factory=list)
    comparison: Comparison | None = None
    year: int | None = None


def _quarter_rows(rows: tuple[list, list], year: int | None) -> list[Scores]:
    """Months count in their quarter; a year's survey has no quarter (it is in the year's
    figures only)."""
    grouped = _rollup(
        *rows, lambda row: SKIP if row["g_kind"] == PeriodKind.YEAR else periods.quarter_of(row["g_start"]).start
    )
    if year is not None:
        quarters = periods.quarters_of_year(year - 1) + periods.quarters_of_year(year)
    elif grouped:
        first, last = periods.quarter_of(min(grouped)), periods.quarter_of(max(grouped))
        quarters = [first]
        while quarters[-1] != last:
            quarters.append(periods.quarter_of(quarters[-1].end + dt.timedelta(days=1)))
    else:
        quarters = []
    rows_out = []
    for quarter in quarters:
        scores = grouped.get(quarter.start) or Scores(label="")
        scores.label, scores.key = quarter.display(), quarter.label
        rows_out.append(scores)
    return rows_out


def _fine(p: str) -> dict:
    """The finest grouping of the results page: every coarser group is a rollup of it."""
    return {
        "g_kind": F(f"{p}period_kind"),
        "g_start": F(f"{p}period_start"),
        "g_family": F(f"{p}family"),
        "g_department": F(f"{p}department_id"),
        "g_name": F(f"{p}department__name"),
        "g_name_zh": F(f"{p}department__name_zh"),
    }


def survey_results(*, survey_id: int | None = None, family: str | None = None, year: int | None = None) -> Results:
    """NPS, CSAT and CES with n and response rate (P4.1.3, P4.2.3, P5.2): overall and by
    period, family and department for ``year`` (None: every year); with a year, the same
    figures of the year before and the quarters of both years. Two grouped queries, by period,
    family and department, whatever the data size; every figure is a rollup of their rows."""
    invitations, answers = _scope(survey_id=survey_id, family=family)
    if year is not None:
        span = (periods.year_range(year - 1)[0], periods.year_range(year)[1])
        invitations = invitations.filter(period_start__range=span)
        answers = answers.filter(response__period_start__range=span)
    rows = _rows(invitations, answers, _fine)

    def of_year(key: Callable[[dict], object]) -> Callable[[dict], object]:
        return key if year is None else lambda row: key(row) if row["g_start"].year == year else SKIP

    overall = _rollup(*rows, of_year(lambda row: None)).get(None) or Scores(label="")
    comparison = None
    if year is not None:
        before = _rollup(*rows, lambda row: None if row["g_start"].year == year - 1 else SKIP).get(None)
        comparison = Comparison(year=year, current=overall, previous=before or Scores(label=""))

    by_period = _rollup(*rows, of_year(lambda row: (row["g_kind"], row["g_start"])))
    period_rows = []
    for kind, start in sorted(by_period, key=lambda k: (k[1], k[0])):
        period = Period(start, kind)
        scores = by_period[(kind, start)]
        scores.label, scores.key = period.display(), period.label
        period_rows.append(scores)

    by_family = _rollup(*rows, of_year(lambda row: row["g_family"]))
    families = []
    for key in [f for f in FAMILY_PLURALS if f in by_family]:
        by_family[key].label, by_family[key].key = str(FAMILY_PLURALS[key]), key
        families.append(by_family[key])

    by_department = _rollup(*rows, of_year(lambda row: (row["g_department"], row["g_name"], row["g_name_zh"])))
    departments = []
    for (pk, name, name_zh), scores in sorted(by_department.items(), key=lambda kv: (kv[0][0] is None, kv[0][1] or "")):
        scores.label = in_language(name, name_zh) if name else "—"
        scores.key = str(pk or "")
        departments.append(scores)

    overall.label = ""
    return Results(
        overall=overall,
        by_period=period_rows,
        by_family=families,
        by_department=departments,
        by_quarter=_quarter_rows(rows, year),
        comparison=comparison,
        year=year,
    )


def survey_years() -> list[int]:
    """The years that have surveys, newest first (the results page's year filter)."""
    return sorted({d.year for d in Survey.objects.dates("period_start", "year")}, reverse=True)


# --- The annual report (P5.2) ------------------------------------------------------------------


def responses_for_year(year: int, *, family: str | None = None) -> QuerySet[SurveyResponse]:
    """The responses about a period of ``year`` (a month, quarter or the year itself), with
    what the annual satisfaction report groups by: family and department as they were when
    the contact was invited, the partner (and its tier). Uses ``response_period_start_idx``."""
    responses = SurveyResponse.objects.filter(period_start__range=periods.year_range(year))
    if family:
        responses = responses.filter(family=family)
    return responses.select_related("partner", "department", "survey")


def scores_for_year(*, year: int, by: str = "overall", family: str | None = None) -> dict:
    """NPS, CSAT, CES, n and response rate of ``year``'s surveys grouped ``by`` "overall"
    (key None), "period" ((kind, start)), "quarter" (its first day), "family", "department"
    ((id, name)) or "tier", in two queries: what the annual satisfaction report (P5.2) shows per
    family, department and tier."""
    if by not in DIMENSIONS:
        raise ValueError(f"unknown grouping {by!r}")
    return _grouped(*_in_year(*_scope(survey_id=None, family=family), year), by)


# --- Service cases -------------------------------------------------------------------------


def case_satisfaction(*, case: Case) -> list[Answer]:
    """The answers of the survey sent after this case (P4.2.3), in one query."""
    return list(
        Answer.objects.filter(response__case_ref=case.reference)
        .select_related("question", "response")
        .order_by("response__submitted_at", "question__order", "pk")
    )


def case_satisfaction_panel(*, case: Case, user: User) -> dict | None:
    """The case page's "Satisfaction after this case" panel (registered in apps.py)."""
    answers = case_satisfaction(case=case) if case.closed_at else []
    if not answers:
        return None
    language = translation.get_language() or ""
    for answer in answers:
        answer.prompt = answer.question.prompt(language)
    return {"answers": answers}
