"""Reads and access checks for the partner registry.

Every view that loads a record goes through one ``*_get_for_user`` function here: it
raises 404 for what does not exist and PermissionDenied for what the user may not
change, and ``select_related``s what the page needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import dateformat, timezone, translation
from django.utils.formats import get_format

from crm import roles
from crm.bilingual import in_language
from crm.choices import choice_labels
from crm.links import base_url
from crm.lists import Row, url_pattern
from crm.search import contains

from .models import (
    CONTACT_EDITABLE_FIELDS,
    Channel,
    Contact,
    Family,
    FollowUp,
    ImportJob,
    Interaction,
    Partner,
    PartnerKind,
    Status,
    Tag,
    Tier,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# --- Access rules ------------------------------------------------------------------


def can_edit_partner(user: User, partner: Partner) -> bool:
    """Staff and managers edit partners their department owns; superusers everything."""
    if user.is_superuser:
        return True
    if not roles.has_write_role(user):
        return False
    return partner.department_id is not None and partner.department_id == roles.user_department_id(user)


def can_manage_partner(user: User, partner: Partner) -> bool:
    """Managers of the partner's department: assign owners, archive and restore."""
    if user.is_superuser:
        return True
    return roles.MANAGER in roles.role_names(user) and partner.department_id == roles.user_department_id(user)


def can_create_partner(user: User) -> bool:
    return roles.has_write_role(user)


def can_edit_interaction(user: User, interaction: Interaction) -> bool:
    return interaction.author_id == user.pk or can_manage_partner(user, interaction.partner)


def can_update_followup(user: User, followup: FollowUp) -> bool:
    return followup.owner_id == user.pk or can_manage_partner(user, followup.partner)


# --- Partners --------------------------------------------------------------------------


# The columns a list row shows: long text fields stay in the database.
LIST_COLUMNS = (
    "family",
    "kind",
    "name",
    "status",
    "tier",
    "region",
    "last_contacted_at",
    "archived_at",
    "created_at",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "department__name",
    "department__name_zh",
)


def partner_list_for_user(*, user: User, family: str | None = None, archived: bool = False) -> QuerySet[Partner]:
    """Everyone with a role reads every partner (staff read all, P5.1 supervision reads all).

    A list page reads its rows as LIST_ROW_VALUES and shows them with ``partner_list_rows``.
    """
    if not roles.has_any_role(user):
        return Partner.objects.none()
    qs = Partner.objects.select_related("owner", "department").only(*LIST_COLUMNS)
    if family:
        qs = qs.filter(family=family)
    return qs.filter(archived_at__isnull=not archived)


# What a list row shows, read as values (``crm.lists.list_page(values=)``): a row is a named
# tuple, not a partner with an owner and a department instance (150 model instances a page).
LIST_ROW_VALUES = ("pk", *(column for column in LIST_COLUMNS if column != "created_at"))


def partner_list_rows(rows) -> list[Row]:
    """What each row of a partner list shows, as plain values, from a page of LIST_ROW_VALUES
    tuples, with one query for the page's tags.

    Labels, URLs and names are worked out here once per row (and the language once per page),
    not looked up by the template through model methods per cell: a datetime rendered by the
    template goes through time-zone conversion and localisation, a department's name through
    the active language, a partner's URL through the URL resolver.
    """
    rows = list(rows)
    names: dict[int, list[str]] = {row.pk: [] for row in rows}
    tags = (
        Partner.tags.through.objects.filter(partner_id__in=list(names))
        .order_by("tag__name")
        .values_list("partner_id", "tag__name")
    )
    for partner_id, tag_name in tags:
        names[partner_id].append(tag_name)
    language = translation.get_language()
    families, kinds = choice_labels(Family), choice_labels(PartnerKind)
    statuses, tiers = choice_labels(Status), choice_labels(Tier)
    url = url_pattern("partners:detail")
    out = []
    for row in rows:
        out.append(
            Row(
                pk=row.pk,
                url=url.format(row.pk),
                name=row.name,
                region=row.region,
                # A value stored outside the choices (before a bound, by a restore) shows as stored.
                family_label=families.get(row.family, row.family),
                kind_label=kinds.get(row.kind, row.kind),
                status=row.status,
                status_label=statuses.get(row.status, row.status),
                tier_label=tiers.get(row.tier, row.tier),
                archived=row.archived_at is not None,
                owner_label=_full_name(row.owner__username, row.owner__first_name, row.owner__last_name),
                department=in_language(row.department__name, row.department__name_zh, language),
                tag_names=names[row.pk],
                last_contact_day=(
                    timezone.localtime(row.last_contacted_at).date().isoformat() if row.last_contacted_at else ""
                ),
            )
        )
    return out


