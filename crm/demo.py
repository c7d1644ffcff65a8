"""Demo seeding through a registry: each app seeds its own demo data.

An app registers its seeder in ``AppConfig.ready()`` with a dotted path (imported only when
``seed_demo`` runs) and an order. ``seed_demo`` (crm/management/commands) creates the demo
logins (``crm.demo_users``), then runs every seeder in order in one transaction. A seeder is
``fn(*, rng, now, options) -> {"what": count}`` and is idempotent: a second run adds nothing.

All seeders draw from one random stream. The registry's seeder runs first (order 0) and
reseeds it from the database state, so a top-up run does not replay the same names and the
data stays deterministic for a given database state and day.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils.module_loading import import_string

SEED = 2026  # seed_demo's default --seed
ZH, EN = "zh-hans", "en"  # the languages demo data is written in


@dataclass(frozen=True)
class DemoOptions:
    """What ``seed_demo`` was asked for: target totals (not additions) and the random seed."""

    partners: int = 120
    interactions: int = 600
    seed: int = SEED


@dataclass(frozen=True)
class Seeder:
    order: int
    path: str


SeedFunction = Callable[..., dict[str, int]]
SEEDERS: dict[str, Seeder] = {}


def register_seeder(path: str, *, order: int) -> None:
    SEEDERS[path] = Seeder(order=order, path=path)


def registered_seeders() -> list[Seeder]:
    return sorted(SEEDERS.values(), key=lambda s: (s.order, s.path))


def run_seeders(
    *, rng: random.Random, now: datetime, options: DemoOptions, report: Callable[[str, float], None] | None = None
) -> dict[str, int]:
    """Every registered seeder in order; ``report(path, seconds)`` after each one."""
    counts: dict[str, int] = {}
    for seeder in registered_seeders():
        fn: SeedFunction = import_string(seeder.path)
        started = time.perf_counter()
        counts |= fn(rng=rng, now=now, options=options)
        if report is not None:
            report(seeder.path, time.perf_counter() - started)
    return counts
