"""Reads and access checks of the associations app (P4.4).

Who may do what:
- managers of the association's department manage its memberships and positions;
- its department's staff and managers record events, standards work and submissions
  (projects with associations are the projects app's)
  (``partners.selectors.can_edit_partner``);
- staff and managers of any department share industry reports; every role reads them
  (supervision included), and only a report's readers mark it read and comment.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Count, DateField, F, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm import roles
from crm.choices import choice_label
from partners.models import Family, Partner
from partners.selectors import can_edit_partner, can_manage_partner

from .models import (
    AssociationEvent,
    IndustryReport,
    Membership,
    Position,
    ReportReceipt,
    StandardRole,
    StandardStage,
    StandardWork,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# How far ahead the dashboard looks for memberships to renew and position terms ending, at most
# (each row's own reminder days decide when it appears).
PANEL_ROWS = 5


def may_manage_holdings(user: User, association: Partner) -> bool:
    """Memberships and positions: the association department's managers (P4.4.1)."""
    return association.family == Family.ASSOCIATION and can_manage_partner(user, association)


def may_record_activity(user: User, association: Partner) -> bool:
    """Events, standards work, submissions: the association department's staff and managers."""
    return association.family == Family.ASSOCIATION and can_edit_partner(user, association)


def may_share_report(user: User) -> bool:
    return roles.has_write_role(user)


def _section_rows(partner: Partner) -> dict[str, list[dict]]:
    """Every section's rows of an association but its events, in ONE query: a union of the
    same columns from each model (a page of several sections must stay within a fixed number
    of queries). Each row is a dict; choice codes are turned into labels here."""
    text, date = CharField(), DateField()
    none_text, none_date = Value("", output_field=text), Value(None, output_field=date)
    person = Concat("person__first_name", Value(" "), "person__last_name", output_field=text)

    def shape(qs, section, *, title, code1=None, code2=None, d1=None, d2=None, who=None, doc=None, extra=None):
        return (
            qs.filter(association=partner)
            .order_by()
            .values_list(
                Value(section, output_field=text),
                "pk",
                Cast(title, text),
                Cast(code1, text) if code1 else none_text,
                code2 or none_text,
                d1 or none_date,
                d2 or none_date,
                who or none_text,
                doc or none_text,
                extra or none_text,
            )
        )

    union = shape(Membership.objects, "membership", title="level", code1="fee", d1="starts_on", d2="ends_on").union(
        shape(
            Position.objects,
            "position",
            title="role",
            d1="starts_on",
            d2="ends_on",
            who=person,
            code1="person__username",
        ),
        shape(StandardWork.objects, "standard", title="title", code1="our_role", code2="stage", doc="document"),
        shape(Submission.objects, "submission", title="subject", code1="kind", code2="status", extra="response"),
        shape(IndustryReport.objects, "report", title="title", d1="published_on"),
        all=True,
    )
    labels = {
        "standard": (StandardRole, StandardStage),
        "submission": (SubmissionKind, SubmissionStatus),
    }
    sections: dict[str, list[dict]] = {key: [] for key in SECTIONS}
    for section, pk, title, code1, code2, d1, d2, who, doc, extra in union:
        row = {"pk": pk, "title": title, "starts_on": d1, "ends_on": d2, "who": who.strip() or code1, "doc": doc}
        row["extra"] = extra
        if section == "membership":
            row["fee"] = Decimal(code1) if code1 else None
        elif section in labels:
            first, second = labels[section]
            row["label1"], row["label2"] = choice_label(first, code1), choice_label(second, code2)
        sections[section].append(row)
    for section, rows in sections.items():
        # Newest first (by end date, then id), at most PANEL_ROWS a section.
        rows.sort(key=lambda r: (r["ends_on"] or r["starts_on"] or dt.date.min, r["pk"]), reverse=True)
        sections[section] = rows[:PANEL_ROWS]
    return sections


SECTIONS = ("membership", "position", "standard", "submission", "report")