def partner_search(qs: QuerySet[Partner], term: str) -> QuerySet[Partner]:
    """Name, contact name or tag, anywhere in the word, any case (``icontains``), in one of two
    forms that find the same partners (issue #15 §1):

    - A term in fewer than ``RAPPORT_SEARCH_MANY`` partner names: one UNION of
      the partner ids each of the three matches (on PostgreSQL each from its trigram index,
      partners 0012, or for a term of one or two characters its gram index, partners 0014: see
      ``crm.search``), joined once: no scan of the partners, one row per partner, no DISTINCT.
      Its cost grows with the matches: sorting 23,000 of them for "co" took 130 ms at 100,000
      partners, and counting them 55 ms more.
    - On PostgreSQL, a term in that many names or more (one query asks, and stops counting
      there: a few milliseconds): each partner is tested as the list's index is read in the
      list's order (its name on the index entry, its contacts and tags through their indexes),
      and the page ends the read. A term in one name of fifty is found fifty times within the
      first 2,500 entries; a rare term would be tested on every partner, which the first form
      avoids. ("co" at 100,000 partners: the page 15 ms, its count up to the search's cap
      11 ms.) The planner's estimate could not decide it: it counts a tag's thousands of links
      whatever the term, and guesses how often a ``LIKE`` holds."""
    term = term.strip()
    if not term:
        return qs
    by_name = Partner.objects.filter(contains("name", term)).order_by().values("pk")
    by_contact = Contact.objects.filter(contains("name", term)).order_by().values("partner_id")
    by_tag = Partner.tags.through.objects.filter(contains("tag__name", term)).order_by().values("partner_id")
    many = settings.RAPPORT_SEARCH_MANY
    if connections[qs.db].vendor == "postgresql":
        # How many names, contacts and tag links hold the term, each counted up to ``many``.
        found = by_name[:many].union(by_contact[:many], by_tag[:many], all=True).count()
        if found >= many:
            return qs.filter(partner_matches(term))
    return qs.filter(pk__in=by_name.union(by_contact, by_tag))


def partner_matches(term: str) -> Q:
    """Does a partner's name, a contact's name or a tag contain ``term``, in any case, tested
    partner by partner (``partner_search``'s second form)? The name's ``icontains`` is checked
    on the index entry the list reads (no gram condition: that would compute the grams of each
    name it keeps); the contacts and tags are found through their own indexes, once for the
    whole read when there are many partners to test (a hashed subplan) or per partner."""
    tags = Tag.objects.filter(contains("name", term)).values("pk")
    return (
        Q(name__icontains=term)
        | Exists(Contact.objects.filter(contains("name", term), partner_id=OuterRef("pk")))
        | Exists(Partner.tags.through.objects.filter(partner_id=OuterRef("pk"), tag_id__in=tags))
    )


# One-to-one relations of a partner that the family apps' panels on its page read, joined to the
# page's one query for the partner: registered in their AppConfig.ready() (the pipeline's stage).
DETAIL_RELATED: list[str] = []


def register_detail_related(name: str) -> None:
    if name not in DETAIL_RELATED:
        DETAIL_RELATED.append(name)


