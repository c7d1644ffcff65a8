"""Issue #15: the scorecard overview's ranking, "Biggest movers", "Overdue evaluations", "Awaiting
my approval" and "Sheets to score" are each one query that shows the right rows in the right order; on PostgreSQL each
reads its index in the order shown and stops at the rows shown (ranking, movers, overdue, sheets
to score: no sort of a template's scores, nor of every open evaluation of a due date), EXPLAIN
names the index.

"Awaiting my approval" (every sheet submitted) still reads the department's open evaluations
when fewer than 50 are ready: no index answers "none of its sheets unsubmitted"; a count of
unsubmitted sheets kept on the evaluation would (not done)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations import selectors
from evaluations.models import Evaluation, EvaluatorSheet, PartnerScore
from partners.models import Partner
from tests.factories import department
from tests.plans import SORT_NODE, explain


def _plans(queries) -> list[str]:
    return [explain(query["sql"]) for query in queries]


def test_overview_lists_show_the_right_rows_from_their_indexes(template, staff, manager, client, monkeypatch):
    today = timezone.localdate()
    procurement = department("procurement")
    partners = Partner.objects.bulk_create(
        Partner(family="supplier", kind="other", name=f"S{n:04d}", owner=staff, department=procurement)
        for n in range(1200)
    )
    # Scores: every partner moved a little; four moved most (two tie: by name), one not at all.
    PartnerScore.objects.bulk_create(
        PartnerScore(
            partner=p,
            template=template,
            overall_score=D(50) + {0: 30, 1: -30, 2: 20, 3: 25}.get(n, 0) + (D(n % 7 + 1) / 10 if n > 4 else 0),
            previous_overall_score=D(50),
        )
        for n, p in enumerate(partners)
    )
    # One open evaluation each, all due on the same day; the first 60 are overdue, 12 ready to close.
    evaluations = Evaluation.objects.bulk_create(
        Evaluation(
            partner=p,
            template=template,
            period_start=dt.date(2025, 4, 1),
            period_end=dt.date(2025, 6, 30),
            due_on=today - dt.timedelta(days=1) if n < 60 else today + dt.timedelta(days=10),
            opened_by=manager,
        )
        for n, p in enumerate(partners)
    )
    now = timezone.now()
    EvaluatorSheet.objects.bulk_create(
        EvaluatorSheet(evaluation=e, evaluator=staff, submitted_at=now if n % 100 < 12 and n < 100 else None)
        for n, e in enumerate(evaluations)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("partners_partner", "evaluations_partnerscore", "evaluations_evaluation"):
                cursor.execute(f"ANALYZE {table}")
            cursor.execute("ANALYZE evaluations_evaluatorsheet")

    with CaptureQueriesContext(connection) as movers_queries:
        movers = selectors.biggest_movers(template=template)
    assert [(m.partner.name, m.movement) for m in movers[:4]] == [
        ("S0000", D(30)),
        ("S0001", D(-30)),
        ("S0003", D(25)),
        ("S0002", D(20)),
    ]
    assert len(movers) == 10 and "S0004" not in {m.partner.name for m in movers}
    with CaptureQueriesContext(connection) as attention_queries:
        attention = selectors.evaluations_needing_attention(user=manager)
    assert [e.partner.name for e in attention["overdue"]] == [f"S{n:04d}" for n in range(10)]
    assert [e.partner.name for e in attention["awaiting_close"]] == [f"S{n:04d}" for n in range(10)]
    assert (attention["overdue_count"], attention["awaiting_count"]) == (51, 12)  # 60 overdue: counted to 51
    lists = [q for q in attention_queries if 'FROM "evaluations_evaluation"' in q["sql"]]
    assert len(movers_queries) == 1 and len(lists) == 2  # a query per list, which counts it too
    movers_sql = list(movers_queries.captured_queries)  # kept: a request empties the query log
    # What the page says (a request empties the connection's query log: after the counts).
    client.force_login(manager)
    page = client.get(reverse("evaluations:overview")).content.decode()
    assert "More than 50; the 10 due first:" in page and "12 in all; the 10 due first:" in page
    monkeypatch.setattr(selectors, "ATTENTION_COUNT_CAP", 100)
    assert selectors.evaluations_needing_attention(user=manager)["overdue_count"] == 60
    page = client.get(reverse("evaluations:overview")).content.decode()
    assert "60 in all; the 10 due first:" in page and "More than" not in page
    with CaptureQueriesContext(connection) as ranking_queries:
        ranking = selectors.ranking(template=template, limit=50)
    assert [r.partner.name for r in ranking[:3]] == ["S0000", "S0003", "S0002"] and len(ranking) == 50
    with CaptureQueriesContext(connection) as sheet_queries:
        to_score = list(selectors.sheets_to_score_for_user(user=staff)[:10])
    # Soonest due first; the first twelve of those are submitted.
    assert [s.evaluation.partner.name for s in to_score] == [f"S{n:04d}" for n in range(12, 22)]
    if connection.vendor != "postgresql":
        return
    movers_plan, overdue_plan, ranking_plan, sheets_plan = _plans(
        [*movers_sql, *lists[:1], ranking_queries[0], *sheet_queries]
    )
    # Best first, unrated last (NULLS LAST: evaluations 0009), ties by name within equal scores.
    assert "Index Scan using partner_score_rank_nulls_last_idx" in ranking_plan, ranking_plan
    assert not SORT_NODE.search(ranking_plan), ranking_plan
    # My sheets: the open evaluations in due order, each probed for my unsubmitted sheet.
    assert "Index Scan using evaluation_status_due_idx" in sheets_plan, sheets_plan
    assert not SORT_NODE.search(sheets_plan), sheets_plan
    assert "Index Scan using partner_score_movers_idx" in movers_plan, movers_plan
    assert not SORT_NODE.search(movers_plan), movers_plan
    # The overdue ones: read in order from the index, or (the planner's choice for a few
    # dozen rows) found through it and sorted after.
    assert re.search(r"(Index Scan using|Bitmap Index Scan on) evaluation_status_due_idx\b", overdue_plan), overdue_plan
