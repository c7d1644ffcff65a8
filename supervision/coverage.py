"""Policy coverage for a year (issue #11 §3): for each clause P3.1–P4.4.3, the evidence the
records give, by department, against the targets supervision sets (P5.1: "the P3 principles
and P4 clauses serve as audit criteria").

A *measure* counts records of one *source* (follow-ups, gifts, cases …): its population (the
records counted) and, for a rate, those that pass. Each source is one SQL query grouped by
department, with one conditional ``Count(filter=Q(...))`` pair per measure, and the sources'
queries are joined in one UNION ALL, so the page runs a fixed number of queries whatever the
data size and the number of sources. The drill-down lists the same population
with the same pass test (``measure_records``), so every number can be checked record by record.

What each measure means, and what it cannot know yet:
- the year's window runs from 1 January to 31 December, or to yesterday in the current
  year (today is not over); deadlines are judged in the site's time zone;
- partner status, tier and preferences are read as they are now (their history is not
  replayed); a partner registered after the window's end is left out;
- "contacted within cadence": a logged interaction in the RAPPORT_STALE_CONTACT_DAYS before
  the window's end, the rule of the dashboard's "not contacted" list (P3.2);
- agreements (P4.3.2) are counted, not their reviews and obligations: an agreement passes
  when every execution review due in the window was recorded by its due date (one still
  unrecorded fails it), and when every obligation due in the window (waived ones aside) was
  met by its due date — one query for both;
- industry reports read (P4.4.3) counts each reader of a report shared in the window, by the
  reader's department;
- association events attended (P4.4.1) counts the events recorded on an association's page
  that started in the window with at least one of our people among the attendees, by the
  department of whoever recorded the event; beside it, interactions logged as events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import CorrectiveAction
from crm.numbers import share
from evaluations import scoring
from evaluations.models import CorrectiveActionPlan, Decision, Evaluation, Purpose, ScorecardTemplate, StandingCode
from evaluations.surveys.models import SurveyInvitation
from evaluations.surveys.periods import year_range
from partners.agreements.models import IN_FORCE as AGREEMENT_IN_FORCE
from partners.agreements.models import Agreement, ExecutionReview, Obligation, ObligationStatus
from partners.associations.models import AssociationEvent, ReportReceipt
from partners.cases import sla
from partners.cases.models import Case as ServiceCase
from partners.cases.selectors import case_deadline_breached_q
from partners.customers.models import Gift, Need
from partners.models import Family, FollowUp, Interaction, Partner, Status, Tier

from .clauses import CLAUSES, Clause
from .models import CoverageTarget

YEAR_MIN = 2000
CONTACT_TIERS = (Tier.KEY, Tier.IMPORTANT)
EVALUATED_STATUSES = (Status.ACTIVE, Status.PROBATION, Status.SUSPENDED)
POOR_STANDINGS = (StandingCode.C, StandingCode.D)


# --- The year's window -------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The days of ``year`` that are over: 1 January to 31 December, or to yesterday."""

    year: int
    first: dt.date
    last: dt.date  # may be before ``first`` on 1 January: nothing is due yet
    now: dt.datetime

    @classmethod
    def of(cls, year: int, *, now: dt.datetime | None = None) -> Window:
        now = now or timezone.now()
        today = timezone.localdate(now)
        last = dt.date(year, 12, 31) if year < today.year else today - dt.timedelta(days=1)
        return cls(year=year, first=dt.date(year, 1, 1), last=last, now=now)

    @property
    def start_at(self) -> dt.datetime:
        return _midnight(self.first)

    @property
    def end_at(self) -> dt.datetime:
        """The exclusive end: midnight after the window's last day."""
        return _midnight(self.last + dt.timedelta(days=1))


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def year_choices(today: dt.date | None = None) -> list[int]:
    today = today or timezone.localdate()
    return list(range(today.year, YEAR_MIN - 1, -1))