def partner_get_for_user(
    *, user: User, pk: int, write: bool = False, manage: bool = False, detail: bool = False
) -> Partner:
    """``detail``: the partner's page, which also loads what its panels read (DETAIL_RELATED)."""
    if not roles.has_any_role(user):
        raise PermissionDenied
    try:
        partner = Partner.objects.select_related("owner", "department", *(DETAIL_RELATED if detail else ())).get(pk=pk)
    except Partner.DoesNotExist:
        raise Http404 from None
    if manage and not can_manage_partner(user, partner):
        raise PermissionDenied
    if write and not can_edit_partner(user, partner):
        raise PermissionDenied
    return partner


# What a timeline entry shows, read as values: see ``timeline_entries``.
TIMELINE_VALUES = (
    "pk",
    "kind",
    "occurred_at",
    "subject",
    "summary",
    "outcome",
    "author_id",
    "author__username",
    "author__first_name",
    "author__last_name",
)


def interaction_timeline(*, partner: Partner) -> QuerySet:
    """The partner page's timeline, newest first, as TIMELINE_VALUES tuples: page it, then
    pass the page's rows to ``timeline_entries``."""
    return partner.interactions.order_by("-occurred_at", "-pk").values_list(*TIMELINE_VALUES, named=True)


def _full_name(username: str, first_name: str, last_name: str) -> str:
    """``User.get_full_name() or username`` (the ``person`` filter) from the three values."""
    return f"{first_name} {last_name}".strip() or username


OPEN_FOLLOWUPS_SHOWN = 20
_OWNER = ("owner__username", "owner__first_name", "owner__last_name")


def partner_side(*, partner: Partner) -> dict:
    """What the partner page shows beside its timeline, as plain values (no model instance per
    contact and follow-up): its contacts, tags and first open follow-ups."""
    channels = choice_labels(Channel)
    languages = dict(settings.LANGUAGES)
    today = timezone.localdate()
    return {
        "contacts": [
            Row(
                c._asdict(),
                channel_label=channels.get(c.preferred_channel, c.preferred_channel),
                language_label=str(languages.get(c.preferred_language, c.preferred_language)),
            )
            for c in partner.contacts.values_list(*CONTACT_VALUES, named=True)
        ],
        "tags": list(partner.tags.values_list("pk", "name", named=True)),
        "open_followups": [
            Row(description=f.description, owner=_full_name(*f[2:]), due_on=f.due_on)
            for f in partner.followups.filter(done_at__isnull=True)
            .order_by("due_on", "pk")
            .values_list("description", "due_on", *_OWNER, named=True)[:OPEN_FOLLOWUPS_SHOWN]
        ],
        "today": today,
        "soon": today + dt.timedelta(days=60),
    }


# What the partner page shows of a contact (not its notes).
CONTACT_VALUES = ("pk", *(name for name in CONTACT_EDITABLE_FIELDS if name != "notes"))


