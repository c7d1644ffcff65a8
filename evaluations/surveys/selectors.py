"""Reads of the satisfaction surveys: access, contacts to invite, results (P5.2).

The results are aggregated in SQL, one grouped query per dimension for the answers and
one for the invitations, so the page costs the same number of queries for ten responses
or ten thousand.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404
from django.utils import translation

from crm import roles
from crm.models import Department
from partners.cases.models import Case
from partners.models import FAMILY_PLURALS, Contact
from partners.selectors import partner_list_for_user

from . import metrics
from .models import Answer, QuestionKind, Survey, SurveyInvitation

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

# dimension → (invitation field, answer field)
DIMENSIONS = {
    "overall": (None, None),
    "period": ("period", "response__period"),
    "family": ("family", "response__family"),
    "department": ("department_id", "response__department_id"),
}


def _grouped(invitations: QuerySet, answers: QuerySet, dimension: str) -> dict[str, Scores]:
    inv_field, ans_field = DIMENSIONS[dimension]
    inv_aggr = {"invited": Count("pk"), "responded": Count("pk", filter=Q(responded_at__isnull=False))}
    groups: dict = {}
    if inv_field is None:
        inv_rows = [{**invitations.aggregate(**inv_aggr), "key": None}]
    else:
        inv_rows = invitations.values(key=F(inv_field)).annotate(**inv_aggr).order_by()
    for row in inv_rows:
        scores = groups.setdefault(row["key"], Scores(label=""))
        scores.invitations, scores.responses = row["invited"] or 0, row["responded"] or 0
    values = ["kind"] if ans_field is None else ["kind", ans_field]
    for row in answers.values(*values).annotate(**ANSWER_AGGREGATES).order_by():
        key = None if ans_field is None else row[ans_field]
        scores = groups.setdefault(key, Scores(label=""))
        if row["kind"] == QuestionKind.NPS:
            scores.nps_n = row["n"]
            scores.nps = metrics.nps_from_counts(n=row["n"], promoters=row["promoters"], detractors=row["detractors"])
        elif row["kind"] == QuestionKind.CSAT:
            scores.csat_n = row["n"]
            scores.csat = metrics.csat_from_counts(n=row["n"], satisfied=row["satisfied"])
        elif row["kind"] == QuestionKind.CES:
            scores.ces_n = row["n"]
            scores.ces = metrics.ces_from_total(n=row["n"], total=row["total"])
    return groups


@dataclass
class Results:
    overall: Scores
    by_period: list[Scores]
    by_family: list[Scores]
    by_department: list[Scores]


def survey_results(*, survey_id: int | None = None, family: str | None = None) -> Results:
    """NPS, CSAT and CES with n and response rate: overall and by period, family and
    department (P4.1.3, P4.2.3, P5.2). Seven queries whatever the data size."""
    invitations = SurveyInvitation.objects.all()
    answers = Answer.objects.exclude(kind=QuestionKind.TEXT).filter(score__isnull=False)
    if survey_id:
        invitations = invitations.filter(survey_id=survey_id)
        answers = answers.filter(response__survey_id=survey_id)
    if family:
        invitations = invitations.filter(family=family)
        answers = answers.filter(response__family=family)

    overall = _grouped(invitations, answers, "overall").get(None) or Scores(label="")

    by_period = _grouped(invitations, answers, "period")
    periods = []
    for key in sorted(by_period):
        by_period[key].label = by_period[key].key = key
        periods.append(by_period[key])

    by_family = _grouped(invitations, answers, "family")
    families = []
    for key in [f for f in FAMILY_PLURALS if f in by_family]:
        by_family[key].label, by_family[key].key = str(FAMILY_PLURALS[key]), key
        families.append(by_family[key])

    by_department = _grouped(invitations, answers, "department")
    names = dict(Department.objects.filter(pk__in=[k for k in by_department if k]).values_list("pk", "name"))
    departments = []
    for key, scores in sorted(by_department.items(), key=lambda kv: (kv[0] is None, names.get(kv[0], ""))):
        scores.label = names.get(key, "—")
        scores.key = str(key or "")
        departments.append(scores)

    overall.label = ""
    return Results(overall=overall, by_period=periods, by_family=families, by_department=departments)


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
