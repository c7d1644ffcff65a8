"""The figures of the annual satisfaction report (P5.2): pure reads, aggregated in SQL.

``annual_figures(year)`` returns a JSON-ready snapshot: sections of tables whose rows carry,
for each figure, the year's value ``v`` and the year before's ``p`` (the year-over-year
delta is ``v - p``, shown by supervision/report_exports.py). Every section is a fixed number
of grouped queries per year, whatever the data size, so the query count of a generation is
fixed (tested) and its time grows with the rows the database scans, never with Python loops
over records.

Labels are stored as keys (``["family", "supplier"]``, ``["tier", 1]``) and translated when
the snapshot is shown, so one frozen snapshot reads in English and in Chinese.

What each figure counts:
- satisfaction: survey answers about a period of the year (NPS, CSAT, CES with n) and the
  response rate of the invitations, per family, by department and by tier (the tier a
  partner has now); association engagement beside them (associations contacted, interactions,
  survey responses);
- scorecards: closed evaluations of a period starting in the year by overall standing,
  decisions taken in the year by outcome, incentives proposed in the year by kind and
  status, and the partners whose mean overall score moved most from the year before;
- cases opened in the year, by kind and family: volume, first response and resolution
  deadlines met (cases still within their clock at generation count in neither);
- contact coverage: active partners by tier and those with at least one interaction in the
  year; follow-ups due in the year, done by their due date, late, or not done;
- gifts dated in the year by direction and currency; those needing approval and approved
  before the day they were given;
- agreement execution (P4.3.2): execution reviews due in the year by agreement type, recorded
  by their due date, late, or not recorded (an agreement in force whose next review fell in
  the year and is past); obligations due in the year (waived ones aside) by who owed them,
  met by their due date, met late, or missed or still open;
- association engagement (P4.4.1, P4.4.3): industry events recorded on an association's page
  that started in the year with at least one of our people attending, by the recorder's
  department; industry reports shared in the year, each reader's receipt and those read, by
  the reader's department;
- findings recorded in the year by severity and status, corrective actions raised in the year
  (any source) by state;
- the improvement plan of the year before's published report, with how each item ended.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from crm.models import CorrectiveAction
from crm.numbers import share
from evaluations.models import Decision, Evaluation, Incentive, StandingCode
from evaluations.surveys.models import SurveyResponse
from evaluations.surveys.periods import year_range
from evaluations.surveys.selectors import scores_for_year
from partners.agreements.models import IN_FORCE as AGREEMENT_IN_FORCE
from partners.agreements.models import Agreement, ExecutionReview, Obligation, ObligationStatus
from partners.associations.models import AssociationEvent, ReportReceipt
from partners.cases.models import Case
from partners.cases.selectors import case_deadline_breached_q
from partners.cases.sla import RESOLUTION, RESPONSE
from partners.customers.models import Gift
from partners.models import Family, FollowUp, Interaction, Partner, Status, Tier

from .models import AnnualReport, Finding

FORMAT = 1
SATISFACTION_FAMILIES = (Family.SUPPLIER, Family.CUSTOMER, Family.PARTNER, Family.ASSOCIATION)
MOVERS = 10

# Column kinds: how a value is shown and written to the spreadsheet.
INT, PCT, SCORE, MONEY, TEXT, LABEL = "int", "pct", "score", "money", "text", "label"


def _num(value) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


def year_span(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The year as [start, next start) in local time, for datetime fields."""
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def _in_year(field: str, year: int) -> Q:
    start, end = year_span(year)
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


class Table:
    """A table of one year: columns (key, kind) and rows keyed by their label spec."""

    def __init__(self, key: str, columns: list[tuple[str, str]], *, yoy: bool = True, title=None):
        self.key, self.columns, self.yoy = key, columns, yoy
        self.title = title or ["text", key]
        self.rows: dict[str, tuple[list, list]] = {}

    def add(self, label: list, values: list) -> None:
        self.rows[repr(label)] = (label, [_num(v) for v in values])

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "columns": [list(c) for c in self.columns],
            "yoy": self.yoy,
            "rows": [{"label": label, "v": values} for label, values in self.rows.values()],
        }


