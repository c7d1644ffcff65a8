"""Reads of customer care: needs summary (P4.2.1), care calendar (P4.2.3), gifts (P3.1),
campaigns (P4.2.3), and who may change them. Every page reads a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractDay, ExtractMonth, TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from crm import roles
from crm.choices import choice_label
from crm.links import base_url
from crm.notifications import user_language
from partners.models import Contact, Family, Partner, Status, Tier
from partners.selectors import can_edit_partner, can_manage_partner

from .models import Campaign, Gift, Greeting, Holiday, Need, Occasion

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# P4.2.3: personal care (birthday wishes, holiday greetings) is for important customers.
CARE_TIERS = (Tier.KEY, Tier.IMPORTANT)
CARE_MAX_DAYS = 180


# --- Access --------------------------------------------------------------------------------


def can_edit_need(user: User, need: Need) -> bool:
    return need.recorded_by_id == user.pk or can_manage_partner(user, need.partner)


def can_mark_greeting(user: User, greeting: Greeting) -> bool:
    """The partner's owner and the managers of its department."""
    if not roles.has_write_role(user):
        return False
    return greeting.partner.owner_id == user.pk or can_manage_partner(user, greeting.partner)


def can_decide_gift(user: User, gift: Gift) -> bool:
    """P3.1: a manager of the partner's department, never the person who recorded it."""
    if gift.recorded_by_id == user.pk and not user.is_superuser:
        return False
    return can_manage_partner(user, gift.partner)


def can_send_campaigns(user: User) -> bool:
    return roles.MANAGER in roles.role_names(user) or user.is_superuser


def can_edit_campaign(user: User, campaign: Campaign) -> bool:
    """A draft is changed by whoever wrote it and by the managers (who send it)."""
    if not roles.has_write_role(user) and not user.is_superuser:
        return False
    return campaign.created_by_id == user.pk or can_send_campaigns(user)


def need_get_for_user(*, user: User, pk: int, write: bool = False) -> Need:
    if not roles.has_any_role(user):
        raise PermissionDenied
    need = Need.objects.select_related("partner", "partner__department").filter(pk=pk).first()
    if need is None:
        raise Http404
    if write and not can_edit_need(user, need):
        raise PermissionDenied
    return need


def greeting_get_for_user(*, user: User, pk: int, write: bool = False) -> Greeting:
    if not roles.has_any_role(user):
        raise PermissionDenied
    greeting = Greeting.objects.select_related("partner", "contact", "followup").filter(pk=pk).first()
    if greeting is None:
        raise Http404
    if write and not can_mark_greeting(user, greeting):
        raise PermissionDenied
    return greeting


def gift_get_for_user(*, user: User, pk: int, decide: bool = False) -> Gift:
    if not roles.has_any_role(user):
        raise PermissionDenied
    gift = Gift.objects.select_related("partner", "contact", "recorded_by", "decided_by").filter(pk=pk).first()
    if gift is None:
        raise Http404
    if decide and not can_decide_gift(user, gift):
        raise PermissionDenied
    return gift


def campaign_get_for_user(*, user: User, pk: int) -> Campaign:
    if not roles.has_any_role(user):
        raise PermissionDenied
    campaign = Campaign.objects.select_related("created_by", "sent_by").filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


# --- Needs (P4.2.1) ---------------------------------------------------------------------------


def needs_for_partner(*, partner: Partner, limit: int = 5) -> list[NeedRow]:
    """The partner page's latest needs with their topics, in one query (a LEFT JOIN to the
    topics: one row per need and topic)."""
    latest = partner.customer_needs.order_by("-recorded_at", "-pk").values("pk")[:limit]
    rows = (
        Need.objects.filter(pk__in=latest)
        .order_by("-recorded_at", "-pk", "tags__name")
        .values_list("pk", "summary", "status", "recorded_at", "recorded_by_id", "tags__name")
    )
    needs: dict[int, NeedRow] = {}
    for pk, summary, status, recorded_at, recorded_by_id, tag in rows:
        need = needs.setdefault(
            pk,
            NeedRow(pk=pk, summary=summary, status=status, recorded_at=recorded_at, recorded_by_id=recorded_by_id),
        )
        if tag is not None:
            need.tag_names.append(tag)
    return list(needs.values())


