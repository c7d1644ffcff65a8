"""Issue #15 §2: every sort and filter the partner list and the case list offer is read from an
index, in the index's order, so page 1 and a deep page never sort the table (EXPLAIN names the
index and shows no Sort, on PostgreSQL); and everywhere, each sort orders and pages the rows as
the user expects: stable, a descending sort the reverse of its ascending one, never-contacted
partners last."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from partners.cases.filters import CaseFilter
from partners.cases.models import Case, CaseStatus
from partners.cases.selectors import case_list_for_user
from partners.filters import PartnerFilter
from partners.models import FollowUp, Partner, Status, Tag, Tier
from partners.selectors import FOLLOWUP_ROW_VALUES, followup_list_for_user, followups_in_state, partner_list_for_user
from tests.factories import PartnerFactory, UserFactory, department
from tests.plans import explain

SORTS = ("", "name", "status", "tier", "last_contact", "created")


def _names(client, **query) -> list[str]:
    response = client.get(reverse("partners:list"), query)
    assert response.status_code == 200
    return [p.name for p in response.context["page"].object_list]


def test_each_sort_orders_and_pages_the_partners(client, staff, settings):
    now = timezone.now()
    for n in range(7):
        PartnerFactory(
            name=f"P{n}",
            owner=staff,
            status=[Status.ACTIVE, Status.CANDIDATE][n % 2],
            tier=Tier.KEY if n % 3 == 0 else Tier.NORMAL,
            last_contacted_at=None if n in (2, 5) else now - dt.timedelta(days=n),
        )
    PartnerFactory(name="Archived", owner=staff, archived_at=now)
    rows = {p.name: p for p in Partner.objects.filter(archived_at=None)}
    settings.RAPPORT_PAGE_SIZE = 3
    client.force_login(staff)

    def expected(sort: str) -> list[str]:
        key = sort.lstrip("-")
        desc = sort.startswith("-")
        if key == "last_contact":
            contacted = sorted(
                (p for p in rows.values() if p.last_contacted_at), key=lambda p: (p.last_contacted_at, p.pk)
            )
            never = sorted((p for p in rows.values() if not p.last_contacted_at), key=lambda p: p.pk)
            return [p.name for p in (contacted[::-1] + never[::-1] if desc else contacted + never)]
        fields = {"status": ("status", "name"), "tier": ("tier", "name"), "created": ("created_at",)}.get(
            key, ("name",)
        )
        ordered = sorted(rows.values(), key=lambda p: (*(getattr(p, f) for f in fields), p.pk))
        return [p.name for p in (ordered[::-1] if desc else ordered)]

    for sort in (*SORTS, *(f"-{s}" for s in SORTS if s)):
        pages = [_names(client, sort=sort, page=page) for page in (1, 2, 3)]
        assert [name for page in pages for name in page] == expected(sort), sort
    # The archived partner is in no page but the archived list's.
    assert "Archived" not in rows and _names(client, archived="on") == ["Archived"]


def _page_sql(qs, page: int) -> tuple[str, tuple]:
    """The SQL that reads page ``page`` of ``qs`` in order, as the list's paginator asks it: the
    rows of page 1; past it, the page's ids (``CappedPaginator.page``'s deferred join)."""
    bottom = (page - 1) * 50
    rows = qs[:50] if page == 1 else qs.values_list("pk", flat=True)[bottom : bottom + 50]
    return rows.query.sql_with_params()


def _uses_index(plan: str, index: str) -> bool:
    """A filter's index: read in order, or as a bitmap whose few rows are sorted after."""
    return re.search(rf"(Index (Only )?Scan( Backward)? using|Bitmap Index Scan on) {index}\b", plan) is not None


def _reads_index_in_order(plan: str, index: str) -> bool:
    return re.search(rf"Index (Only )?Scan( Backward)? using {index}\b", plan) is not None and " Sort " not in (
        plan.replace("Incremental Sort", "")
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN of PostgreSQL's planner")
def test_every_sort_and_filter_reads_its_index_on_postgresql(staff, supplier):
    # Enough rows that sorting the table costs more than reading an index in order (ANALYZE, no
    # planner switches): the page sizes of a list at scale.
    now = timezone.now()
    other_owner, other_department = UserFactory(username="filler"), department("filler")
    # Each filter's value is rare (1 to 3 % of the rows), as a filter narrows a long list.
    Partner.objects.bulk_create(
        Partner(
            family="customer" if n % 10 == 5 else "supplier",
            kind="other",
            name=f"Filler {n:05d}",
            status=Status.SUSPENDED if n % 40 == 0 else [Status.ACTIVE, Status.CANDIDATE][n % 2],
            tier=Tier.KEY if n % 40 == 1 else Tier.NORMAL,
            owner_id=staff.pk if n % 100 == 2 else other_owner.pk,
            department_id=supplier.department_id if n % 100 == 2 else other_department.pk,
            last_contacted_at=None if n % 400 == 3 else now - dt.timedelta(days=30 if n >= 11900 else 0, minutes=n),
            archived_at=now if n % 50 == 7 else None,
        )
        for n in range(12000)
    )
    # Most partners carry a common tag; 200 the one filtered on.
    tag, common = Tag.objects.create(name="Filler"), Tag.objects.create(name="Common")
    pks = list(Partner.objects.order_by("pk").values_list("pk", flat=True))
    Partner.tags.through.objects.bulk_create(
        [Partner.tags.through(partner_id=pk, tag_id=common.pk) for pk in pks]
        + [Partner.tags.through(partner_id=pk, tag_id=tag.pk) for pk in pks[:200]]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE partners_partner")
        cursor.execute("ANALYZE partners_partner_tags")

    def partners(data: dict, family: str | None = None):
        return PartnerFilter(data, queryset=partner_list_for_user(user=staff, family=family)).qs

    for sort, index in (
        ("", "partner_name_idx"),
        ("name", "partner_name_idx"),
        ("-name", "partner_name_idx"),
        ("status", "partner_status_idx"),
        ("-status", "partner_status_idx"),
        ("tier", "partner_tier_idx"),
        ("-tier", "partner_tier_idx"),
        ("last_contact", "partner_last_contact_idx"),
        ("-last_contact", "partner_last_contact_desc_idx"),
        ("created", "partner_created_idx"),
        ("-created", "partner_created_idx"),
    ):
        for page in (1, 20):  # page 20: 1,000 rows into the index, no sort of 12,000
            plan = explain(*_page_sql(partners({"sort": sort}), page))
            assert _reads_index_in_order(plan, index), f"{sort} {page}\n{plan}"
    for page in (1, 5):  # a family of 1,200: page 5 reads 250 rows of the index, not 1,200 sorted
        plan = explain(*_page_sql(partners({}, family="customer"), page))
        assert _reads_index_in_order(plan, "partner_family_list_idx"), f"{page}\n{plan}"
    # Filters, in the default order by name.
    for data, index in (
        ({"status": Status.SUSPENDED}, "partner_status_idx"),
        ({"tier": str(Tier.KEY)}, "partner_tier_idx"),
    ):
        plan = explain(*_page_sql(partners(data), 1))
        assert _uses_index(plan, index), f"{data}\n{plan}"
    for data, index in (
        ({"owner": staff.pk}, "partners_partner_owner_id|partner_owner_contact_idx"),
        ({"department": supplier.department_id}, "partners_partner_department_id"),
        ({"tag": tag.pk}, "partners_partner_tags_tag_id"),
        ({"not_contacted_days": 20}, "partner_last_contact_idx|partner_last_contact_desc_idx"),
    ):
        # Filters whose index is not in the page's order: the few rows they select are read
        # from it (or a bitmap of it), then sorted.
        plan = explain(*_page_sql(partners(data), 1))
        assert re.search(rf"(Index (Only )?Scan( Backward)? using|Bitmap Index Scan on) ({index})", plan), (
            f"{data}\n{plan}"
        )
    # "Not contacted for N days", most recent contact first: one range of the descending index
    # (partners 0015), not a read from today that drops every partner contacted since.
    plan = explain(*_page_sql(partners({"not_contacted_days": 20, "sort": "-last_contact"}), 1))
    assert _reads_index_in_order(plan, "partner_last_contact_desc_idx"), plan
    assert re.search(r"Index Cond: \(COALESCE\(last_contacted_at", plan), plan
    plan = explain(*_page_sql(partners({"archived": "on"}), 1))
    assert "partner_archived_name_idx" in plan or "Seq Scan" not in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN of PostgreSQL's planner")
def test_every_case_sort_and_filter_reads_its_index_on_postgresql(staff, supplier):
    now = timezone.now()
    statuses = list(CaseStatus.values)
    Case.objects.bulk_create(
        Case(
            reference=f"CS-T-{n:05d}",
            partner=supplier,
            family="customer" if n % 40 == 2 else "supplier",
            kind="suggestion" if n % 40 == 1 else ["complaint", "issue", "request"][n % 3],
            channel="phone",
            priority=4 if n % 40 == 0 else 1 + n % 3,
            status=statuses[n % len(statuses)],
            subject=f"Filler case {n}",
            description="d",
            opened_at=now - dt.timedelta(minutes=n),
            response_due_at=now + dt.timedelta(hours=n % 97),
            resolution_due_at=now + dt.timedelta(hours=n % 991),
        )
        for n in range(12000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")

    def cases(data: dict):
        return CaseFilter(data, queryset=case_list_for_user(user=staff, instances=False)).qs

    for data, index in (
        ({"state": "open"}, "case_open_opened_idx"),  # the working view
        ({"state": "all"}, "case_opened_idx"),
        ({"state": "all", "sort": "opened"}, "case_opened_idx"),
        ({"state": "all", "sort": "-due"}, "case_due_idx"),
        ({"state": "all", "sort": "due"}, "case_due_idx"),
        ({"state": "all", "sort": "-priority"}, "case_priority_idx"),
        # Filters (300 cases each), newest first.
        ({"state": "all", "priority": "4"}, "case_priority_idx"),
        ({"state": "all", "kind": "suggestion"}, "case_kind_idx"),
        ({"state": "all", "family": "customer"}, "case_family_idx"),
    ):
        sorted_by_index = "sort" in data or len(data) == 1
        for page in (1, 20) if sorted_by_index else (1, 3):
            plan = explain(*_page_sql(cases(data), page))
            found = _reads_index_in_order(plan, index) if sorted_by_index else _uses_index(plan, index)
            assert found, f"{data} {page}\n{plan}"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN of PostgreSQL's planner")
def test_my_open_and_overdue_follow_ups_are_read_in_their_order_on_postgresql(staff, supplier):
    """At 1,000,000 interactions a user owes about a thousand follow-ups: the open and overdue
    tabs read them from the partial (owner, due_on, id) index in order, and the page ends the
    read (sorting them took 5 ms)."""
    today = timezone.localdate()
    others = [UserFactory(username=f"owes{n}") for n in range(3)]
    FollowUp.objects.bulk_create(
        FollowUp(
            partner=supplier,
            owner=staff if n % 4 == 0 else others[n % 3],
            description=f"Send the offer {n}",
            due_on=today + dt.timedelta(days=n % 400 - 200),
            done_at=timezone.now() if n % 5 == 0 else None,
        )
        for n in range(16000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE partners_followup")
    for state in ("open", "overdue"):
        qs = followups_in_state(followup_list_for_user(user=staff), state)
        for page in (1, 20):
            plan = explain(*_page_sql(qs.values_list(*FOLLOWUP_ROW_VALUES), page))
            assert _reads_index_in_order(plan, "followup_open_idx"), f"{state} {page}\n{plan}"