def association_panel(*, partner: Partner, user: User, **_kwargs) -> dict | None:
    """The association page's sections (P4.4): two queries whatever their size (the events, and
    every other section in one union)."""
    if partner.family != Family.ASSOCIATION:
        return None
    rows = _section_rows(partner)
    return {
        **{f"{section}s": rows[section] for section in SECTIONS},
        "events": list(
            partner.association_events.annotate(attendee_count=Count("attendees")).order_by("-starts_on", "-pk")[
                :PANEL_ROWS
            ]
        ),
        "can_manage": may_manage_holdings(user, partner),
        "can_record": may_record_activity(user, partner),
        "today": timezone.localdate(),
    }


def reminder_due(ends_on: dt.date | None, remind_days: int, today: dt.date) -> bool:
    """A term's reminder has come: from ``remind_days`` before its end to 30 days after it (a
    membership still to renew, a position still to hand over)."""
    return ends_on is not None and ends_on - dt.timedelta(days=remind_days) <= today <= ends_on + dt.timedelta(days=30)


def _candidates(qs: QuerySet, today: dt.date) -> QuerySet:
    # 365: the largest reminder a row may ask for (the field's max); the rest is decided per row.
    return qs.filter(ends_on__gte=today - dt.timedelta(days=30), ends_on__lte=today + dt.timedelta(days=365))


def memberships_due(*, today: dt.date, department_id: int | None = None) -> list[Membership]:
    """Memberships whose renewal reminder has come (one query)."""
    qs = _candidates(Membership.objects.select_related("association"), today)
    if department_id is not None:
        qs = qs.filter(association__department_id=department_id)
    return [m for m in qs.order_by("ends_on", "pk") if reminder_due(m.ends_on, m.remind_days, today)]


def positions_due(*, today: dt.date, department_id: int | None = None, person=None) -> list[Position]:
    """Position terms whose reminder has come (one query)."""
    qs = _candidates(Position.objects.select_related("association", "person"), today)
    if department_id is not None and person is not None:
        qs = qs.filter(Q(association__department_id=department_id) | Q(person=person))
    elif person is not None:
        qs = qs.filter(person=person)
    return [p for p in qs.order_by("ends_on", "pk") if reminder_due(p.ends_on, p.remind_days, today)]


def dashboard_due_panel(*, user: User, **_kwargs) -> dict | None:
    """The dashboard's "Associations: what is due" card: renewals, terms ending, my unread reports
    (three queries)."""
    if not roles.has_any_role(user):
        return None
    today = timezone.localdate()
    department_id = roles.user_department_id(user)
    everything = roles.is_supervisor(user)
    memberships = memberships_due(today=today, department_id=None if everything else department_id or -1)
    positions = positions_due(today=today, department_id=None if everything else department_id or -1, person=user)
    unread = ReportReceipt.objects.filter(reader=user, read_at__isnull=True).count()
    if not (memberships or positions or unread):
        return None
    return {
        "memberships": memberships[:PANEL_ROWS],
        "positions": positions[:PANEL_ROWS],
        "unread": unread,
        "today": today,
    }


# --- Records by id --------------------------------------------------------------------------

RECORD_MODELS = {
    "membership": Membership,
    "position": Position,
    "event": AssociationEvent,
    "standard": StandardWork,
    "submission": Submission,
}
# Memberships and positions are the managers'; the rest the department's staff and managers.
MANAGED_KINDS = ("membership", "position")


def may_write_kind(user: User, association: Partner, kind: str) -> bool:
    return may_manage_holdings(user, association) if kind in MANAGED_KINDS else may_record_activity(user, association)


def association_get_for_user(*, user: User, pk: int, kind: str) -> Partner:
    """The association a new record of ``kind`` is added to: 404 unless it is one, 403 unless
    ``user`` may add it."""
    if not roles.has_any_role(user):
        raise PermissionDenied
    partner = Partner.objects.select_related("department", "owner").filter(pk=pk, family=Family.ASSOCIATION).first()
    if partner is None or kind not in RECORD_MODELS:
        raise Http404
    if not may_write_kind(user, partner, kind):
        raise PermissionDenied
    return partner


