"""Page timings beside a floor page, wrk throughput and the annual report, at a chosen size.

    make bench                    # small: 3,000 partners / 30,000 interactions, SQLite
    make bench SIZE=medium        # 10,000 / 100,000 on PostgreSQL (rapport_bench_medium)
    make bench SIZE=large         # 100,000 / 1,000,000 on PostgreSQL (rapport_bench_large)
    .venv/bin/python bench/pages.py --size medium [--partners N --interactions M] [--runs 15]

The small size uses its own SQLite database (var/bench.sqlite3); medium and large their own
PostgreSQL database on 127.0.0.1:5432 (created if missing). BENCH_DATABASE_URL overrides
either. The database is filled with ``seed_demo --partners N --interactions M`` unless it
already holds that many (seed_demo works in one transaction, so a database holding them was
seeded completely); --partners/--interactions top the size's database up to other targets.
On PostgreSQL it then runs VACUUM ANALYZE, what autovacuum does in production: the server here
runs without it, and nothing else would give the planner its statistics after a bulk load, nor
set the visibility map that lets an index-only scan (a deep page's ids) skip the table.

Then it prints, for every page, the median (p50) and 90th-percentile time through Django's
test client (rounds interleaved, so a busy moment of the shared machine hits every page
alike), the ratio of its p50 to the floor's, and its SQL query count. The floor is a bare
signed-in 50-row Bootstrap table with one query of its own (bench/floor.py, served only by
the bench's URLconf). Then the annual report's generation, the CSV export, and requests per
second under wrk against gunicorn with 2 workers, for the floor, the partner list and a
partner detail. Figures only: budgets are judged by people, never asserted in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    Gunicorn,
    ensure_database,
    load_average,
    percentile,
    status_of,
    times_floor,
    wrk,
    wrk_available,
)

SIZES = {"small": (3_000, 30_000), "medium": (10_000, 100_000), "large": (100_000, 1_000_000)}
FLOOR = "floor: bare 50-row table, 1 query"


def database_url(size: str) -> str:
    if url := os.environ.get("BENCH_DATABASE_URL"):
        return url
    if size == "small":
        return f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"
    return f"postgres://postgres@127.0.0.1:5432/rapport_bench_{size}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--partners", type=int, help="target partners (default: the size's)")
    parser.add_argument("--interactions", type=int, help="target interactions (default: the size's)")
    parser.add_argument("--runs", type=int, default=15, help="timed requests per page (default 15)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds the runs are split into")
    parser.add_argument("--wrk-seconds", type=int, default=10, help="wrk's duration per page; 0 skips wrk")
    parser.add_argument("--wrk-connections", type=int, default=4)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # each line as it comes, also into a file or a pipe
    partners, interactions = SIZES[args.size]
    partners = args.partners if args.partners is not None else partners
    interactions = args.interactions if args.interactions is not None else interactions

    database = database_url(args.size)
    os.environ["DATABASE_URL"] = database
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"  # the product's URLs + the floor page
    os.environ.setdefault("DEBUG", "True")
    os.environ.setdefault("RAPPORT_BASE_URL", "http://127.0.0.1:8000")  # no e-mail is sent: quiets the check
    if database.startswith("postgres"):
        ensure_database(database)
    (ROOT / "var").mkdir(exist_ok=True)

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from partners.cases.models import Case
    from partners.models import Interaction, Partner
    from supervision import coverage
    from supervision.models import AnnualReport, InspectionPlan, Sample
    from supervision.report import annual_figures

    settings.ALLOWED_HOSTS = ["testserver"]
    print(
        f"Rapport bench, size {args.size}: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} cores, load average {load_average()} (1, 5, 15 min; the cores may be shared)"
    )
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    if Partner.objects.count() >= partners and Interaction.objects.count() >= interactions:
        prepared = f"reused, migrate {time.perf_counter() - t0:.1f} s"
    else:
        call_command("seed_demo", partners=partners, interactions=interactions, verbosity=0)
        prepared = f"migrate + seed_demo {time.perf_counter() - t0:.1f} s"
    if connection.vendor == "postgresql":
        t1 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        prepared += f", VACUUM ANALYZE {time.perf_counter() - t1:.1f} s"
    print(
        f"data: {Partner.objects.count():,} partners, {Interaction.objects.count():,} interactions "
        f"({prepared}); database {connection.vendor} {connection.settings_dict['NAME']}"
    )

    client = Client()
    client.force_login(User.objects.get(username="staff"))
    manager_client = Client()
    manager_client.force_login(User.objects.get(username="manager"))
    supervisor_client = Client()
    supervisor_client.force_login(User.objects.get(username="supervisor"))

    plan = InspectionPlan.objects.order_by("pk").first()
    sample = Sample.objects.order_by("pk").first()
    busiest = Partner.objects.annotate(n=Count("interactions")).order_by("-n").first()
    scored = Partner.objects.filter(family="supplier").annotate(e=Count("evaluations")).order_by("-e", "pk").first()
    scored_n = scored.e
    noisiest_case = Case.objects.annotate(n=Count("notes")).order_by("-n", "pk").first()
    pages = [
        (FLOOR, reverse("bench_floor")),
        ("dashboard", reverse("dashboard")),
        ("all partners", reverse("partners:list")),
        ("suppliers", reverse("partners:family_list", args=["supplier"])),
        ("all partners, page 200", reverse("partners:list") + "?page=200"),
        ("suppliers, search 'co'", reverse("partners:family_list", args=["supplier"]) + "?q=co"),
        ("search 'co'", reverse("partners:list") + "?q=co"),
        # Two Chinese characters, no trigram: the gram indexes (partners 0014, crm/search.py).
        ("search '精密'", reverse("partners:list") + "?q=精密"),
        ("search '机械'", reverse("partners:list") + "?q=机械"),
        ("not contacted 30 d, by last contact", reverse("partners:list") + "?not_contacted_days=30&sort=-last_contact"),
        ("filter tier+status, page 5", reverse("partners:list") + "?tier=1&status=active&page=5"),
        ("all partners, page 50", reverse("partners:list") + "?page=50"),
        ("all partners, by status (descending)", reverse("partners:list") + "?sort=-status"),
        (f"partner detail ({busiest.n} interactions)", reverse("partners:detail", args=[busiest.pk])),
        ("partner history", reverse("partners:history", args=[busiest.pk])),
        ("my follow-ups", reverse("partners:followups")),
        ("scorecard overview (manager)", reverse("evaluations:overview")),
        (f"supplier scorecard ({scored_n} evaluations, manager)", reverse("evaluations:scorecard", args=[scored.pk])),
        ("overdue follow-ups", reverse("partners:followups") + "?state=overdue"),
        ("open cases", reverse("cases:case_list")),
        (
            f"all cases ({Case.objects.count()}), by priority",
            reverse("cases:case_list") + "?state=&sort=-priority",
        ),
        ("all cases, search 'co'", reverse("cases:case_list") + "?state=all&q=co"),
        ("all cases, search 'deliver'", reverse("cases:case_list") + "?state=all&q=deliver"),
        ("all cases, search '延迟'", reverse("cases:case_list") + "?state=all&q=延迟"),
        ("case detail", reverse("cases:case_detail", args=[noisiest_case.pk])),
        ("SLA attainment, 24 months (manager)", reverse("cases:sla_report") + "?months=24"),
        ("survey results (manager)", reverse("surveys:results")),
        ("needs summary, 12 months", reverse("customers:needs_summary")),
        ("care calendar, 30 days", reverse("customers:care_calendar")),
        ("gift register", reverse("customers:gift_list")),
        ("campaigns", reverse("customers:campaign_list")),
        ("supervision home (supervisor)", reverse("supervision:home")),
        ("inspection plan (supervisor)", reverse("supervision:plan_detail", args=[plan.pk])),
        ("sample of 10 (supervisor)", reverse("supervision:sample_detail", args=[sample.pk])),
        ("findings (supervisor)", reverse("supervision:finding_list")),
        ("findings of my department", reverse("supervision:finding_list")),
        ("corrective actions", reverse("corrective_actions")),
        # Issue #11 §5: within 15 queries at any size.
        ("policy coverage, all depts (supervisor)", reverse("supervision:coverage")),
        ("policy coverage (manager)", reverse("supervision:coverage")),
        # The figures above come from the shared cache (a minute old at most): counted afresh here.
        ("policy coverage, all depts, counted afresh (supervisor)", reverse("supervision:coverage")),
        ("annual reports (manager)", reverse("supervision:report_list")),
    ]
    # The published annual report renders from its snapshot: about a plain list page's time.
    published = AnnualReport.objects.filter(state="published").order_by("-year").first()
    if published is not None:
        pages.append((f"annual report {published.year}, published (manager)", published.get_absolute_url()))

    def who(label: str) -> Client:
        return supervisor_client if "supervisor" in label else manager_client if "manager" in label else client

    for label, url in pages:  # warm-up: template and query caches
        for _ in range(2):
            response = who(label).get(url)
            assert response.status_code == 200, (url, response.status_code)
    timings: dict[str, list[float]] = {label: [] for label, _url in pages}
    queries: dict[str, int] = {}
    per_round = math.ceil(args.runs / args.rounds)
    for _ in range(args.rounds):
        for label, url in pages:
            for _ in range(per_round):
                if "counted afresh" in label:
                    cache.delete(coverage.figures_key(timezone.localdate().year, None))
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    response = who(label).get(url)
                    timings[label].append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (url, response.status_code)
                queries[label] = len(ctx.captured_queries)

    floor_p50 = statistics.median(timings[FLOOR])
    print(f"\n{'page':50} {'p50 ms':>8} {'p90 ms':>8} {'× floor':>8} {'queries':>8}")
    for label, _url in pages:
        values = sorted(timings[label])
        p50 = statistics.median(values)
        print(
            f"{label:50} {p50:8.1f} {percentile(values, 0.9):8.1f} {times_floor(p50, floor_p50):>8} {queries[label]:8d}"
        )
    ratios = sorted(((statistics.median(timings[label]) / floor_p50, label) for label, _url in pages[1:]), reverse=True)
    print(
        f"{sum(r <= 2 for r, _ in ratios)} of {len(ratios)} pages within 2× the floor; the slowest: "
        + ", ".join(f"{label} {r:.1f}×" for r, label in ratios[:3])
    )

    # The annual report's generation (the Celery task's work), last year against the year before.
    year = time.localtime().tm_year - 1
    generation = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            annual_figures(year)
            generation.append((time.perf_counter() - start) * 1000)
    print(
        f"{f'annual report {year}: generation (median of 3)':50} {statistics.median(generation):8.1f} "
        f"{'':8} {'':8} {len(ctx.captured_queries):8d}"
    )

    start = time.perf_counter()
    size = sum(len(chunk) for chunk in client.get(reverse("partners:export")).streaming_content)
    print(f"{'CSV export, all partners':50} {(time.perf_counter() - start) * 1000:8.1f} ({size:,} bytes)")

    if args.wrk_seconds and not wrk_available():
        print("\nwrk is not installed (apt-get install wrk): throughput skipped.")
    elif args.wrk_seconds:
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        detail = next((label, url) for label, url in pages if label.startswith("partner detail"))
        loaded = [pages[0], ("all partners", reverse("partners:list")), detail]
        server_env = {"DATABASE_URL": database, "DEBUG": "False", "SECRET_KEY": settings.SECRET_KEY}
        server_env["SECURE_SSL_REDIRECT"] = "False"  # plain HTTP on 127.0.0.1, no TLS proxy in front
        with Gunicorn(env=server_env, workers=2) as server:
            print(
                f"\nthroughput: gunicorn --workers 2 (DEBUG=False) on {server.base}, "
                f"wrk -t1 -c{args.wrk_connections} -d{args.wrk_seconds}s, signed in as staff"
            )
            print(f"{'page':50} {'req/s':>8} {'× floor':>8} {'p50 ms':>8} {'errors':>8}")
            floor_rps = None
            for label, url in loaded:
                status = status_of(server.base + url, cookie=cookie)
                assert status == 200, (url, status)
                wrk(server.base + url, cookie=cookie, seconds=2, connections=args.wrk_connections)  # warm-up
                result = wrk(
                    server.base + url, cookie=cookie, seconds=args.wrk_seconds, connections=args.wrk_connections
                )
                floor_rps = floor_rps or result.requests_per_second
                print(
                    f"{label:50} {result.requests_per_second:8.1f} "
                    f"{times_floor(result.requests_per_second, floor_rps):>8} {result.latency_p50_ms:8.1f} "
                    f"{result.errors:8d}"
                )
    print(f"\nload average at the end: {load_average()}")


if __name__ == "__main__":
    main()
