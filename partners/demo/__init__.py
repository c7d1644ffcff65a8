"""Demo data of the registry, registered with ``crm.demo`` at order 0 (partners/apps.py):
tags, partners of every family with their contacts, interactions and follow-ups.

``options.partners`` and ``options.interactions`` are *target totals*: a second run adds only
what is missing. Everything is written with ``bulk_create``, so 3,000 partners and 30,000
interactions load in well under a minute on SQLite. The demo users exist already
(``crm.demo_users``); owners and authors are picked among them.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import OuterRef, Subquery

from crm.demo import DemoOptions
from crm.demo_rows import analyze
from partners.models import Interaction, Partner

from .interactions import InteractionSeeder
from .partners import PartnerSeeder


class RegistrySeeder(PartnerSeeder, InteractionSeeder):
    def run(self, *, partners: int, interactions: int) -> dict[str, int]:
        self.tags = self.ensure_tags()
        self.load_owners()
        plans = self.create_partners(max(0, partners - Partner.objects.count()))
        missing = max(0, interactions - Interaction.objects.count())
        if missing:
            self.create_interactions(missing, plans)
            analyze(Partner, Interaction)  # before the query below, over a million rows at scale
            latest = Interaction.objects.filter(partner=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")
            Partner.objects.update(last_contacted_at=Subquery(latest[:1]))
        return self.counts


def seed(*, rng: random.Random, now: dt.datetime, options: DemoOptions) -> dict[str, int]:
    """Registered first: it reseeds the shared random stream from the database state."""
    seeder = RegistrySeeder(rng=rng, now=now, seed=options.seed)
    return seeder.run(partners=options.partners, interactions=options.interactions)