# --- Sections: each returns (tables, volume) for one year ---------------------------------------

SCORE_COLUMNS = [
    ("responses", INT),
    ("response_rate", PCT),
    ("nps", SCORE),
    ("nps_n", INT),
    ("csat", PCT),
    ("csat_n", INT),
    ("ces", SCORE),
    ("ces_n", INT),
]


def _score_values(scores) -> list:
    return [
        scores.responses,
        scores.response_rate,
        scores.nps,
        scores.nps_n,
        scores.csat,
        scores.csat_n,
        scores.ces,
        scores.ces_n,
    ]


def satisfaction(year: int) -> tuple[list[Table], int]:
    """Per family: overall, by department, by tier (2 queries each); association engagement."""
    tables, volume = [], 0
    for family in SATISFACTION_FAMILIES:
        table = Table(f"satisfaction_{family}", SCORE_COLUMNS, title=["family", str(family)])
        overall = scores_for_year(year=year, by="overall", family=family).get(None)
        if overall is not None:
            table.add(["text", "all"], _score_values(overall))
            volume += overall.responses + overall.nps_n + overall.csat_n + overall.ces_n
        by_department = scores_for_year(year=year, by="department", family=family)
        for (_pk, name, name_zh), scores in sorted(by_department.items(), key=lambda kv: kv[0][1] or ""):
            table.add(["department", name or "—", name_zh or ""], _score_values(scores))
        by_tier = scores_for_year(year=year, by="tier", family=family)
        for tier, scores in sorted(by_tier.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
            table.add(["tier", tier], _score_values(scores))
        tables.append(table)

    engagement = Table("association_engagement", [("count", INT)])
    associations = Partner.objects.filter(family=Family.ASSOCIATION)
    interactions = Interaction.objects.filter(_in_year("occurred_at", year), partner__family=Family.ASSOCIATION)
    counted = interactions.aggregate(n=Count("pk"), partners=Count("partner", distinct=True))
    engagement.add(["text", "associations"], [associations.filter(archived_at__isnull=True).count()])
    engagement.add(["text", "associations_contacted"], [counted["partners"]])
    engagement.add(["text", "association_interactions"], [counted["n"]])
    engagement.add(
        ["text", "association_responses"],
        [SurveyResponse.objects.filter(period_start__range=year_range(year), family=Family.ASSOCIATION).count()],
    )
    tables.append(engagement)
    return tables, volume


def scorecards(year: int) -> tuple[list[Table], int]:
    closed = Evaluation.objects.filter(status=Evaluation.Status.CLOSED, period_start__range=year_range(year))
    standings = Table("standings", [("evaluations", INT), ("share", PCT)])
    counts = {
        row["overall_standing"]: row["n"]
        for row in closed.values("overall_standing").annotate(n=Count("pk")).order_by()
    }
    total = sum(counts.values())
    for code in [*StandingCode.values, ""]:
        if code in counts or code:
            standings.add(["standing", code], [counts.get(code, 0), share(part=counts.get(code, 0), whole=total)])

    decisions = Table("decisions", [("decisions", INT)])
    for row in (
        Decision.objects.filter(_in_year("decided_at", year)).values("outcome").annotate(n=Count("pk")).order_by()
    ):
        decisions.add(["outcome", row["outcome"]], [row["n"]])

    incentives = Table("incentives", [("proposed", INT), ("approved", INT), ("rejected", INT)])
    for row in (
        Incentive.objects.filter(_in_year("created_at", year))
        .values("kind")
        .annotate(
            proposed=Count("pk"),
            approved=Count("pk", filter=Q(status=Incentive.Status.APPROVED)),
            rejected=Count("pk", filter=Q(status=Incentive.Status.REJECTED)),
        )
        .order_by("kind")
    ):
        incentives.add(["incentive", row["kind"]], [row["proposed"], row["approved"], row["rejected"]])
    return [standings, decisions, incentives], total + sum(r[1][0] for r in decisions.rows.values())


def movers(year: int) -> Table:
    """The partners whose mean overall score (closed evaluations of the year) moved most from
    the year before, either way: two grouped queries."""

    def means(y: int) -> dict[int, Decimal]:
        rows = (
            Evaluation.objects.filter(
                status=Evaluation.Status.CLOSED, period_start__range=year_range(y), overall_score__isnull=False
            )
            .values("partner_id")
            .annotate(mean=Avg("overall_score"))
            .order_by()
        )
        return {row["partner_id"]: row["mean"] for row in rows}

    now, before = means(year), means(year - 1)
    changes = sorted(
        ((Decimal(now[pk]) - Decimal(before[pk]), pk) for pk in now.keys() & before.keys()),
        key=lambda c: (-abs(c[0]), c[1]),
    )[:MOVERS]
    names = dict(Partner.objects.filter(pk__in=[pk for _c, pk in changes]).values_list("pk", "name"))
    table = Table("movers", [("score", SCORE), ("score_before", SCORE), ("change", SCORE)], yoy=False)
    for change, pk in changes:
        if change:
            table.add(
                ["raw", names.get(pk, "—")],
                [round(Decimal(now[pk]), 1), round(Decimal(before[pk]), 1), round(change, 1)],
            )
    return table


def cases(year: int) -> tuple[list[Table], int]:
    """SLA attainment of the cases opened in the year, by kind and family: one grouped query,
    rolled up here. Judged at generation: an open case past its deadline has missed it."""
    now = timezone.now()
    response_missed = Q(first_response_at__gt=F("response_due_at")) | case_deadline_breached_q(RESPONSE, now)
    resolution_missed = Q(resolved_at__gt=F("resolution_due_at")) | case_deadline_breached_q(RESOLUTION, now)
    rows = list(
        Case.objects.filter(_in_year("opened_at", year))
        .values("kind", "family")
        .annotate(
            n=Count("pk"),
            response_met=Count("pk", filter=Q(first_response_at__lte=F("response_due_at"))),
            response_missed=Count("pk", filter=response_missed),
            resolution_met=Count("pk", filter=Q(resolved_at__lte=F("resolution_due_at"))),
            resolution_missed=Count("pk", filter=resolution_missed),
        )
        .order_by("kind", "family")
    )
    columns = [("cases", INT), ("response_met", PCT), ("resolution_met", PCT)]

    def rollup(table: Table, key: Callable[[dict], list]) -> None:
        groups: dict[str, tuple[list, dict]] = {}
        for row in rows:
            label = key(row)
            sums = groups.setdefault(repr(label), (label, dict.fromkeys(row, 0)))[1]
            for name in ("n", "response_met", "response_missed", "resolution_met", "resolution_missed"):
                sums[name] += row[name]
        for label, s in groups.values():
            table.add(
                label,
                [
                    s["n"],
                    share(part=s["response_met"], whole=s["response_met"] + s["response_missed"]),
                    share(part=s["resolution_met"], whole=s["resolution_met"] + s["resolution_missed"]),
                ],
            )

    by_kind, by_family = Table("cases_by_kind", columns), Table("cases_by_family", columns)
    rollup(by_kind, lambda r: ["text", "all"])
    rollup(by_kind, lambda r: ["case_kind", r["kind"]])
    rollup(by_family, lambda r: ["family", r["family"]])
    return [by_kind, by_family], sum(r["n"] for r in rows)


def contact(year: int) -> tuple[list[Table], int]:
    coverage = Table(
        "contact_coverage", [("partners", INT), ("contacted", INT), ("coverage", PCT), ("interactions", INT)]
    )
    active = {
        row["tier"]: row["n"]
        for row in Partner.objects.filter(status=Status.ACTIVE, archived_at__isnull=True)
        .values("tier")
        .annotate(n=Count("pk"))
        .order_by()
    }
    contacted = {
        row["partner__tier"]: row
        for row in Interaction.objects.filter(_in_year("occurred_at", year), partner__status=Status.ACTIVE)
        .values("partner__tier")
        .annotate(partners=Count("partner", distinct=True), n=Count("pk"))
        .order_by()
    }
    volume = 0
    for tier in Tier.values:
        row = contacted.get(tier, {"partners": 0, "n": 0})
        volume += row["n"]
        coverage.add(
            ["tier", tier],
            [active.get(tier, 0), row["partners"], share(part=row["partners"], whole=active.get(tier, 0)), row["n"]],
        )

    followups = Table(
        "followups",
        [("due", INT), ("on_time", INT), ("late", INT), ("not_done", INT), ("on_time_share", PCT)],
    )
    today = timezone.localdate()
    rows = (
        FollowUp.objects.filter(due_on__range=year_range(year))
        .annotate(done_on=TruncDate("done_at"))
        .values("partner__tier")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(done_on__lte=F("due_on"))),
            late=Count("pk", filter=Q(done_on__gt=F("due_on"))),
            not_done=Count("pk", filter=Q(done_at__isnull=True, due_on__lt=today)),
        )
        .order_by("partner__tier")
    )
    total = dict.fromkeys(("due", "on_time", "late", "not_done"), 0)
    per_tier = []
    for row in rows:
        for name in total:
            total[name] += row[name]
        per_tier.append(row)
    if total["due"]:
        followups.add(["text", "all"], [*total.values(), share(part=total["on_time"], whole=total["due"])])
        for row in per_tier:
            values = [row[n] for n in total]
            followups.add(["tier", row["partner__tier"]], [*values, share(part=row["on_time"], whole=row["due"])])
    return [coverage, followups], volume + total["due"]