@dataclass
class NeedRow:
    pk: int
    summary: str
    status: str
    recorded_at: dt.datetime
    recorded_by_id: int
    tag_names: list[str] = field(default_factory=list)
    editable: bool = False

    @property
    def is_addressed(self) -> bool:
        return self.status == Need.Status.ADDRESSED


@dataclass
class NeedsSummary:
    total: int
    top: list[dict]  # {"tag_id", "name", "count", "trend": [int per month]}
    months: list[dt.date]
    untagged: int
    industries: list[str] = field(default_factory=list)


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def needs_summary(
    *, needs: QuerySet[Need], start: dt.date, end: dt.date, family: str = "", top_n: int = 10
) -> NeedsSummary:
    """Top need topics among ``needs`` (the summary's filter: period and segment) with their
    count per month from ``start`` to ``end`` (P4.2.1), counted in SQL: four queries whatever
    the number of needs."""
    counts = needs.aggregate(
        total=Count("pk", distinct=True), untagged=Count("pk", filter=Q(tags__isnull=True), distinct=True)
    )
    through = Need.tags.through.objects.filter(need__in=needs.values("pk"))
    top = list(
        through.values("needtag_id", "needtag__name")
        .annotate(count=Count("need_id"))
        .order_by("-count", "needtag__name")[:top_n]
    )
    months = month_starts(start, end)
    trend: dict[tuple[int, dt.date], int] = {}
    if top:
        rows = (
            through.filter(needtag_id__in=[t["needtag_id"] for t in top])
            .annotate(month=TruncMonth("need__recorded_at"))
            .values("needtag_id", "month")
            .annotate(n=Count("need_id"))
            .order_by()
        )
        for row in rows:
            month = row["month"]
            month = month.date() if isinstance(month, dt.datetime) else month
            trend[(row["needtag_id"], month)] = row["n"]
    summary_top = [
        {
            "tag_id": t["needtag_id"],
            "name": t["needtag__name"],
            "count": t["count"],
            "trend": [trend.get((t["needtag_id"], m), 0) for m in months],
        }
        for t in top
    ]
    industries = list(
        Partner.objects.exclude(industry="")
        .filter(**({"family": family} if family else {}))
        .order_by("industry")
        .values_list("industry", flat=True)
        .distinct()[:200]
    )
    return NeedsSummary(
        total=counts["total"],
        top=summary_top,
        months=months,
        untagged=counts["untagged"],
        industries=industries,
    )


# --- Care calendar (P4.2.3) ------------------------------------------------------------------


def care_partners() -> QuerySet[Partner]:
    """Key and important customers still in business."""
    return (
        Partner.objects.filter(family=Family.CUSTOMER, tier__in=CARE_TIERS, archived_at__isnull=True)
        .exclude(status=Status.TERMINATED)
        .select_related("owner")
    )