def record_get_for_user(*, user: User, kind: str, pk: int, write: bool = False):
    if not roles.has_any_role(user) or kind not in RECORD_MODELS:
        raise PermissionDenied if kind in RECORD_MODELS else Http404
    record = RECORD_MODELS[kind].objects.select_related("association", "association__department").filter(pk=pk).first()
    if record is None:
        raise Http404
    if write and not may_write_kind(user, record.association, kind):
        raise PermissionDenied
    return record


# --- Events ---------------------------------------------------------------------------------


def events_for_user(*, user: User) -> QuerySet[AssociationEvent]:
    """Every role reads the events (their takeaways are shared knowledge)."""
    if not roles.has_any_role(user):
        raise PermissionDenied
    return AssociationEvent.objects.select_related("association", "department")


def memberships_for_user(*, user: User) -> QuerySet[Membership]:
    """Every role reads our memberships (P4.4.1)."""
    if not roles.has_any_role(user):
        raise PermissionDenied
    return Membership.objects.select_related("association", "association__department")


def positions_for_user(*, user: User) -> QuerySet[Position]:
    """Every role reads the positions our people hold (P4.4.1)."""
    if not roles.has_any_role(user):
        raise PermissionDenied
    return Position.objects.select_related("association", "association__department", "person")


# --- Industry reports -------------------------------------------------------------------------


def reports_for_user(*, user: User) -> QuerySet[IndustryReport]:
    if not roles.has_any_role(user):
        raise PermissionDenied
    return IndustryReport.objects.select_related("association", "sent_by").annotate(
        reader_count=Count("receipts", distinct=True),
        read_count=Count("receipts", filter=Q(receipts__read_at__isnull=False), distinct=True),
    )


def inbox_for_user(*, user: User) -> QuerySet[ReportReceipt]:
    """My receipts, unread first."""
    if not roles.has_any_role(user):
        raise PermissionDenied
    return (
        ReportReceipt.objects.filter(reader=user)
        .select_related("report", "report__association", "report__sent_by")
        .order_by(F("read_at").asc(nulls_first=True), "-report__created_at", "-pk")
    )


def report_get_for_user(*, user: User, pk: int) -> IndustryReport:
    if not roles.has_any_role(user):
        raise PermissionDenied
    report = IndustryReport.objects.select_related("association", "sent_by").filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def report_detail_context(*, report: IndustryReport, user: User) -> dict:
    """The report's page: its readers with read state (for the sender, managers and supervision),
    my own receipt (to mark read and comment). Three queries."""
    receipts = list(
        report.receipts.select_related("reader", "reader__profile__department").order_by("reader__username")
    )
    mine = next((r for r in receipts if r.reader_id == user.pk), None)
    sees_readers = user.pk == report.sent_by_id or roles.is_manager(user) or roles.is_supervisor(user)
    return {
        "report": report,
        "departments": list(report.departments.all()),
        "receipts": receipts if sees_readers else [],
        "comments": [r for r in receipts if r.comment],
        "sees_readers": sees_readers,
        "mine": mine,
        "read_count": sum(1 for r in receipts if r.read_at),
        "topics": [t.strip() for t in report.topics.split(",") if t.strip()],
    }


def receipt_for(*, user: User, report: IndustryReport) -> ReportReceipt:
    """The reader's own receipt: 403 for anyone the report was not routed to."""
    receipt = ReportReceipt.objects.filter(report=report, reader=user).first()
    if receipt is None:
        raise PermissionDenied
    return receipt


def association_history(partner: Partner) -> tuple | None:
    """The association's history page lists membership and position changes too (P3.1);
    other families' pages run no query for them."""
    if partner.family != Family.ASSOCIATION:
        return None
    return (Membership.history.filter(association_id=partner.pk), _("Membership"), ())


def position_history(partner: Partner) -> tuple | None:
    if partner.family != Family.ASSOCIATION:
        return None
    return (Position.history.filter(association_id=partner.pk), _("Position"), ())
