"""Demo seeding through a registry: each app seeds its own demo data.

An app registers its seeder in ``AppConfig.ready()`` with a dotted path (imported only when
``seed_demo`` runs) and an order; ``seed_demo`` creates the registry's users and partners,
then runs every seeder in order. A seeder is ``fn(*, rng, now) -> {"what": count}`` and is
idempotent: a second run adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Seeder:
    order: int
    path: str


SEEDERS: dict[str, Seeder] = {}


def register_seeder(path: str, *, order: int) -> None:
    SEEDERS[path] = Seeder(order=order, path=path)


def run_seeders(*, rng: random.Random, now: datetime) -> dict[str, int]:
    counts: dict[str, int] = {}
    for seeder in sorted(SEEDERS.values(), key=lambda s: (s.order, s.path)):
        counts |= import_string(seeder.path)(rng=rng, now=now)
    return counts