def gifts(year: int) -> tuple[list[Table], int]:
    in_year = Gift.objects.filter(date__range=year_range(year))
    register = Table("gifts", [("gifts", INT), ("value", MONEY)])
    volume = 0
    for row in (
        in_year.values("direction", "currency")
        .annotate(n=Count("pk"), value=Sum("value"))
        .order_by("direction", "currency")
    ):
        volume += row["n"]
        register.add(["direction", row["direction"], row["currency"]], [row["n"], row["value"]])
    needing = ~Q(status=Gift.Status.NOT_REQUIRED)
    approved_before = Q(status=Gift.Status.APPROVED, decided_on__lte=F("date"))
    counted = (
        in_year.filter(direction=Gift.Direction.GIVEN)
        .annotate(decided_on=TruncDate("decided_at"))
        .aggregate(
            needing=Count("pk", filter=needing),
            approved_before=Count("pk", filter=approved_before),
            approved_after=Count("pk", filter=Q(status=Gift.Status.APPROVED) & ~approved_before),
            rejected=Count("pk", filter=Q(status=Gift.Status.REJECTED)),
            pending=Count("pk", filter=Q(status=Gift.Status.PENDING)),
        )
    )
    approval = Table("gift_approval", [("count", INT)])
    for name, value in counted.items():
        approval.add(["text", f"gifts_{name}"], [value])
    approval.add(
        ["text", "gifts_approved_before_share"], [share(part=counted["approved_before"], whole=counted["needing"])]
    )
    approval.columns = [("count", INT)]
    return [register, approval], volume


