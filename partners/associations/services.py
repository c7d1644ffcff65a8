"""Writes of the associations app (P4.4): each validates, saves, and keeps history.

Refusals are ``ValidationError``s keyed by field, shown next to it by the form's view; nothing
is saved when one is raised (each service is one transaction)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm import roles
from crm.concurrency import check_version
from crm.notifications import notify, object_ref, register_kind
from partners.models import Partner
from partners.reminders import department_managers

from .models import AssociationEvent, IndustryReport, Membership, Position, ReportReceipt, StandardWork, Submission

if TYPE_CHECKING:
    import datetime as dt

    from crm.models import Department


def _check_dates(starts_on: dt.date | None, ends_on: dt.date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})


def _save(record, m2m: dict | None = None):
    record.full_clean(exclude=[name for name in (m2m or {})])
    record.save()
    for name, values in (m2m or {}).items():
        getattr(record, name).set(values)
    return record


@transaction.atomic
def membership_save(*, membership: Membership) -> Membership:
    """Add or change a membership (P4.4.1)."""
    _check_dates(membership.starts_on, membership.ends_on)
    return _save(membership)


def position_overlap(*, position: Position) -> Position | None:
    """Another holder's term of the same role in the same association that overlaps this one."""
    return (
        Position.objects.filter(
            association_id=position.association_id,
            role__iexact=position.role.strip(),
            starts_on__lte=position.ends_on,
            ends_on__gte=position.starts_on,
        )
        .exclude(pk=position.pk)
        .select_related("person")
        .first()
    )


@transaction.atomic
def position_save(*, position: Position) -> Position:
    """Add or change a position (P4.4.1): one holder of a role at a time in an association.
    The association's row is locked so two concurrent saves cannot both pass the check."""
    _check_dates(position.starts_on, position.ends_on)
    Partner.objects.select_for_update().filter(pk=position.association_id).first()
    other = position_overlap(position=position)
    if other is not None:
        raise ValidationError(
            {
                "starts_on": _("%(person)s holds the role “%(role)s” from %(start)s to %(end)s: the terms overlap.")
                % {
                    "person": other.person.get_full_name() or other.person.username,
                    "role": other.role,
                    "start": formats.date_format(other.starts_on, "SHORT_DATE_FORMAT"),
                    "end": formats.date_format(other.ends_on, "SHORT_DATE_FORMAT"),
                }
            }
        )
    return _save(position)


@transaction.atomic
def event_save(*, event: AssociationEvent, attendees, shared_with, by: User) -> AssociationEvent:
    """Record an industry event and who attended (P4.4.1); its takeaways are shared with the
    departments chosen."""
    _check_dates(event.starts_on, event.ends_on)
    created = event.pk is None
    if created:
        event.recorded_by = by
        event.department_id = roles.user_department_id(by)
    event = _save(event, {"attendees": attendees, "shared_with": shared_with})
    if event.takeaways:
        # Each reader once per event, also when the event is edited to share it wider.
        for reader in report_readers(departments=list(shared_with), people=[]) - {by}:
            notify(
                recipient=reader,
                kind=TAKEAWAYS_SHARED,
                obj_ref=object_ref(event),
                period="-",
                params={"topic": event.topic, "association": event.association.name},
                link=event.association.get_absolute_url() + "#assoc-events",
            )
    return event


TAKEAWAYS_SHARED = register_kind(
    "event_takeaways_shared", gettext_noop("Takeaways shared with you: %(topic)s (%(association)s)"), dates=()
)


@transaction.atomic
def record_save(*, record, m2m: dict | None = None):
    """Add or change a standards work or submission (P4.4.1, P4.4.3)."""
    _check_dates(getattr(record, "starts_on", None), getattr(record, "ends_on", None))
    return _save(record, m2m)


@transaction.atomic
def record_update(
    *, model: type, pk: int, changed: dict, fields: list[str], version: str | None, by: User
) -> AssociationEvent | StandardWork | Submission:
    """Apply the ``changed`` fields of an event, standards work or submission ``pk``, reloaded
    under a lock: ``StaleEdit`` if it moved since ``version`` (the form's), naming which of
    ``fields`` changed. An event's attendees and sharing are changed only when the form
    changed them."""
    record = model.objects.select_for_update().select_related("association").get(pk=pk)
    check_version(record, version, fields=fields)
    m2m = {}
    for name, value in changed.items():
        field = record._meta.get_field(name)
        if field.many_to_many:
            m2m[name] = value
        else:
            field.save_form_data(record, value)  # as a ModelForm does (a cleared file too)
    if isinstance(record, AssociationEvent):
        return event_save(
            event=record,
            attendees=m2m.get("attendees", record.attendees.all()),
            shared_with=m2m.get("shared_with", record.shared_with.all()),
            by=by,
        )
    return record_save(record=record, m2m=m2m)