def timeline_entries(rows) -> list[Row]:
    """A page of the timeline's rows (``interaction_timeline``) as plain values, with their
    participants, contacts and follow-ups in three queries (the queries of a prefetch, without
    a model instance per user, contact and follow-up). Dates are formatted here, in the
    reader's time zone and language, as the template's ``date`` filter would."""
    rows = list(rows)
    ids = [row.pk for row in rows]
    participants: dict[int, list[str]] = {pk: [] for pk in ids}
    for interaction_id, *names in (
        Interaction.participants.through.objects.filter(interaction_id__in=ids)
        .order_by("interaction_id", "user_id")
        .values_list("interaction_id", "user__username", "user__first_name", "user__last_name")
    ):
        participants[interaction_id].append(_full_name(*names))
    contacts: dict[int, list[str]] = {pk: [] for pk in ids}
    for interaction_id, name in (
        Interaction.contacts.through.objects.filter(interaction_id__in=ids)
        .order_by("interaction_id", "-contact__is_primary", "contact__name")  # Contact's ordering
        .values_list("interaction_id", "contact__name")
    ):
        contacts[interaction_id].append(name)
    followups: dict[int, list[Row]] = {pk: [] for pk in ids}
    short_date = get_format("SHORT_DATE_FORMAT")
    for interaction_id, description, done_at, due_on, *owner in (
        FollowUp.objects.filter(interaction_id__in=ids)
        .order_by("due_on", "pk")
        .values_list("interaction_id", "description", "done_at", "due_on", *_OWNER)
    ):
        followups[interaction_id].append(
            Row(
                description=description,
                owner=_full_name(*owner),
                done=done_at is not None,
                date=dateformat.format(timezone.localtime(done_at) if done_at else due_on, short_date),
            )
        )
    kinds = choice_labels(Interaction.Kind)
    edit_url = url_pattern("partners:interaction_edit")
    short_datetime = get_format("SHORT_DATETIME_FORMAT")
    entries = []
    for row in rows:
        occurred_at = timezone.localtime(row.occurred_at)
        entries.append(
            Row(
                pk=row.pk,
                kind_label=kinds.get(row.kind, row.kind),
                occurred_iso=occurred_at.isoformat(),  # the date filter's "c"
                occurred=dateformat.format(occurred_at, short_datetime),
                author=_full_name(row.author__username, row.author__first_name, row.author__last_name),
                author_id=row.author_id,
                edit_url=edit_url.format(row.pk),
                subject=row.subject,
                summary=row.summary,
                outcome=row.outcome,
                # Our participants, then theirs: "Mei Chen, Fang Li; Donna Mcconnell".
                people="; ".join(", ".join(names) for names in (participants[row.pk], contacts[row.pk]) if names),
                followups=followups[row.pk],
            )
        )
    return entries


# --- Contacts, qualifications, interactions, follow-ups -------------------------------------


def contact_get_for_user(*, user: User, pk: int, write: bool = False) -> Contact:
    try:
        contact = Contact.objects.select_related("partner", "partner__department").get(pk=pk)
    except Contact.DoesNotExist:
        raise Http404 from None
    if not roles.has_any_role(user) or (write and not can_edit_partner(user, contact.partner)):
        raise PermissionDenied
    return contact


def interaction_get_for_user(*, user: User, pk: int, write: bool = False) -> Interaction:
    try:
        interaction = Interaction.objects.select_related("partner", "author").get(pk=pk)
    except Interaction.DoesNotExist:
        raise Http404 from None
    if not roles.has_any_role(user) or (write and not can_edit_interaction(user, interaction)):
        raise PermissionDenied
    return interaction


def followup_get_for_user(*, user: User, pk: int, write: bool = False) -> FollowUp:
    try:
        followup = FollowUp.objects.select_related("partner", "owner").get(pk=pk)
    except FollowUp.DoesNotExist:
        raise Http404 from None
    if not roles.has_any_role(user) or (write and not can_update_followup(user, followup)):
        raise PermissionDenied
    return followup


def followup_list_for_user(*, user: User) -> QuerySet[FollowUp]:
    """What I owe (P3.3); ``followups_in_state`` picks the tab, ``FOLLOWUP_ROW_VALUES`` and
    ``followup_list_rows`` what a row shows."""
    return FollowUp.objects.filter(owner=user)


FOLLOWUP_ROW_VALUES = (
    "pk",
    "description",
    "interaction_id",
    "interaction__subject",
    "partner_id",
    "partner__name",
    "due_on",
    "done_at",
)


def followup_list_rows(rows) -> list[Row]:
    """A page of my follow-ups (``FOLLOWUP_ROW_VALUES`` tuples) as plain rows: no FollowUp,
    Partner and Interaction instance per row, the partner's link from one URL pattern."""
    partner_url = url_pattern("partners:detail")
    return [
        Row(
            pk=r.pk,
            description=r.description,
            interaction_subject=r.interaction__subject if r.interaction_id else "",
            partner_name=r.partner__name,
            partner_url=partner_url.format(r.partner_id),
            due_on=r.due_on,
            done_at=r.done_at,
        )
        for r in rows
    ]


def followups_in_state(qs: QuerySet[FollowUp], state: str) -> QuerySet[FollowUp]:
    """Open (due today or later, soonest first), overdue (oldest first) or done (newest first)."""
    today = timezone.localdate()
    if state == "done":
        return qs.filter(done_at__isnull=False).order_by("-done_at", "-pk")
    qs = qs.filter(done_at__isnull=True)
    if state == "overdue":
        return qs.filter(due_on__lt=today).order_by("due_on", "pk")
    return qs.filter(due_on__gte=today).order_by("due_on", "pk")


# The "Done" tab counts this many at most, then says "999+": done follow-ups only pile up.
DONE_COUNT_CAP = 999


def followup_counts_for_user(*, user: User, done: bool = True) -> dict[str, int]:
    """My follow-ups by state. The open ones (due, overdue, due today) in one aggregate over the
    (owner, done_at IS NULL) range of the (owner, done_at, due_on) index, read alone without
    the table: it counts ``owner`` (never NULL here) rather than the pk, since Django takes no
    filter on COUNT(*). With ``done`` (the list's tabs), the done ones too, up to
    ``DONE_COUNT_CAP`` ("done_more" past it): counting a user's 50,000 done follow-ups took
    11 ms at 1,000,000 interactions."""
    today = timezone.localdate()
    counts = FollowUp.objects.filter(owner=user, done_at__isnull=True).aggregate(
        open=Count("owner", filter=Q(due_on__gte=today)),
        overdue=Count("owner", filter=Q(due_on__lt=today)),
        due_today=Count("owner", filter=Q(due_on=today)),
    )
    if done:
        n = FollowUp.objects.filter(owner=user, done_at__isnull=False).order_by()[: DONE_COUNT_CAP + 1].count()
        counts["done"], counts["done_more"] = min(n, DONE_COUNT_CAP), n > DONE_COUNT_CAP
    return counts


# What ``{{ user|person }}`` reads of a user.
_PERSON_FIELDS = ("username", "first_name", "last_name")


def dashboard_for_user(*, user: User) -> dict:
    """The signed-in user's home page: what I owe, whom I neglect, what my department did."""
    today = timezone.localdate()
    stale_days = settings.RAPPORT_STALE_CONTACT_DAYS
    stale_before = timezone.now() - dt.timedelta(days=stale_days)
    # Each list reads the columns its card shows, not every column of the partner it joins.
    due = list(
        FollowUp.objects.filter(owner=user, done_at__isnull=True, due_on__lte=today)
        .select_related("partner")
        .only("description", "due_on", "partner__name")
        .order_by("due_on", "pk")[:10]
    )
    stale = list(
        Partner.objects.filter(owner=user, archived_at__isnull=True)
        .exclude(status="terminated")
        .filter(Q(last_contacted_at__lt=stale_before) | Q(last_contacted_at__isnull=True))
        .only("name", "last_contacted_at")
        .order_by("last_contacted_at", "name")[:10]
    )
    department_id = roles.user_department_id(user)
    recent = (
        list(
            Interaction.objects.filter(department_id=department_id)
            .select_related("partner", "author")
            .only("kind", "subject", "occurred_at", "partner__name", *(f"author__{f}" for f in _PERSON_FIELDS))
            .order_by("-occurred_at", "-pk")[:10]
        )
        if department_id
        else []
    )
    return {
        "due_followups": due,
        "stale_partners": stale,
        "stale_days": stale_days,
        "recent_interactions": recent,
        "today": today,
    }


# --- History (P3.1: records are never silently rewritten) ----------------------------------


@dataclass
class HistoryEntry:
    when: dt.datetime
    who: object
    action: str  # "+", "~", "-"
    model_label: str
    object_label: str
    changes: list[tuple[str, object, object]]


def _entries_for(
    records: list, label: str, m2m: tuple[tuple[str, str, str], ...] = (), *, shown: set | None = None
) -> list[HistoryEntry]:
    """Turn one model's history rows (ordered by object, then time) into readable entries; with
    ``shown``, only those rows' (the others are read only to diff the first of them against)."""
    entries: list[HistoryEntry] = []
    if not records:
        return entries
    model = records[0].instance_type
    fields = [f for f in model._meta.concrete_fields if f.name not in ("id", "created_at", "updated_at")]
    # The first record of each object has no predecessor: show it as a creation.
    previous_by_object: dict[int, object] = {}
    for rec in records:
        prev = previous_by_object.get(rec.id)
        changes: list[tuple[str, object, object]] = []
        if prev is not None:
            for f in fields:
                old, new = getattr(prev, f.attname, None), getattr(rec, f.attname, None)
                if old != new:
                    changes.append((str(f.verbose_name), _display(prev, f), _display(rec, f)))
            for related, target, field_name in m2m:
                old_set = {str(getattr(r, target)) for r in getattr(prev, related).all()}
                new_set = {str(getattr(r, target)) for r in getattr(rec, related).all()}
                if old_set != new_set:
                    verbose = model._meta.get_field(field_name).verbose_name
                    changes.append((str(verbose), ", ".join(sorted(old_set)), ", ".join(sorted(new_set))))
        previous_by_object[rec.id] = rec
        if (rec.history_type == "~" and not changes) or (shown is not None and rec.history_id not in shown):
            continue
        entries.append(
            HistoryEntry(
                when=rec.history_date,
                who=rec.history_user,
                action=rec.history_type,
                model_label=label,
                object_label=_object_label(rec),
                changes=changes,
            )
        )
    return entries


@dataclass(frozen=True)
class _Ref:
    """A foreign key value in a history diff, resolved to a label in one query per model."""

    model: type
    pk: object


def _display(record, field) -> object:
    value = getattr(record, field.attname)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation and value is not None:
        return _Ref(field.related_model, value)
    return value


def _resolve_refs(entries: list[HistoryEntry]) -> None:
    wanted: dict[type, set] = {}
    for entry in entries:
        for _field, old, new in entry.changes:
            for value in (old, new):
                if isinstance(value, _Ref):
                    wanted.setdefault(value.model, set()).add(value.pk)
    labels: dict[tuple[type, object], str] = {}
    for model, pks in wanted.items():
        for pk, obj in model._default_manager.in_bulk(list(pks)).items():
            label = obj.get_full_name() or obj.get_username() if hasattr(obj, "get_full_name") else str(obj)
            labels[(model, pk)] = label

    def show(value):
        return labels.get((value.model, value.pk), f"#{value.pk}") if isinstance(value, _Ref) else value

    for entry in entries:
        entry.changes = [(f, show(old), show(new)) for f, old, new in entry.changes]


def _object_label(rec) -> str:
    for attr in ("name", "subject", "description", "summary"):
        if hasattr(rec, attr):
            return str(getattr(rec, attr))
    return str(rec.id)


# What the family apps add to a partner's history page: ``source(partner) -> (historical
# queryset, label, m2m)`` or None when the partner's family has none, registered in their
# AppConfig.ready() (see register_history_source).
HISTORY_SOURCES: list[Callable] = []


def register_history_source(source: Callable) -> None:
    if source not in HISTORY_SOURCES:
        HISTORY_SOURCES.append(source)


def partner_history(*, partner: Partner, limit: int = 200) -> list[HistoryEntry]:
    """Changes to the partner, its contacts, documents, interactions, follow-ups, gifts and
    needs, newest first.

    One query per model, whatever the number of changes (diffs are computed in Python
    from consecutive rows).
    """
    from django.utils.translation import gettext as _
    from django.utils.translation import pgettext

    sources = [
        (
            Partner.history.filter(id=partner.pk).prefetch_related("historicalpartner_tags_set__tag"),
            pgettext("registry", "Partner"),
            (("historicalpartner_tags_set", "tag", "tags"),),
        ),
        (Contact.history.filter(partner_id=partner.pk), _("Contact"), ()),
        (Interaction.history.filter(partner_id=partner.pk), _("Interaction"), ()),
        (FollowUp.history.filter(partner_id=partner.pk), _("Follow-up"), ()),
    ]
    # A source answers None for a partner it has nothing for (another family): no query.
    sources += [found for source in HISTORY_SOURCES if (found := source(partner)) is not None]
    return history_entries(sources, limit=limit)


def history_entries(sources: list[tuple], *, limit: int = 200) -> list[HistoryEntry]:
    """Readable entries, newest first, from ``(historical queryset, label, m2m)`` sources: the
    newest ``limit`` changes of each source, in one query per source, plus one for the record
    before the oldest of them of each object changed then (to show what that change changed),
    and one per model a changed foreign key points to. Shared with the record pages that show
    their own history (partners/projects)."""
    entries: list[HistoryEntry] = []
    for qs, label, m2m in sources:
        records = list(qs.select_related("history_user").order_by("-history_date", "-history_id")[:limit])
        earlier = _records_before(qs, records)
        ordered = sorted([*earlier, *records], key=lambda r: (r.id, r.history_date, r.history_id))
        entries.extend(_entries_for(ordered, label, m2m, shown={r.history_id for r in records}))
    _resolve_refs(entries)
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def _records_before(qs, records: list) -> list:
    """Of each object whose oldest record among ``records`` is a change, the record just before
    it (one query): what that change is diffed against. A creation needs none."""
    oldest: dict = {}
    for record in records:  # newest first: the last one seen per object is its oldest
        oldest[record.id] = record
    before = Q()
    for record in oldest.values():
        if record.history_type != "+":
            before |= Q(id=record.id, history_id__lt=record.history_id)
    if not before:
        return []
    latest_first = Window(RowNumber(), partition_by=[F("id")], order_by=F("history_id").desc())
    return list(qs.select_related("history_user").filter(before).annotate(_place=latest_first).filter(_place=1))


def contact_language(contact: Contact) -> str:
    """The language to write to a contact in: theirs, else their company's, else the site's."""
    codes = {code for code, _name in settings.LANGUAGES}
    for language in (contact.preferred_language, contact.partner.preferred_language):
        if language in codes:
            return language
    return settings.LANGUAGE_CODE


def followup_calendar_items(user: User) -> list[tuple]:
    """The user's follow-ups for their calendar feed (registered with crm.calendar)."""
    base = base_url()
    since = timezone.localdate() - dt.timedelta(days=90)
    followups = (
        FollowUp.objects.filter(owner=user, due_on__gte=since).select_related("partner").order_by("due_on", "pk")[:2000]
    )
    return [
        (
            f"followup-{f.pk}@rapport",
            f.due_on,
            f"{'✓ ' if f.done_at else ''}{f.description} — {f.partner.name}",
            f.description,
            base + f.partner.get_absolute_url(),
        )
        for f in followups
    ]


def dashboard_counters_panel(*, user: User) -> dict:
    """The dashboard's follow-up counters (registered in apps.py)."""
    return {"counts": followup_counts_for_user(user=user, done=False)}


def dashboard_panel(*, user: User) -> dict:
    """The dashboard's cards: what I owe, whom I neglect, what my department did."""
    return dashboard_for_user(user=user)


# --- Imports (partners/importing/) ------------------------------------------------------


def can_import_partners(user: User) -> bool:
    """Managers import into their department's registry, superusers into any; staff and
    supervision do not (issue #14: one careless file could rewrite many partners)."""
    return user.is_superuser or roles.MANAGER in roles.role_names(user)


def import_job_list_for_user(*, user: User) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(user=user).only("kind", "filename", "status", "total", "created_at", "user_id")


def import_job_get_for_user(*, user: User, pk: int) -> ImportJob:
    """Only its importer (and superusers) see a job: others get 404."""
    if not can_import_partners(user):
        raise PermissionDenied
    job = ImportJob.objects.filter(pk=pk).first()
    if job is None or (job.user_id != user.pk and not user.is_superuser):
        raise Http404
    return job
