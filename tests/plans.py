"""PostgreSQL's plan of a query, for the tests that prove an index serves a page (issue #15)."""

from __future__ import annotations

import re

from django.db import connection

# A Sort node of every row (an Incremental Sort, within rows read in order, is no such node).
SORT_NODE = re.compile(r"^\s*(->\s+)?Sort\s+\(", re.MULTILINE)


def explain(sql: str, params=(), *, off: tuple[str, ...] = ()) -> str:
    """``EXPLAIN`` of ``sql``, with the planner settings named in ``off`` (``enable_seqscan``)
    turned off for it alone: to ask whether an index can serve a tiny test table, not whether
    the planner prefers it at that size."""
    with connection.cursor() as cursor:
        for setting in off:
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        for setting in off:
            cursor.execute(f"RESET {setting}")
    return plan