# --- Industry reports (P4.4.3) -----------------------------------------------------------------

REPORT_SHARED = register_kind(
    "industry_report_shared", gettext_noop("Industry report shared with you: %(title)s (%(source)s)"), dates=()
)
REPORT_DIGEST = register_kind(
    "industry_report_digest",
    gettext_noop("%(count)s industry reports shared with you are still unread"),
    dates=(),
)


def report_readers(*, departments: list[Department], people: list[User]) -> set[User]:
    """Everyone a report is routed to: the staff and managers of its departments, and the
    people named."""
    members = User.objects.filter(
        is_active=True,
        profile__department__in=departments,
        groups__name__in=(roles.STAFF, roles.MANAGER),
    ).distinct()
    return {*members, *(p for p in people if p.is_active)}


@transaction.atomic
def report_share(
    *, report: IndustryReport, departments: list[Department], people: list[User], by: User
) -> IndustryReport:
    """File an industry report and route it (P4.4.3): a receipt for each reader, and a
    notification to each, once."""
    if not report.file and not report.link:
        raise ValidationError({"file": _("Upload the report or give its link.")})
    readers = report_readers(departments=departments, people=people) - {by}
    if not readers:
        raise ValidationError({"departments": _("Choose the departments or people to share the report with.")})
    report.sent_by = by
    report.full_clean(exclude=["departments", "sent_by"])
    report.save()
    report.departments.set(departments)
    ReportReceipt.objects.bulk_create(
        [ReportReceipt(report=report, reader=reader) for reader in readers], ignore_conflicts=True
    )
    for reader in readers:
        notify(
            recipient=reader,
            kind=REPORT_SHARED,
            obj_ref=object_ref(report),
            period="-",
            params={"title": report.title, "source": report.source_institution},
            link=report.get_absolute_url(),
        )
    return report


@transaction.atomic
def report_mark_read(*, receipt: ReportReceipt) -> bool:
    """Mark a report read by its reader; True when this call marked it (a second click does nothing)."""
    return bool(ReportReceipt.objects.filter(pk=receipt.pk, read_at__isnull=True).update(read_at=timezone.now()))


@transaction.atomic
def report_comment(*, receipt: ReportReceipt, comment: str) -> ReportReceipt:
    """A reader's comment on a report (what it means for their department); reading it is implied."""
    receipt = ReportReceipt.objects.select_for_update().get(pk=receipt.pk)
    receipt.comment = comment.strip()
    receipt.read_at = receipt.read_at or timezone.now()
    receipt.save(update_fields=["comment", "read_at"])
    return receipt


def report_digest_send(*, user_id: int, week: str) -> int:
    """The weekly digest of a reader's unread reports: one notification per user per ISO week
    (``week`` like ``2026-W49``), the unique key of the effect."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    count = ReportReceipt.objects.filter(reader=user, read_at__isnull=True).count()
    if not count:
        return 0
    from django.urls import reverse

    return int(
        notify(
            recipient=user,
            kind=REPORT_DIGEST,
            obj_ref=f"auth.user:{user.pk}",
            period=week,
            params={"count": count},
            link=reverse("associations:inbox"),
        )
    )


MEMBERSHIP_RENEWAL = register_kind(
    "membership_renewal", gettext_noop("Membership of %(association)s (%(level)s) ends on %(date)s: renew it?")
)
POSITION_ENDING = register_kind(
    "position_term_ending", gettext_noop("Term as %(role)s of %(association)s (%(person)s) ends on %(date)s")
)


def membership_remind(*, membership: Membership) -> int:
    """The association department's managers, once per membership and end date."""
    effects = 0
    for user in department_managers(membership.association.department_id):
        effects += notify(
            recipient=user,
            kind=MEMBERSHIP_RENEWAL,
            obj_ref=object_ref(membership),
            period=membership.ends_on.isoformat(),
            params={"association": membership.association.name, "level": membership.level, "date": membership.ends_on},
            link=membership.association.get_absolute_url() + "#association",
        )
    return effects


def position_remind(*, position: Position) -> int:
    """The holder and the association department's managers, once per position and end date."""
    effects = 0
    person = position.person
    for user in {person, *department_managers(position.association.department_id)}:
        effects += notify(
            recipient=user,
            kind=POSITION_ENDING,
            obj_ref=object_ref(position),
            period=position.ends_on.isoformat(),
            params={
                "role": position.role,
                "association": position.association.name,
                "person": person.get_full_name() or person.username,
                "date": position.ends_on,
            },
            link=position.association.get_absolute_url() + "#association",
        )
    return effects