def occurrence(month: int, day: int, start: dt.date) -> dt.date:
    """The first date on or after ``start`` with this month and day (29 Feb → 28 Feb in a
    common year)."""
    for year in (start.year, start.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:  # 29 February in a common year
            candidate = dt.date(year, 2, 28)
        if candidate >= start:
            return candidate
    return dt.date(start.year + 2, month, min(day, 28))


def _month_day_window(field_name: str, start: dt.date, end: dt.date) -> Q:
    """Rows whose date field falls, any year, between start and end (month and day)."""
    lo, hi = start.month * 100 + start.day, end.month * 100 + end.day
    if end.month == 2 and end.day == 28:
        hi = 229  # 29 February is celebrated on the 28th in a common year
    md = f"{field_name}_md"
    if (end - start).days >= 365:
        return Q()
    if lo <= hi and start.year == end.year:
        return Q(**{f"{md}__gte": lo, f"{md}__lte": hi})
    return Q(**{f"{md}__gte": lo}) | Q(**{f"{md}__lte": hi})


def _with_month_day(qs: QuerySet, field_name: str) -> QuerySet:
    return qs.annotate(
        **{
            f"{field_name}_md": ExtractMonth(field_name, output_field=IntegerField()) * 100
            + ExtractDay(field_name, output_field=IntegerField())
        }
    )


def greeting_key(*, occasion: str, partner_id: int, contact_id: int | None, holiday_id: int | None, date) -> tuple:
    """What makes a greeting unique (the Greeting constraints): a birthday per contact and
    day; an anniversary per partner and day; a holiday per partner."""
    if occasion == Occasion.BIRTHDAY:
        return (occasion, contact_id, date)
    if occasion == Occasion.ANNIVERSARY:
        return (occasion, partner_id, date)
    return (occasion, partner_id, holiday_id)


@dataclass
class CareOccasion:
    partner: Partner
    contact: Contact | None
    occasion: str
    date: dt.date
    holiday: Holiday | None = None
    years: int | None = None  # company anniversaries
    greeting: Greeting | None = None

    @property
    def key(self) -> tuple:
        return greeting_key(
            occasion=self.occasion,
            partner_id=self.partner.pk,
            contact_id=self.contact.pk if self.contact else None,
            holiday_id=self.holiday.pk if self.holiday else None,
            date=self.date,
        )

    @property
    def occasion_label(self) -> str:
        if self.holiday is not None:
            return self.holiday.name(get_language() or settings.LANGUAGE_CODE)
        if self.occasion == Occasion.ANNIVERSARY and self.years:
            return ngettext(
                "Company anniversary (%(years)d year)", "Company anniversary (%(years)d years)", self.years
            ) % {"years": self.years}
        return str(choice_label(Occasion, self.occasion))


class _Occasion(NamedTuple):
    """A calendar row before its records are read: what orders the calendar, and their ids."""

    date: dt.date
    partner_name: str
    occasion: str
    contact_name: str  # a birthday's contact; "" for the company's occasions
    partner_id: int
    contact_id: int | None
    holiday_id: int | None
    years: int | None


class CareCalendar(Sequence):
    """The occasions between two dates in calendar order, read as plain values; a slice (a
    page) reads the partners, contacts and greetings of its rows only. At 100,000 partners the
    next 30 days hold some 2,000 occasions: building a partner, a contact and an owner object
    for each, to show 50, was most of the page's 200 ms."""

    def __init__(self, occasions: list[_Occasion], holidays: dict[int, Holiday], start: dt.date, end: dt.date):
        self.occasions, self.holidays, self.start, self.end = occasions, holidays, start, end

    def __len__(self) -> int:
        return len(self.occasions)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._read(self.occasions[index])
        return self._read([self.occasions[index]])[0]

    def _read(self, occasions: list[_Occasion]) -> list[CareOccasion]:
        """These rows with their records: three queries."""
        if not occasions:
            return []
        partner_ids = {o.partner_id for o in occasions}
        partners = Partner.objects.select_related("owner").order_by().in_bulk(partner_ids)
        # Anniversaries and holidays go to the partner's primary contact (or the owner alone).
        company = {o.partner_id for o in occasions if o.contact_id is None}
        contacts = Contact.objects.filter(
            Q(pk__in={o.contact_id for o in occasions if o.contact_id}) | Q(partner_id__in=company, is_primary=True)
        )
        by_id, primaries = {}, {}
        for contact in contacts:
            by_id[contact.pk] = contact
            if contact.is_primary and contact.partner_id in company:
                primaries[contact.partner_id] = contact
        greetings = {
            greeting_key(
                occasion=g.occasion,
                partner_id=g.partner_id,
                contact_id=g.contact_id,
                holiday_id=g.holiday_id,
                date=g.date,
            ): g
            for g in Greeting.objects.filter(date__gte=self.start, date__lte=self.end, partner_id__in=partner_ids)
        }
        rows = []
        for o in occasions:
            row = CareOccasion(
                partner=partners[o.partner_id],
                contact=by_id.get(o.contact_id) if o.contact_id else primaries.get(o.partner_id),
                occasion=o.occasion,
                date=o.date,
                holiday=self.holidays.get(o.holiday_id) if o.holiday_id else None,
                years=o.years,
            )
            row.greeting = greetings.get(row.key)
            rows.append(row)
        return rows


def care_calendar(*, start: dt.date, end: dt.date, owner_id: int | None = None) -> CareCalendar:
    """Birthdays of consenting contacts, company anniversaries and configured holidays of key
    and important customers between start and end, by date (then partner, occasion, contact),
    with their greeting if one exists.

    Three queries to find and order them (four when a holiday falls in the window), read as
    values whatever the number of customers; three more for the rows of each slice. Birthdays
    are listed only for contacts who consent to greetings; anniversaries and holidays go to the
    primary contact (or to the owner alone when there is none).
    """
    end = min(end, start + dt.timedelta(days=CARE_MAX_DAYS))
    partners = care_partners()
    if owner_id:
        partners = partners.filter(owner_id=owner_id)
    occasions: list[_Occasion] = []

    birthdays = _with_month_day(
        Contact.objects.filter(greetings_consent=True, birthday__isnull=False, partner__in=partners.values("pk")),
        "birthday",
    ).filter(_month_day_window("birthday", start, end))
    for pk, name, birthday, partner_id, partner_name in birthdays.order_by().values_list(
        "pk", "name", "birthday", "partner_id", "partner__name"
    ):
        day = occurrence(birthday.month, birthday.day, start)
        if day <= end:
            occasions.append(_Occasion(day, partner_name, Occasion.BIRTHDAY, name, partner_id, pk, None, None))

    anniversaries = _with_month_day(partners.filter(customer_since__isnull=False), "customer_since").filter(
        _month_day_window("customer_since", start, end)
    )
    for pk, name, since in anniversaries.order_by().values_list("pk", "name", "customer_since"):
        day = occurrence(since.month, since.day, start)
        if day <= end and day.year > since.year:
            occasions.append(_Occasion(day, name, Occasion.ANNIVERSARY, "", pk, None, None, day.year - since.year))

    holidays = {h.pk: h for h in Holiday.objects.filter(date__gte=start, date__lte=end).order_by("date", "name_en")}
    if holidays:
        for pk, name in partners.order_by().values_list("pk", "name"):
            for h in holidays.values():
                occasions.append(_Occasion(h.date, name, Occasion.HOLIDAY, "", pk, None, h.pk, None))

    occasions.sort(key=lambda o: (o.date, o.partner_name, o.occasion, o.contact_name, o.partner_id, o.contact_id or 0))
    return CareCalendar(occasions, holidays, start, end)


def care_occasions(*, start: dt.date, end: dt.date, owner_id: int | None = None) -> list[CareOccasion]:
    """Every occasion of ``care_calendar`` with its records (the scans and the calendar feed)."""
    return care_calendar(start=start, end=end, owner_id=owner_id)[:]


# --- Gifts (P3.1) -------------------------------------------------------------------------------


def gift_needs_approval(*, value: Decimal, currency: str) -> bool:
    """Above the threshold (CNY); other currencies always, since no exchange rate is kept."""
    threshold = Decimal(str(settings.RAPPORT_GIFT_APPROVAL_THRESHOLD))
    if currency != Gift.Currency.CNY:
        return value > 0
    return value > threshold


def gift_list_for_user(*, user: User) -> QuerySet[Gift]:
    """Everyone with a role reads the register (P5.1 supervision reads all)."""
    if not roles.has_any_role(user):
        return Gift.objects.none()
    return Gift.objects.select_related("partner", "contact", "recorded_by", "decided_by")


def gift_pending_count(*, user: User) -> int:
    """Gifts waiting for this manager's decision (their department's partners, recorded by
    someone else)."""
    if user.is_superuser:
        return Gift.objects.filter(status=Gift.Status.PENDING).count()
    if roles.MANAGER not in roles.role_names(user):
        return 0
    return (
        Gift.objects.filter(status=Gift.Status.PENDING, partner__department_id=roles.user_department_id(user))
        .exclude(recorded_by=user)
        .count()
    )


# --- Campaigns (P4.2.3) -------------------------------------------------------------------------


def campaign_audience(campaign: Campaign, *, tag_ids: list[int] | None = None) -> QuerySet[Contact]:
    """Contacts of the segment who agreed to product news and have an address.

    ``tag_ids``: the campaign's tags when already loaded (saves a query)."""
    partners = Partner.objects.filter(family=campaign.family, archived_at__isnull=True).exclude(
        status=Status.TERMINATED
    )
    if campaign.tiers:
        partners = partners.filter(tier__in=[int(t) for t in campaign.tiers])
    if campaign.industry:
        partners = partners.filter(industry__iexact=campaign.industry)
    if tag_ids is None:
        tag_ids = list(campaign.tags.values_list("pk", flat=True)) if campaign.pk else []
    if tag_ids:
        tagged = Partner.tags.through.objects.filter(partner=OuterRef("pk"), tag_id__in=tag_ids)
        partners = partners.filter(Exists(tagged))
    return (
        Contact.objects.filter(partner__in=partners.values("pk"), marketing_consent=True)
        .exclude(email="")
        .select_related("partner")
        .order_by("pk")
    )


def campaign_list_for_user(*, user: User) -> QuerySet[Campaign]:
    if not roles.has_any_role(user):
        return Campaign.objects.none()
    return Campaign.objects.select_related("created_by", "sent_by").annotate(
        recipient_count=Count("recipients", distinct=True),
        unsubscribed_count=Count("recipients", filter=Q(recipients__unsubscribed_at__isnull=False), distinct=True),
    )


def calendar_items(user) -> list[tuple]:
    """The user's customers' occasions of the next 60 days, for their calendar feed."""
    from django.utils.translation import override

    today = timezone.localdate()
    base = base_url()
    items = []
    with override(user_language(user)):
        for o in care_occasions(start=today, end=today + dt.timedelta(days=60), owner_id=user.pk)[:500]:
            who = o.contact.name if o.contact else o.partner.name
            summary = _("%(occasion)s: %(who)s (%(partner)s)") % {
                "occasion": o.occasion_label,
                "who": who,
                "partner": o.partner.name,
            }
            uid = f"care-{o.partner.pk}-{o.contact.pk if o.contact else 0}-{o.occasion}-{o.date:%Y%m%d}@rapport"
            items.append((uid, o.date, summary, summary, base + o.partner.get_absolute_url()))
    return items


# --- What customer care adds to the partner page (registered in apps.py) ------------------------


def needs_panel(*, partner: Partner, user: User) -> dict | None:
    """P4.2.1: the latest needs (one query). A supplier page shows qualification documents
    instead, and a partner-family page its pipeline and assessment (P4.3.1), which keeps every
    partner page within its query budget."""
    if partner.family in (Family.SUPPLIER, Family.PARTNER):
        return None
    needs = needs_for_partner(partner=partner)
    can_manage = can_manage_partner(user, partner)
    for need in needs:
        need.editable = need.recorded_by_id == user.pk or can_manage
    return {"partner": partner, "needs": needs, "may_record_need": roles.has_write_role(user)}


def gift_action_panel(*, partner: Partner, user: User) -> dict | None:
    """The "Record a gift" button, for whoever may record one (P3.1)."""
    return {"partner": partner} if can_edit_partner(user, partner) else None


def _gift_history(partner: Partner) -> tuple:
    return (Gift.history.filter(partner_id=partner.pk), _("Gift"), ())


def _need_history(partner: Partner) -> tuple:
    return (Need.history.filter(partner_id=partner.pk), _("Need"), ())


care_history_sources = (_gift_history, _need_history)
