"""Scheduler timings: opening evaluation periods for 3,000 suppliers and building 1,000
users' daily digests, tasks run in-process (eager), on a scratch SQLite database.

    .venv/bin/python bench/scheduler.py [--suppliers 3000] [--users 1000]

Figures only (no assertions). Each run starts from an empty database in var/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB = ROOT / "var" / "bench-scheduler.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{DB}")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
os.environ["EMAIL_URL"] = "memorymail://"
os.environ.setdefault("LOG_LEVEL", "WARNING")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suppliers", type=int, default=3000)
    parser.add_argument("--users", type=int, default=1000)
    args = parser.parse_args()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)
    DB.parent.mkdir(exist_ok=True)

    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.utils import timezone

    from crm.models import Department, Notification, OutboundEmail, Profile
    from crm.scheduler import scan_run
    from evaluations.models import Evaluation
    from partners.models import FollowUp, Partner

    call_command("migrate", verbosity=0)
    staff = Group.objects.get(name="Staff")
    dept = Department.objects.get(code="procurement")
    password = make_password("bench-not-a-login")
    users = User.objects.bulk_create(
        User(username=f"bench{i}", email=f"bench{i}@example.com", password=password) for i in range(args.users)
    )
    User.groups.through.objects.bulk_create(User.groups.through(user_id=u.pk, group_id=staff.pk) for u in users)
    Profile.objects.bulk_create(Profile(user=u, department=dept, notification_mode="daily") for u in users)
    partners = Partner.objects.bulk_create(
        Partner(
            family="supplier",
            kind="manufacturer",
            name=f"Supplier {i:05d}",
            status="active",
            owner=users[i % len(users)],
            department=dept,
        )
        for i in range(args.suppliers)
    )
    today = timezone.localdate()
    FollowUp.objects.bulk_create(
        FollowUp(
            partner=partners[i % len(partners)],
            owner=users[i % len(users)],
            description=f"Promise {i}",
            due_on=today - dt.timedelta(days=i % 4),
        )
        for i in range(args.users * 3)
    )
    print(f"data: {args.suppliers:,} active suppliers, {args.users:,} users with 3 follow-ups due each")

    now = timezone.now().replace(hour=4)  # 12:00 in Asia/Shanghai: after the digest hour
    for label, name, count in (
        ("open evaluation periods", "evaluations_open", lambda: Evaluation.objects.count()),
        ("open again (idempotent rerun)", "evaluations_open", lambda: Evaluation.objects.count()),
        ("follow-up reminders + digests", "followups", lambda: OutboundEmail.objects.count()),
        ("digests again (idempotent rerun)", "followups", lambda: OutboundEmail.objects.count()),
    ):
        start = time.perf_counter()
        run = scan_run(name, now=now)
        seconds = time.perf_counter() - start
        print(f"{label:36} {seconds:8.2f} s   tasks {run.effects:6,}   rows now {count():6,}")
    print(
        f"notifications: {Notification.objects.count():,}, emails sent: "
        f"{OutboundEmail.objects.filter(state='sent').count():,}"
    )


if __name__ == "__main__":
    main()