def agreements(year: int) -> tuple[list[Table], int]:
    """Agreement execution (P4.3.2): three grouped queries."""
    today = timezone.localdate()
    reviews = Table(
        "agreement_reviews", [("due", INT), ("on_time", INT), ("late", INT), ("not_done", INT), ("on_time_share", PCT)]
    )
    recorded = {
        row["agreement__kind"]: row
        for row in ExecutionReview.objects.filter(due_on__range=year_range(year))
        .values("agreement__kind")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(reviewed_on__lte=F("due_on"))))
        .order_by()
    }
    missing = dict(
        Agreement.objects.filter(
            status__in=AGREEMENT_IN_FORCE, next_review_on__range=year_range(year), next_review_on__lt=today
        )
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    volume = 0
    for kind in sorted(set(recorded) | set(missing)):
        row = recorded.get(kind, {"n": 0, "on_time": 0})
        due = row["n"] + missing.get(kind, 0)
        volume += due
        reviews.add(
            ["agreement_type", kind],
            [
                due,
                row["on_time"],
                row["n"] - row["on_time"],
                missing.get(kind, 0),
                share(part=row["on_time"], whole=due),
            ],
        )
    obligations = Table(
        "agreement_obligations",
        [("due", INT), ("on_time", INT), ("late", INT), ("not_done", INT), ("on_time_share", PCT)],
    )
    for row in (
        Obligation.objects.filter(due_on__range=year_range(year), due_on__lt=today)
        .exclude(status=ObligationStatus.WAIVED)
        .values("party")
        .annotate(
            n=Count("pk"),
            met=Count("pk", filter=Q(status=ObligationStatus.MET)),
            late=Count("pk", filter=Q(status=ObligationStatus.LATE)),
            not_done=Count("pk", filter=Q(status__in=[ObligationStatus.MISSED, ObligationStatus.OPEN])),
        )
        .order_by("party")
    ):
        volume += row["n"]
        obligations.add(
            ["party", row["party"]],
            [row["n"], row["met"], row["late"], row["not_done"], share(part=row["met"], whole=row["n"])],
        )
    return [reviews, obligations], volume


def associations(year: int) -> tuple[list[Table], int]:
    """Events attended (P4.4.1) and industry reports read (P4.4.3), by department: two grouped
    queries."""
    events = Table("association_events", [("events", INT)])
    attended = AssociationEvent.objects.filter(
        starts_on__range=year_range(year),
        pk__in=AssociationEvent.attendees.through.objects.values("associationevent_id"),
    )
    rows = list(
        attended.values("department__name", "department__name_zh").annotate(n=Count("pk")).order_by("department__name")
    )
    total = sum(r["n"] for r in rows)
    if total:
        events.add(["text", "all"], [total])
        for r in rows:
            events.add(["department", r["department__name"] or "—", r["department__name_zh"] or ""], [r["n"]])

    reports = Table("industry_reports_read", [("receipts", INT), ("read", INT), ("read_share", PCT)])
    rows = list(
        ReportReceipt.objects.filter(_in_year("report__created_at", year))
        .values("reader__profile__department__name", "reader__profile__department__name_zh")
        .annotate(n=Count("pk"), read=Count("pk", filter=Q(read_at__isnull=False)))
        .order_by("reader__profile__department__name")
    )
    receipts, read = sum(r["n"] for r in rows), sum(r["read"] for r in rows)
    if receipts:
        reports.add(["text", "all"], [receipts, read, share(part=read, whole=receipts)])
        for r in rows:
            name = r["reader__profile__department__name"]
            reports.add(
                ["department", name or "—", r["reader__profile__department__name_zh"] or ""],
                [r["n"], r["read"], share(part=r["read"], whole=r["n"])],
            )
    return [events, reports], total + receipts


def findings(year: int) -> tuple[list[Table], int]:
    by_severity = Table("findings", [("findings", INT), ("awaiting", INT), ("responded", INT), ("closed", INT)])
    rows = {
        row["severity"]: row
        for row in Finding.objects.filter(_in_year("created_at", year))
        .values("severity")
        .annotate(
            n=Count("pk"),
            awaiting=Count("pk", filter=Q(status=Finding.Status.AWAITING_RESPONSE)),
            responded=Count("pk", filter=Q(status=Finding.Status.RESPONDED)),
            closed=Count("pk", filter=Q(status=Finding.Status.CLOSED)),
        )
        .order_by()
    }
    for severity in Finding.Severity.values:
        if severity in rows:
            r = rows[severity]
            by_severity.add(["severity", severity], [r["n"], r["awaiting"], r["responded"], r["closed"]])

    actions = Table("actions", [("actions", INT), ("overdue", INT)])
    today = timezone.localdate()
    open_states = [CorrectiveAction.State.OPEN, CorrectiveAction.State.RESPONDED]
    counts = {
        row["state"]: row
        for row in CorrectiveAction.objects.filter(_in_year("created_at", year))
        .values("state")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=Q(state__in=open_states, due_on__lt=today)))
        .order_by()
    }
    for state in CorrectiveAction.State.values:
        if state in counts:
            actions.add(["action_state", state], [counts[state]["n"], counts[state]["overdue"]])
    volume = sum(r["n"] for r in rows.values()) + sum(r["n"] for r in counts.values())
    return [by_severity, actions], volume