def valid_year(year: int | None, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return year is not None and YEAR_MIN <= year <= today.year


# --- Records and their departments --------------------------------------------------------


@dataclass
class Record:
    """One row of a drill-down: what it is, where to read it, and whether it passed."""

    label: str
    url: str
    department: str
    detail: str
    passed: bool | None  # None: a count, no pass test


def _date(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return value.isoformat()


@dataclass(frozen=True)
class Source:
    """One kind of record, read in one grouped query."""

    key: str
    department: str  # the path to the record's department id
    queryset: Callable[[Window], QuerySet]
    select: tuple[str, ...]
    record: Callable[[object], tuple[str, str, str]]  # label, url, detail


# Partners: contact cadence (P3.2), preferences (P3.4), periodic evaluations (P4.1.1), needs
# (P4.2.1) and partner assessments (P4.3.1) are all questions about partners: one query.


def _contacted(window: Window) -> Exists:
    since = window.end_at - dt.timedelta(days=settings.RAPPORT_STALE_CONTACT_DAYS)
    return Exists(
        Interaction.objects.filter(partner=OuterRef("pk"), occurred_at__gte=since, occurred_at__lt=window.end_at)
    )


def _periods_ended(window: Window, cadence: str) -> list[dt.date]:
    """The last days of ``cadence``'s periods of the year that ended within the window."""
    ends, day = [], window.first
    while day.year == window.year:
        _start, end = scoring.period_for(day, cadence)
        if end <= window.last:
            ends.append(end)
        day = end + dt.timedelta(days=1)
    return ends


def _expected_evaluations(window: Window) -> Coalesce:
    """How many periodic evaluations a supplier owes for the window: for each active periodic
    supplier template of its tier, the periods that ended within the window and after the
    supplier was registered (P4.1.1 "evaluated periodically")."""
    per_cadence = []
    for cadence in scoring.CADENCE_MONTHS:
        terms = [
            Case(
                When(LessThan(OuterRef("created_at"), Value(_midnight(end + dt.timedelta(days=1)))), then=Value(1)),
                default=Value(0),
            )
            for end in _periods_ended(window, cadence)
        ]
        owed = sum(terms[1:], terms[0]) if terms else Value(0)
        per_cadence.append(When(cadence=cadence, then=owed))
    templates = (
        ScorecardTemplate.objects.filter(is_active=True, purpose=Purpose.PERIODIC, family=Family.SUPPLIER)
        .filter(Q(tier__isnull=True) | Q(tier=OuterRef("tier")))
        .order_by()
        .values("family")
        .annotate(owed=Sum(Case(*per_cadence, default=Value(0), output_field=IntegerField())))
        .values("owed")
    )
    return Coalesce(Subquery(templates, output_field=IntegerField()), Value(0))


def _periodic_supplier_templates() -> QuerySet:
    return ScorecardTemplate.objects.filter(is_active=True, purpose=Purpose.PERIODIC, family=Family.SUPPLIER)


def _closed_evaluations() -> QuerySet:
    """Closed, written as "not open" (the only other status) so that no index serves it: SQLite
    then walks one partner's evaluations by evaluation_partner_idx rather than every closed
    evaluation by evaluation_status_due_idx for each partner (minutes at 3,000 partners)."""
    return Evaluation.objects.exclude(status=Evaluation.Status.OPEN)


def _evaluations_done(window: Window) -> Coalesce:
    # COUNT without GROUP BY, and the templates as an IN list rather than a join.
    done = (
        _closed_evaluations()
        .filter(
            partner=OuterRef("pk"),
            template__in=_periodic_supplier_templates().values("pk"),
            period_start__gte=window.first,
            period_end__lte=window.last,
        )
        .order_by()  # no default ordering inside an aggregate (PostgreSQL refuses it)
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Coalesce(Subquery(done, output_field=IntegerField()), Value(0))


def _assessed(window: Window) -> Exists:
    return Exists(
        _closed_evaluations().filter(
            partner=OuterRef("pk"),
            template__in=ScorecardTemplate.objects.filter(purpose=Purpose.PARTNER_ASSESSMENT).values("pk"),
            closed_at__gte=window.start_at,
            closed_at__lt=window.end_at,
        )
    )


def _only_for(condition: Q, value, default):
    """``value`` (a subquery) computed only for the rows it concerns: every measure's filter
    repeats an annotation, and a correlated subquery per partner of every family is slow."""
    return Case(When(condition, then=value), default=default)


def _partners(window: Window) -> QuerySet:
    supplier, customer = Q(family=Family.SUPPLIER), Q(family=Family.CUSTOMER)
    needs = Need.objects.filter(partner=OuterRef("pk"), recorded_at__gte=window.start_at, recorded_at__lt=window.end_at)
    return Partner.objects.filter(archived_at__isnull=True, created_at__lt=window.end_at).annotate(
        contacted=_only_for(Q(tier__in=CONTACT_TIERS), _contacted(window), Value(False)),
        evaluations_owed=_only_for(supplier, _expected_evaluations(window), Value(0)),
        evaluations_done=_only_for(supplier, _evaluations_done(window), Value(0)),
        assessed=_only_for(Q(family=Family.PARTNER), _assessed(window), Value(False)),
        needs_recorded=_only_for(customer, Exists(needs), Value(False)),
    )


def _partner_record(partner) -> tuple[str, str, str]:
    detail = _("last contact %(day)s") % {"day": _date(partner.last_contacted_at)}
    if partner.family == Family.SUPPLIER:
        detail = _("%(done)s of %(owed)s periodic evaluations closed") % {
            "done": partner.evaluations_done,
            "owed": partner.evaluations_owed,
        }
    return partner.name, partner.get_absolute_url(), str(detail)


def _followups(window: Window) -> QuerySet:
    return FollowUp.objects.filter(due_on__gte=window.first, due_on__lte=window.last)


def _followup_record(followup) -> tuple[str, str, str]:
    detail = _("due %(due)s, done %(done)s") % {"due": _date(followup.due_on), "done": _date(followup.done_at)}
    return f"{followup.partner.name}: {followup.description}", followup.partner.get_absolute_url(), str(detail)


def _gifts(window: Window) -> QuerySet:
    return Gift.objects.filter(direction=Gift.Direction.GIVEN, date__gte=window.first, date__lte=window.last).exclude(
        status=Gift.Status.NOT_REQUIRED
    )


def _gift_record(gift) -> tuple[str, str, str]:
    detail = _("given %(given)s, %(status)s %(decided)s") % {
        "given": _date(gift.date),
        "status": gift.get_status_display(),
        "decided": _date(gift.decided_at) if gift.decided_at else "",
    }
    return f"{gift.partner.name}: {gift}", gift.partner.get_absolute_url(), str(detail).strip()


def _plan_closed() -> Q:
    """The decision's evaluation has an action plan whose actions (one at least) are all
    verified; cancelled actions do not count either way."""
    actions = CorrectiveAction.objects.filter(
        source_type__app_label=CorrectiveActionPlan._meta.app_label,
        source_type__model=CorrectiveActionPlan._meta.model_name,
        source_id=OuterRef("evaluation__action_plan__pk"),
    ).exclude(state=CorrectiveAction.State.CANCELLED)
    return Q(Exists(actions.filter(state=CorrectiveAction.State.VERIFIED))) & ~Q(
        Exists(actions.exclude(state=CorrectiveAction.State.VERIFIED))
    )


def _decisions(window: Window) -> QuerySet:
    return Decision.objects.filter(
        decided_at__gte=window.start_at, decided_at__lt=window.end_at, evaluation__standing__in=POOR_STANDINGS
    )


def _decision_record(decision) -> tuple[str, str, str]:
    evaluation = decision.evaluation
    detail = _("standing %(standing)s, decided %(day)s") % {
        "standing": evaluation.standing,
        "day": _date(decision.decided_at),
    }
    return (
        f"{evaluation.partner.name} · {evaluation.period_start:%Y-%m}",
        reverse("evaluations:detail", args=[evaluation.pk]),
        str(detail),
    )


def _case_missed(now: dt.datetime) -> Q:
    """A deadline missed: met late (``sla.met``), or not met and breached now."""
    return (
        Q(first_response_at__gt=F("response_due_at"))
        | case_deadline_breached_q(sla.RESPONSE, now)
        | Q(resolved_at__gt=F("resolution_due_at"))
        | case_deadline_breached_q(sla.RESOLUTION, now)
    )


def _cases(window: Window) -> QuerySet:
    return ServiceCase.objects.filter(opened_at__gte=window.start_at, opened_at__lt=window.end_at)


def _case_record(case) -> tuple[str, str, str]:
    detail = _("opened %(opened)s, resolved %(resolved)s") % {
        "opened": _date(case.opened_at),
        "resolved": _date(case.resolved_at),
    }
    return f"{case.reference} {case.subject}", reverse("cases:case_detail", args=[case.pk]), str(detail)


def _invitations(window: Window) -> QuerySet:
    """The invitations about a period of the year (a month, quarter or the year itself), as
    the survey results page counts its response rate."""
    return SurveyInvitation.objects.filter(period_start__range=year_range(window.year))


def _invitation_record(invitation) -> tuple[str, str, str]:
    detail = _("answered %(day)s") % {"day": _date(invitation.responded_at)}
    return (
        f"{invitation.partner.name} · {invitation.survey.display_title}",
        reverse("surveys:survey_detail", args=[invitation.survey_id]),
        str(detail),
    )


def _interactions(window: Window) -> QuerySet:
    return Interaction.objects.filter(
        occurred_at__gte=window.start_at,
        occurred_at__lt=window.end_at,
        partner__family__in=(Family.PARTNER, Family.ASSOCIATION),
    )


def _interaction_record(interaction) -> tuple[str, str, str]:
    return (
        f"{interaction.partner.name}: {interaction.subject}",
        interaction.partner.get_absolute_url(),
        f"{interaction.get_kind_display()} {_date(interaction.occurred_at)}",
    )


def _report_receipts(window: Window) -> QuerySet:
    """Each reader of an industry report shared in the window (P4.4.3), by the reader's department."""
    return ReportReceipt.objects.filter(report__created_at__gte=window.start_at, report__created_at__lt=window.end_at)


def _receipt_record(receipt) -> tuple[str, str, str]:
    detail = _("read %(day)s") % {"day": _date(receipt.read_at)} if receipt.read_at else _("unread")
    return (
        f"{receipt.report.title} · {receipt.reader.get_full_name() or receipt.reader.username}",
        reverse("associations:report_detail", args=[receipt.report_id]),
        str(detail),
    )


def _association_events(window: Window) -> QuerySet:
    """Events recorded on an association's page that started in the window (P4.4.1), each
    flagged when one of our people attended."""
    attendees = AssociationEvent.attendees.through.objects.filter(associationevent_id=OuterRef("pk"))
    return AssociationEvent.objects.filter(starts_on__gte=window.first, starts_on__lte=window.last).annotate(
        attended=Exists(attendees)
    )


def _association_event_record(event) -> tuple[str, str, str]:
    return (
        f"{event.association.name}: {event.topic}",
        event.association.get_absolute_url() + "#assoc-events",
        f"{event.get_kind_display()} {_date(event.starts_on)}",
    )


def _agreements(window: Window) -> QuerySet:
    """Agreements with a review or an obligation due in the window, each flagged: one query
    for both P4.3.2 measures. A review due and never recorded has no row: the agreement's own
    ``next_review_on`` still in the window says it is overdue."""
    reviews = ExecutionReview.objects.filter(
        agreement=OuterRef("pk"), due_on__gte=window.first, due_on__lte=window.last
    )
    obligations = Obligation.objects.filter(
        agreement=OuterRef("pk"), due_on__gte=window.first, due_on__lte=window.last
    ).exclude(status=ObligationStatus.WAIVED)
    return Agreement.objects.filter(starts_on__lte=window.last).annotate(
        reviews_due=Exists(reviews),
        reviews_late=Exists(reviews.filter(reviewed_on__gt=F("due_on"))),
        obligations_due=Exists(obligations),
        obligations_unmet=Exists(obligations.exclude(status=ObligationStatus.MET)),
    )


def _review_overdue(window: Window) -> Q:
    return Q(status__in=AGREEMENT_IN_FORCE, next_review_on__gte=window.first, next_review_on__lte=window.last)


def _agreement_record(agreement) -> tuple[str, str, str]:
    detail = _("next review %(due)s") % {"due": _date(agreement.next_review_on)}
    return agreement.title, agreement.get_absolute_url(), str(detail)


SOURCES = {
    source.key: source
    for source in (
        Source("partners", "department_id", _partners, (), _partner_record),
        Source("followups", "partner__department_id", _followups, ("partner",), _followup_record),
        Source("gifts", "partner__department_id", _gifts, ("partner",), _gift_record),
        Source(
            "decisions", "evaluation__partner__department_id", _decisions, ("evaluation__partner",), _decision_record
        ),
        Source("cases", "department_id", _cases, (), _case_record),
        Source("invitations", "department_id", _invitations, ("partner", "survey"), _invitation_record),
        Source("interactions", "partner__department_id", _interactions, ("partner",), _interaction_record),
        Source(
            "report_receipts", "reader__profile__department_id", _report_receipts, ("report", "reader"), _receipt_record
        ),
        Source("agreements", "department_id", _agreements, (), _agreement_record),
        Source("association_events", "department_id", _association_events, ("association",), _association_event_record),
    )
}


# --- Measures --------------------------------------------------------------------------


def _always(_window: Window) -> Q:
    return Q()


@dataclass(frozen=True)
class Measure:
    """A figure of one clause. ``passed`` None: a count of records (evidence, no rate)."""

    key: str
    clause: str
    source: str
    label: object
    population: Callable[[Window], Q]
    passed: Callable[[Window], Q] | None = None
    help: object = ""

    @property
    def is_rate(self) -> bool:
        return self.passed is not None


MEASURES: tuple[Measure, ...] = (
    Measure(
        "gifts_approved",
        "P3.1",
        "gifts",
        _("Gifts given that needed approval and were approved by the day they were given"),
        _always,
        lambda w: Q(status=Gift.Status.APPROVED, decided_at__date__lte=F("date")),
    ),
    Measure(
        "contact_cadence",
        "P3.2",
        "partners",
        _("Active key and important partners contacted within their cadence"),
        lambda w: Q(status=Status.ACTIVE, tier__in=CONTACT_TIERS),
        lambda w: Q(contacted=True),
        _("A logged contact in the %(days)s days before the end of the period."),
    ),
    Measure(
        "survey_response",
        "P3.2",
        "invitations",
        _("Satisfaction survey invitations answered (all families)"),
        _always,
        lambda w: Q(responded_at__isnull=False),
    ),
    Measure(
        "followups_on_time",
        "P3.3",
        "followups",
        _("Follow-ups done by their due date"),
        _always,
        lambda w: Q(done_at__isnull=False, done_at__date__lte=F("due_on")),
    ),
    Measure(
        "preferences_recorded",
        "P3.4",
        "partners",
        _("Active partners with a preferred language or channel recorded"),
        lambda w: Q(status=Status.ACTIVE),
        lambda w: ~Q(preferred_language="") | ~Q(preferred_channel=""),
    ),
    Measure(
        "suppliers_evaluated",
        "P4.1.1",
        "partners",
        _("Suppliers evaluated for every period that ended"),
        lambda w: Q(family=Family.SUPPLIER, status__in=EVALUATED_STATUSES, evaluations_owed__gt=0),
        lambda w: Q(evaluations_done__gte=F("evaluations_owed")),
    ),
    Measure(
        "poor_standing_plans",
        "P4.1.1",
        "decisions",
        _("Decisions on a C or D standing whose action plan is closed (every action verified)"),
        _always,
        lambda w: _plan_closed(),
    ),
    Measure(
        "supplier_cases",
        "P4.1.2",
        "cases",
        _("Supplier cases answered and resolved within their deadlines"),
        lambda w: Q(family=Family.SUPPLIER) & (Q(resolved_at__isnull=False) | _case_missed(w.now)),
        lambda w: ~_case_missed(w.now),
    ),
    Measure(
        "supplier_survey_response",
        "P4.1.3",
        "invitations",
        _("Supplier satisfaction survey invitations answered"),
        lambda w: Q(family=Family.SUPPLIER),
        lambda w: Q(responded_at__isnull=False),
    ),
    Measure(
        "customer_needs",
        "P4.2.1",
        "partners",
        _("Active key and important customers with a need recorded in the year"),
        lambda w: Q(family=Family.CUSTOMER, status=Status.ACTIVE, tier__in=CONTACT_TIERS),
        lambda w: Q(needs_recorded=True),
    ),
    Measure(
        "customer_cases",
        "P4.2.2",
        "cases",
        _("Customer cases answered and resolved within their deadlines"),
        lambda w: Q(family=Family.CUSTOMER) & (Q(resolved_at__isnull=False) | _case_missed(w.now)),
        lambda w: ~_case_missed(w.now),
    ),
    Measure(
        "customer_survey_response",
        "P4.2.3",
        "invitations",
        _("Customer satisfaction survey invitations answered"),
        lambda w: Q(family=Family.CUSTOMER),
        lambda w: Q(responded_at__isnull=False),
    ),
    Measure(
        "partners_assessed",
        "P4.3.1",
        "partners",
        _("Partners with a partner assessment closed in the year"),
        lambda w: Q(family=Family.PARTNER, assessed=True),
    ),
    Measure(
        "agreement_reviews_on_time",
        "P4.3.2",
        "agreements",
        _("Agreements whose execution reviews due in the year were all recorded by their due date"),
        lambda w: Q(reviews_due=True) | _review_overdue(w),
        lambda w: Q(reviews_late=False) & ~_review_overdue(w),
    ),
    Measure(
        "agreement_obligations_met",
        "P4.3.2",
        "agreements",
        _("Agreements whose obligations due in the year were all met by their due date"),
        lambda w: Q(obligations_due=True),
        lambda w: Q(obligations_unmet=False),
    ),
    Measure(
        "partner_interactions",
        "P4.3.3",
        "interactions",
        _("Interactions logged with partners"),
        lambda w: Q(partner__family=Family.PARTNER),
    ),
    Measure(
        "association_events",
        "P4.4.1",
        "interactions",
        _("Association events attended (logged as events)"),
        lambda w: Q(partner__family=Family.ASSOCIATION, kind=Interaction.Kind.EVENT),
    ),
    Measure(
        "association_events_attended",
        "P4.4.1",
        "association_events",
        _("Association events attended by at least one of our people (recorded on the association's page)"),
        lambda w: Q(attended=True),
    ),
    Measure(
        "association_interactions",
        "P4.4.2",
        "interactions",
        _("Interactions logged with associations and institutions"),
        lambda w: Q(partner__family=Family.ASSOCIATION),
    ),
    Measure(
        "industry_reports_read",
        "P4.4.3",
        "report_receipts",
        _("Industry reports read by the people they were shared with"),
        _always,
        lambda w: Q(read_at__isnull=False),
    ),
)

BY_KEY = {measure.key: measure for measure in MEASURES}

# Clauses the records cannot measure yet, and why (none since issue #13).
NOT_MEASURED: dict[str, str] = {}


def rate_measure_choices() -> list[tuple[str, str]]:
    return [(m.key, f"{m.clause} · {m.label}") for m in MEASURES if m.is_rate]


def measure_help(measure: Measure) -> str:
    if not measure.help:
        return ""
    return str(measure.help) % {"days": settings.RAPPORT_STALE_CONTACT_DAYS}


# --- Figures -----------------------------------------------------------------------------


class Rag:
    GREEN, AMBER, RED = "green", "amber", "red"


RAG_LABELS = {Rag.GREEN: _("On target"), Rag.AMBER: _("Near target"), Rag.RED: _("Below target")}


@dataclass
class Figure:
    measure: Measure
    counted: int = 0
    passed: int = 0
    target: Decimal | None = None
    amber_margin: Decimal | None = None

    @property
    def percent(self) -> Decimal | None:
        return share(part=self.passed, whole=self.counted) if self.measure.is_rate else None

    @property
    def failed(self) -> int:
        return self.counted - self.passed

    @property
    def rag(self) -> str:
        """Green at or above the target, amber within the margin below it, red further
        below; "" without a target or without data."""
        return rag_for(self.percent, self.target, self.amber_margin)

    @property
    def rag_label(self) -> str:
        return str(RAG_LABELS.get(self.rag, ""))


def rag_for(percent: Decimal | None, target: Decimal | None, margin: Decimal | None) -> str:
    if percent is None or target is None:
        return ""
    if percent >= target:
        return Rag.GREEN
    if percent >= target - (margin or 0):
        return Rag.AMBER
    return Rag.RED


@dataclass
class ClauseRow:
    clause: Clause
    figures: list[Figure] = field(default_factory=list)
    note: object = None  # why the clause has no measure yet


def _aggregates(window: Window) -> dict[str, dict]:
    names: dict[str, dict] = {}
    for measure in MEASURES:
        population = measure.population(window)
        names.setdefault(measure.source, {})[f"{measure.key}__counted"] = Count("pk", filter=population)
        if measure.is_rate:
            names[measure.source][f"{measure.key}__passed"] = Count("pk", filter=population & measure.passed(window))
    return names


@dataclass
class Coverage:
    """The page's figures: per clause for the chosen scope, and per measure × department."""

    window: Window
    rows: list[ClauseRow]
    # measure key -> department id (None: records without a department) -> figure
    by_department: dict[str, dict[int | None, Figure]]
    # When the figures were counted: up to FIGURES_MAX_AGE ago when read from the shared cache.
    counted_at: dt.datetime | None = None


# The columns every source's grouped rows put their department id and source in (no model has
# these fields).
_DEPARTMENT, _SOURCE = "coverage_department", "coverage_source"


def _grouped(window: Window, department_id: int | None, aggregates: dict[str, dict]) -> QuerySet:
    """Every source's figures by department in one query: each source's grouped query, padded
    with zeros for the other sources' columns so that all have the same columns in the same
    order, joined with UNION ALL (the page's fifteen-query budget: one query whatever the
    number of sources)."""
    names = [name for per_source in aggregates.values() for name in per_source]
    parts = []
    for index, (key, per_source) in enumerate(aggregates.items()):
        source = SOURCES[key]
        qs = source.queryset(window)
        if department_id is not None:
            qs = qs.filter(**{source.department: department_id})
        columns = {name: per_source.get(name, Value(0, output_field=IntegerField())) for name in names}
        grouped = qs.order_by().values(**{_DEPARTMENT: F(source.department)})
        parts.append(grouped.annotate(**{_SOURCE: Value(index, output_field=IntegerField())}, **columns))
    return parts[0].union(*parts[1:], all=True)


# The page's figures are the same for everyone who opens the same year and scope, and their one
# query reads every source of the year (issue #15: 95 ms at 3,000 partners on SQLite). Kept in
# the shared cache this long; the page says when they were counted. Targets are always read.
FIGURES_MAX_AGE = 60


def figures_key(year: int, department_id: int | None, *, now: dt.datetime | None = None) -> str:
    """The shared cache's key for the page's figures of ``year`` and scope, counted ``now``."""
    return f"supervision:coverage:{year}:{department_id}:{Window.of(year, now=now).last.isoformat()}"


def _counted_rows(window: Window, department_id: int | None, aggregates: dict[str, dict], *, shared: bool):
    """``_grouped``'s rows and when they were counted; with ``shared``, from the shared cache
    when counted less than FIGURES_MAX_AGE seconds ago for the same year, scope and last day."""
    if not shared:
        return list(_grouped(window, department_id, aggregates)), window.now
    key = figures_key(window.year, department_id, now=window.now)
    cached = cache.get(key)
    if cached is None:
        cached = (list(_grouped(window, department_id, aggregates)), timezone.now())
        cache.set(key, cached, FIGURES_MAX_AGE)
    return cached


def coverage(
    *, year: int, department_id: int | None = None, now: dt.datetime | None = None, shared: bool = False
) -> Coverage:
    """Every clause with its figures for ``year``, for one department or all of them (None),
    and each measure by department. One query for the figures (``_grouped``), one for the
    targets. ``shared``: figures up to FIGURES_MAX_AGE seconds old may come from the shared
    cache (the page; never the annual report, which counts afresh)."""
    window = Window.of(year, now=now)
    totals = {measure.key: Figure(measure) for measure in MEASURES}
    by_department: dict[str, dict[int | None, Figure]] = {measure.key: {} for measure in MEASURES}
    aggregates = _aggregates(window)
    own_columns = [set(per_source) for per_source in aggregates.values()]
    counted, counted_at = _counted_rows(window, department_id, aggregates, shared=shared)
    for counted_row in counted:
        row = dict(counted_row)  # a cached row stays as cached
        department, columns = row.pop(_DEPARTMENT), own_columns[row.pop(_SOURCE)]
        for name, value in row.items():
            if name not in columns:  # another source's padding
                continue
            measure_key, what = name.split("__")
            figure = by_department[measure_key].setdefault(department, Figure(BY_KEY[measure_key]))
            setattr(figure, what, value)
            setattr(totals[measure_key], what, getattr(totals[measure_key], what) + value)
    for target in CoverageTarget.objects.filter(measure__in=list(totals)):
        for figure in (totals[target.measure], *by_department[target.measure].values()):
            figure.target, figure.amber_margin = target.target, target.amber_margin
    rows = [
        ClauseRow(clause, [totals[m.key] for m in MEASURES if m.clause == clause.code], NOT_MEASURED.get(clause.code))
        for clause in CLAUSES
    ]
    return Coverage(window=window, rows=rows, by_department=by_department, counted_at=counted_at)


def measure_records(*, measure: Measure, year: int, department_id: int | None = None, outcome: str = "") -> QuerySet:
    """The records ``measure`` counts for ``year`` (and department), each annotated with
    ``ok`` (passed) for a rate; failed first. ``outcome``: "passed" or "failed" narrows it."""
    window = Window.of(year)
    source = SOURCES[measure.source]
    qs = source.queryset(window).filter(measure.population(window))
    if department_id is not None:
        qs = qs.filter(**{source.department: department_id})
    if source.select:
        qs = qs.select_related(*source.select)
    if not measure.is_rate:
        return qs.order_by("-pk")
    qs = qs.annotate(ok=ExpressionWrapper(measure.passed(window), output_field=BooleanField()))
    if outcome == "passed":
        qs = qs.filter(ok=True)
    elif outcome == "failed":
        qs = qs.filter(ok=False)
    return qs.order_by("ok", "-pk")


def as_record(measure: Measure, obj, departments: dict[int, str]) -> Record:
    source = SOURCES[measure.source]
    label, url, detail = source.record(obj)
    department_id = _path(obj, source.department)
    return Record(
        label=label,
        url=url,
        department=departments.get(department_id, "—"),
        detail=detail,
        passed=bool(obj.ok) if measure.is_rate else None,
    )


def _path(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj
