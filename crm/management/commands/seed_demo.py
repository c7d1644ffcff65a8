"""Load realistic, bilingual demo data: the demo logins, then each app's own data.

``--partners`` and ``--interactions`` are *target totals*: a second run adds only what is
missing and never touches existing users (nor their passwords). The command only
orchestrates: the kernel creates the users (``crm.demo_users``), then every seeder the apps
registered with ``crm.demo`` runs in order, all in one transaction. Data is deterministic
for a given database state and day.
"""

from __future__ import annotations

import os
import random
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from crm.demo import SEED, DemoOptions, run_seeders
from crm.demo_rows import analyze, foreign_keys_checked_once
from crm.demo_users import DEFAULT_PASSWORD, DEMO_USERS, demo_users_ensure


class Command(BaseCommand):
    help = "Load bilingual demo data. --partners/--interactions are target totals; safe to run twice."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--partners", type=int, default=120, help="Target number of partners (default 120).")
        parser.add_argument(
            "--interactions", type=int, default=600, help="Target number of interactions (default 600)."
        )
        parser.add_argument("--seed", type=int, default=SEED, help="Random seed (default %(default)s).")
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is False.")

    def report_time(self, path: str, seconds: float) -> None:
        if self.verbosity >= 2:
            self.stdout.write(f"{path}: {seconds:.1f}s{peak_memory()}")

    def handle(self, *args, partners: int, interactions: int, seed: int, force: bool, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo loads fake data and refuses to run with DEBUG=False; pass --force to insist.")
        if partners < 0 or interactions < 0:
            raise CommandError("--partners and --interactions must be zero or more.")
        started = time.perf_counter()
        self.verbosity = options["verbosity"]
        demo = DemoOptions(partners=partners, interactions=interactions, seed=seed)
        with transaction.atomic(), foreign_keys_checked_once():
            counts = {"users": demo_users_ensure()}
            # The registry's seeder (order 0) reseeds this stream from the database state.
            counts |= run_seeders(
                rng=random.Random(seed), now=timezone.localtime(), options=demo, report=self.report_time
            )
        # PostgreSQL's statistics of the new rows: autovacuum would take its time (or is off).
        analyze()
        if options["verbosity"] >= 1:
            summary = ", ".join(f"{n} {label}" for label, n in counts.items())
            self.stdout.write(
                self.style.SUCCESS(f"seed_demo created {summary} in {time.perf_counter() - started:.1f}s.")
            )
            if counts["users"]:
                password = "from DEMO_PASSWORD" if os.environ.get("DEMO_PASSWORD") else f"'{DEFAULT_PASSWORD}'"
                logins = ", ".join(username for username, *_rest in DEMO_USERS)
                self.stdout.write(f"Demo logins: {logins}; password {password}.")


def peak_memory() -> str:
    """ ", peak N MB": the process's largest resident size so far (where the platform tells it)."""
    try:
        import resource
    except ImportError:  # Windows
        return ""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return f", peak {peak // (1024 * 1024 if sys.platform == 'darwin' else 1024)} MB"