def previous_plan(year: int) -> Table:
    """The improvement plan of the year before's published report, and how each item ended
    (the state of its corrective action): two queries."""
    table = Table(
        "previous_plan", [("department", LABEL), ("owner", TEXT), ("due", TEXT), ("outcome", LABEL)], yoy=False
    )
    report = AnnualReport.objects.filter(year=year - 1, state=AnnualReport.State.PUBLISHED).first()
    if report is None:
        return table
    for item in report.items.select_related("department", "owner", "action").order_by("position", "pk"):
        outcome = ["action_state", item.action.state] if item.action_id else ["text", "no_action"]
        owner = item.owner.get_full_name() or item.owner.get_username()
        # Both names: the page and the files show the one of the reader's language.
        department = ["department", item.department.name, item.department.name_zh]
        table.add(["raw", item.description], [department, owner, item.due_on.isoformat(), outcome])
    return table


# --- The snapshot ----------------------------------------------------------------------------------

SECTIONS: list[tuple[str, Callable[[int], tuple[list[Table], int]]]] = [
    ("satisfaction", satisfaction),
    ("scorecards", scorecards),
    ("cases", cases),
    ("contact", contact),
    ("gifts", gifts),
    ("agreements", agreements),
    ("associations", associations),
    ("findings", findings),
]


def _merge(current: list[Table], previous: list[Table]) -> list[dict]:
    """The year's tables with the year before's value beside each figure (``p``)."""
    before = {t.key: t for t in previous}
    merged = []
    for table in current:
        data = table.as_dict()
        old = before.get(table.key)
        if table.yoy and old is not None:
            for row in data["rows"]:
                previous_row = old.rows.get(repr(row["label"]))
                row["p"] = previous_row[1] if previous_row else [None] * len(row["v"])
            seen = {repr(r["label"]) for r in data["rows"]}
            for key, (label, values) in old.rows.items():
                if key not in seen:  # a department or kind that had figures only the year before
                    data["rows"].append({"label": label, "v": [None] * len(values), "p": values})
        merged.append(data)
    return merged


def annual_figures(year: int, *, progress: Callable[[int], None] | None = None) -> dict:
    """The report's snapshot for ``year`` with the year before beside every figure.
    ``progress(percent)`` is called after each section (the page's progress bar)."""
    sections, volume = [], 0
    steps = len(SECTIONS) + 1
    for done, (key, compute) in enumerate(SECTIONS, start=1):
        current, count = compute(year)
        previous, _count = compute(year - 1)
        volume += count
        tables = _merge(current, previous)
        if key == "scorecards":
            tables.append(movers(year).as_dict())
        sections.append({"key": key, "tables": tables})
        if progress:
            progress(int(100 * done / steps))
    sections.append({"key": "improvement", "tables": [previous_plan(year).as_dict()]})
    return {
        "format": FORMAT,
        "year": year,
        "previous_year": year - 1,
        "has_data": volume > 0,
        "computed_at": timezone.now().isoformat(),
        "sections": sections,
    }
