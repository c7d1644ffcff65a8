"""Search terms of one and two characters, with and without the gram indexes, interleaved.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rapport_bench_large .venv/bin/python bench/short_search.py

On a seeded PostgreSQL database (``seed_demo``, then ANALYZE; see bench/pages.py), this times
the partner list and the case list searched for each term, through Django's test client, and
the search queries' execution time (EXPLAIN ANALYZE), twice per round: "before" with
``crm.search.served_by_grams`` answering no, which gives the plain ``icontains`` query of
before partners 0014 (the indexes stay, unused), and "after" as shipped. Rounds interleave
both, so a busy moment of the shared machine hits both alike; terms whose query is the same
either way (one ASCII character, three or more characters) show the noise. Figures only.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

import crm.search  # noqa: E402

PAGES = [
    ("partners", reverse("partners:list"), {}, ["精密", "机械", "王", "鑫", "co", "c", "devices", "精密机械"]),
    ("cases", reverse("cases:case_list"), {"state": "all"}, ["延迟", "机械", "co", "cs", "c", "deliv"]),
]


def execution_ms(sql: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE) " + sql)
        line = next(row[0] for row in cursor.fetchall() if row[0].startswith("Execution Time"))
    return float(line.split()[2])


def main(rounds: int = 3, runs: int = 3) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    served = crm.search.served_by_grams
    client = Client()
    client.force_login(User.objects.filter(is_superuser=True).first())
    results: dict[tuple, list] = {}
    for _round in range(rounds):
        for label, url, extra, terms in PAGES:
            for term in terms:
                for mode in ("before", "after"):
                    crm.search.served_by_grams = served if mode == "after" else (lambda term: False)
                    query = {**extra, "q": term}
                    client.get(url, query)  # warm
                    times = []
                    for _ in range(runs):
                        start = time.perf_counter()
                        with CaptureQueriesContext(connection) as ctx:
                            response = client.get(url, query)
                        times.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200
                    sql_ms = sum(execution_ms(q["sql"]) for q in ctx.captured_queries if "LIKE" in q["sql"])
                    results.setdefault((label, term, mode), []).append(
                        (statistics.median(times), sql_ms, len(ctx.captured_queries))
                    )
    crm.search.served_by_grams = served
    print("page | term | before ms | after ms | after/before | search SQL before ms | after ms | queries")
    for label, _url, _extra, terms in PAGES:
        for term in terms:
            before, after = results[(label, term, "before")], results[(label, term, "after")]
            b_page, a_page = statistics.median(r[0] for r in before), statistics.median(r[0] for r in after)
            b_sql, a_sql = statistics.median(r[1] for r in before), statistics.median(r[1] for r in after)
            print(
                f"{label} | {term} | {b_page:.0f} | {a_page:.0f} | {a_page / b_page:.2f} | {b_sql:.1f} | {a_sql:.1f}"
                f" | {before[0][2]}/{after[0][2]}"
            )


if __name__ == "__main__":
    main()
