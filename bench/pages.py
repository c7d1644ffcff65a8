"""Page timings at 3,000 partners / 30,000 interactions, through Django's test client.

    make bench            # or: .venv/bin/python bench/pages.py [--runs 15]

Uses its own SQLite database (var/bench.sqlite3, or BENCH_DATABASE_URL), fills it with
`seed_demo --partners 3000 --interactions 30000` (idempotent: a second run reuses it),
then prints the median and 90th-percentile time and the SQL query count of each page.
Figures only: budgets are judged by people, never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
os.environ.setdefault("DEBUG", "True")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--partners", type=int, default=3000)
    parser.add_argument("--interactions", type=int, default=30000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from partners.cases.models import Case
    from partners.models import Interaction, Partner
    from supervision.models import AnnualReport
    from supervision.report import annual_figures

    settings.ALLOWED_HOSTS = ["testserver"]
    (ROOT / "var").mkdir(exist_ok=True)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", partners=args.partners, interactions=args.interactions, verbosity=0)
    print(
        f"data: {Partner.objects.count():,} partners, {Interaction.objects.count():,} interactions "
        f"(migrate + seed {time.perf_counter() - t0:.1f} s; database {connection.vendor})"
    )

    client = Client()
    client.force_login(User.objects.get(username="staff"))
    manager_client = Client()
    manager_client.force_login(User.objects.get(username="manager"))
    supervisor_client = Client()
    supervisor_client.force_login(User.objects.get(username="supervisor"))
    from supervision.models import InspectionPlan, Sample

    plan = InspectionPlan.objects.order_by("pk").first()
    sample = Sample.objects.order_by("pk").first()
    busiest = Partner.objects.annotate(n=Count("interactions")).order_by("-n").first()
    scored = Partner.objects.filter(family="supplier").annotate(e=Count("evaluations")).order_by("-e", "pk").first()
    scored_n = scored.e
    noisiest_case = Case.objects.annotate(n=Count("notes")).order_by("-n", "pk").first()
    pages = [
        ("dashboard", reverse("dashboard")),
        ("all partners", reverse("partners:list")),
        ("suppliers", reverse("partners:family_list", args=["supplier"])),
        ("search 'co'", reverse("partners:list") + "?q=co"),
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
        ("annual reports (manager)", reverse("supervision:report_list")),
    ]
    # The published annual report renders from its snapshot: about a plain list page's time.
    published = AnnualReport.objects.filter(state="published").order_by("-year").first()
    if published is not None:
        pages.append((f"annual report {published.year}, published (manager)", published.get_absolute_url()))
    print(f"{'page':45} {'median ms':>10} {'p90 ms':>8} {'queries':>8}")
    for label, url in pages:
        who = supervisor_client if "supervisor" in label else manager_client if "manager" in label else client
        for _ in range(2):  # warm-up: template and query caches
            who.get(url)
        timings = []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = who.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        timings.sort()
        p90 = timings[min(len(timings) - 1, int(len(timings) * 0.9))]
        print(f"{label:45} {statistics.median(timings):10.1f} {p90:8.1f} {len(ctx.captured_queries):8d}")

    # The annual report's generation (the Celery task's work), last year against the year before.
    year = time.localtime().tm_year - 1
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        annual_figures(year)
    print(
        f"{f'annual report {year}: generation':45} {(time.perf_counter() - start) * 1000:10.1f} {'':8} "
        f"{len(ctx.captured_queries):8d}"
    )

    start = time.perf_counter()
    size = sum(len(chunk) for chunk in client.get(reverse("partners:export")).streaming_content)
    print(
        f"{'CSV export, all partners':45} {(time.perf_counter() - start) * 1000:10.1f} {'':8} {'':8} ({size:,} bytes)"
    )


if __name__ == "__main__":
    main()
