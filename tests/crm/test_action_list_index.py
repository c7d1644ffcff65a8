"""Issue #15 §2: the corrective-action list's working view (open or responded, by due date) is
read in order from the partial index of crm 0017 and ends with the page: no sort of every
active action, whatever their number (EXPLAIN on PostgreSQL, with statistics, no planner
switch). Its kinds of source are probed per kind, not read from every action."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm import option_lists
from crm.models import CorrectiveAction
from tests.conftest import login
from tests.plans import SORT_NODE, explain

pytestmark = pytest.mark.django_db


STATES = ["open", "responded", "verified", "cancelled"]


def _actions(supplier, manager, fields) -> None:
    """4,000 actions about ``supplier``, their states in turn (``STATES``), with ``fields(n)``;
    and, on PostgreSQL, the table's statistics."""
    CorrectiveAction.objects.bulk_create(
        CorrectiveAction(
            source_type=ContentType.objects.get_for_model(supplier),
            source_id=supplier.pk,
            description=f"Action {n:05d}",
            department=supplier.department,
            owner=manager,
            raised_by=manager,
            state=STATES[n % 4],
            **fields(n),
        )
        for n in range(4000)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE crm_correctiveaction")


def test_the_working_view_is_read_in_due_order_from_its_index(client, supervisor, manager, supplier, settings):
    settings.RAPPORT_LIST_COUNT_CAP = 5000  # counted whole
    option_lists.forget()  # the kinds of source read afresh
    today = dt.date(2026, 6, 1)
    _actions(supplier, manager, lambda n: {"due_on": today + dt.timedelta(days=n % 400)})
    login(client, supervisor)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("corrective_actions"))
    rows = response.context["page"].object_list
    expected = CorrectiveAction.objects.filter(state__in=["open", "responded"]).order_by("due_on", "pk")[:50]
    assert [a.pk for a in rows] == [a.pk for a in expected] and len(rows) == 50
    assert response.context["page"].paginator.count == 2000
    sqls = [q["sql"] for q in ctx.captured_queries]
    page_sql = next(sql for sql in sqls if re.search(r"LIMIT 50\b", sql) and "crm_correctiveaction" in sql)
    kinds_sql = next(sql for sql in sqls if 'FROM "django_content_type"' in sql)
    assert "EXISTS" in kinds_sql and "DISTINCT" not in kinds_sql
    assert '<option value="' in response.content.decode()  # the "Raised by" select
    if connection.vendor != "postgresql":
        return
    plan = explain(page_sql)
    assert "action_active_due_idx" in plan, plan
    assert not SORT_NODE.search(plan), plan


def test_supervision_home_reads_the_actions_to_verify_from_their_index(client, supervisor, manager, supplier):
    """Supervision's home lists the ten oldest responses awaiting verification: read in order
    from crm 0019's partial index, not by sorting every responded action."""
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    _actions(
        supplier,
        manager,
        lambda n: {"due_on": now.date(), "responded_at": now - dt.timedelta(hours=n) if n % 4 else None},
    )
    login(client, supervisor)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(reverse("supervision:home")).content.decode()
    assert "Action 03997" in body and "Action 03993" in body  # the oldest responses
    assert "Action 00001" not in body  # the newest is not among the ten
    sqls = [q["sql"] for q in ctx.captured_queries]
    sql = next(s for s in sqls if "crm_correctiveaction" in s and re.search(r"LIMIT 10\b", s) and "responded_at" in s)
    if connection.vendor != "postgresql":
        return
    plan = explain(sql)
    assert "action_responded_idx" in plan, plan
    assert not SORT_NODE.search(plan), plan
