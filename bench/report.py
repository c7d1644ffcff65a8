"""The annual report's generation at issue #11's size, on PostgreSQL (figures only).

    .venv/bin/python bench/report.py            # DATABASE_URL defaults to the bench database
    BENCH_REPORT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/rapport_bench .venv/bin/python bench/report.py

Fills the database (once: a second run reuses it) with 100,000 partners, 1,000,000
interactions over two years, 50,000 survey responses (NPS, CSAT and CES answers), 100,000
follow-ups, 20,000 cases and 5,000 gifts, with bulk inserts; then times
``supervision.report.annual_figures`` for last year (against the year before), which is
what the Celery task runs, and prints its query count. The budget is 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_REPORT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rapport_bench"
)
os.environ.setdefault("DEBUG", "True")

from bench.common import ensure_database  # noqa: E402

BATCH = 5000


def seed(*, partners: int, interactions: int, responses: int, rng: random.Random) -> None:
    from django.contrib.auth.models import User
    from django.utils import timezone

    from crm.models import Department
    from evaluations.surveys.models import (
        Answer,
        QuestionKind,
        Survey,
        SurveyInvitation,
        SurveyResponse,
        SurveyTemplate,
    )
    from evaluations.surveys.periods import Period
    from partners.cases.models import Case
    from partners.customers.models import Gift
    from partners.models import Family, FollowUp, Interaction, Partner, PartnerKind, Tier

    tz = timezone.get_current_timezone()
    this_year = timezone.localdate().year
    years = [this_year - 2, this_year - 1]
    owner, _ = User.objects.get_or_create(username="bench-owner")
    departments = list(Department.objects.all())
    kinds = {
        Family.SUPPLIER: PartnerKind.MANUFACTURER,
        Family.CUSTOMER: PartnerKind.COMPANY,
        Family.PARTNER: PartnerKind.TECHNOLOGY,
        Family.ASSOCIATION: PartnerKind.INDUSTRY_ASSOCIATION,
    }
    families = list(kinds)

    def moment(year: int) -> dt.datetime:
        return dt.datetime(year, 1, 1, tzinfo=tz) + dt.timedelta(seconds=rng.randrange(365 * 86400))

    t0 = time.perf_counter()
    start_pk = (Partner.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    for first in range(0, partners, BATCH):
        Partner.objects.bulk_create(
            Partner(
                family=(family := families[i % 4]),
                kind=kinds[family],
                name=f"Bench partner {i:06d}",
                status="active",
                tier=rng.choice(Tier.values),
                owner=owner,
                department=departments[i % len(departments)],
            )
            for i in range(first, min(first + BATCH, partners))
        )
    partner_ids = list(Partner.objects.filter(pk__gte=start_pk).values_list("pk", flat=True))
    print(f"  {len(partner_ids):,} partners ({time.perf_counter() - t0:.0f} s)")

    for first in range(0, interactions, BATCH):
        Interaction.objects.bulk_create(
            Interaction(
                partner_id=rng.choice(partner_ids),
                kind="meeting",
                occurred_at=moment(years[i % 2]),
                subject="Bench meeting",
                author=owner,
            )
            for i in range(first, min(first + BATCH, interactions))
        )
    print(f"  {interactions:,} interactions ({time.perf_counter() - t0:.0f} s)")

    for first in range(0, interactions // 10, BATCH):
        rows = []
        for i in range(first, min(first + BATCH, interactions // 10)):
            due = moment(years[i % 2]).date()
            done = rng.random()
            done_at = (
                None
                if done < 0.1
                else dt.datetime.combine(due, dt.time(12), tz)
                + dt.timedelta(days=rng.randint(-5, 2 if done < 0.7 else 20))
            )
            rows.append(
                FollowUp(
                    partner_id=rng.choice(partner_ids), description="Bench", owner=owner, due_on=due, done_at=done_at
                )
            )
        FollowUp.objects.bulk_create(rows)
    print(f"  {interactions // 10:,} follow-ups ({time.perf_counter() - t0:.0f} s)")

    for first in range(0, 20000, BATCH):
        rows = []
        for i in range(first, min(first + BATCH, 20000)):
            opened = moment(years[i % 2])
            rows.append(
                Case(
                    reference=f"BENCH-{i:06d}",
                    partner_id=rng.choice(partner_ids),
                    family=families[i % 4],
                    kind=rng.choice(["complaint", "suggestion", "request", "issue"]),
                    channel="email",
                    status="closed",
                    subject="Bench",
                    description="Bench",
                    opened_at=opened,
                    response_due_at=opened + dt.timedelta(hours=8),
                    resolution_due_at=opened + dt.timedelta(hours=72),
                    first_response_at=opened + dt.timedelta(hours=rng.randint(1, 12)),
                    resolved_at=opened + dt.timedelta(hours=rng.randint(10, 100)),
                )
            )
        Case.objects.bulk_create(rows)
    Gift.objects.bulk_create(
        Gift(
            partner_id=rng.choice(partner_ids),
            description="Bench gift",
            value=rng.randint(50, 2000),
            date=moment(years[i % 2]).date(),
            recorded_by=owner,
        )
        for i in range(5000)
    )
    print(f"  20,000 cases, 5,000 gifts ({time.perf_counter() - t0:.0f} s)")

    template = SurveyTemplate.objects.get(name="Supplier satisfaction")
    questions = {q.kind: q for q in template.questions.all()}
    for year in years:
        survey = Survey.objects.create(
            template=template, title=f"Bench {year}", family="supplier", period=Period.of_year(year), created_by=owner
        )
        span = dict(period_kind=survey.period_kind, period_start=survey.period_start, period_end=survey.period_end)
        for first in range(0, responses // 2, BATCH):
            count = min(BATCH, responses // 2 - first)
            chosen = [rng.choice(partner_ids) for _ in range(count)]
            invitations = SurveyInvitation.objects.bulk_create(
                SurveyInvitation(
                    survey=survey,
                    partner_id=pk,
                    email="bench@example.com",
                    language="en",
                    family="supplier",
                    department=departments[pk % len(departments)],
                    nonce=secrets.token_hex(16),
                    token_hash=secrets.token_hex(32),
                    expires_at=moment(year),
                    responded_at=moment(year),
                    **span,
                )
                for pk in chosen
            )
            answered = SurveyResponse.objects.bulk_create(
                SurveyResponse(
                    invitation=inv,
                    survey=survey,
                    partner_id=inv.partner_id,
                    family="supplier",
                    department_id=inv.department_id,
                    language="en",
                    submitted_at=inv.responded_at,
                    **span,
                )
                for inv in invitations
            )
            Answer.objects.bulk_create(
                Answer(response=r, question=questions[kind], kind=kind, score=rng.randint(lo, hi))
                for r in answered
                for kind, lo, hi in ((QuestionKind.NPS, 0, 10), (QuestionKind.CSAT, 1, 5), (QuestionKind.CES, 1, 7))
                if kind in questions
            )
    print(f"  {responses:,} survey responses ({time.perf_counter() - t0:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--responses", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    if os.environ["DATABASE_URL"].startswith("postgres"):
        ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from evaluations.surveys.models import SurveyResponse
    from partners.models import Interaction, Partner
    from supervision.report import annual_figures

    call_command("migrate", verbosity=0)
    if Partner.objects.count() < args.partners:
        print("seeding (once) …")
        seed(partners=args.partners, interactions=args.interactions, responses=args.responses, rng=random.Random(11))
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
    print(
        f"data: {Partner.objects.count():,} partners, {Interaction.objects.count():,} interactions, "
        f"{SurveyResponse.objects.count():,} survey responses (database {connection.vendor})"
    )
    year = timezone.localdate().year - 1
    timings = []
    for _ in range(args.runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            figures = annual_figures(year)
            timings.append(time.perf_counter() - start)
    print(
        f"annual report {year} generation: best {min(timings):.2f} s, worst {max(timings):.2f} s, "
        f"{len(ctx.captured_queries)} queries, has data: {figures['has_data']} (budget 10 s)"
    )


if __name__ == "__main__":
    main()
