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

from django.db import connection
from django.db.models import Exists, OuterRef

from crm.demo import DemoOptions
from crm.demo_rows import analyze
from partners.models import Interaction, Partner

from .interactions import InteractionSeeder
from .partners import PartnerSeeder


class RegistrySeeder(PartnerSeeder, InteractionSeeder):
    def run(self, *, partners: int, interactions: int) -> dict[str, int]:
        self.tags = self.ensure_tags()
        self.load_owners()
        missing = max(0, interactions - Interaction.objects.count())
        plans = self.create_partners(max(0, partners - Partner.objects.count()), interactions=missing)
        if missing:
            self.create_interactions(missing, plans)
            analyze(Partner, Interaction)  # before the queries below, over a million rows at scale
            last_contacted_refresh()
        return self.counts


def last_contacted_refresh() -> None:
    """Every partner's last_contacted_at: its latest interaction's, None without any.

    One grouped pass over the interactions (UPDATE … FROM, PostgreSQL and SQLite ≥ 3.33)
    rather than a subquery per partner, which took minutes at 100,000 partners. Only the
    rows whose value changes are written (new partners mostly have theirs already)."""
    quote = connection.ops.quote_name
    partner, interaction = quote(Partner._meta.db_table), quote(Interaction._meta.db_table)
    differs = "IS NOT" if connection.vendor == "sqlite" else "IS DISTINCT FROM"  # NULL-safe <>
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {partner} SET last_contacted_at = latest.occurred_at"
            f" FROM (SELECT partner_id, MAX(occurred_at) AS occurred_at FROM {interaction} GROUP BY partner_id) latest"
            f" WHERE latest.partner_id = {partner}.id AND {partner}.last_contacted_at {differs} latest.occurred_at"
        )
    Partner.objects.filter(~Exists(Interaction.objects.filter(partner=OuterRef("pk")))).exclude(
        last_contacted_at=None
    ).update(last_contacted_at=None)


def seed(*, rng: random.Random, now: dt.datetime, options: DemoOptions) -> dict[str, int]:
    """Registered first: it reseeds the shared random stream from the database state."""
    seeder = RegistrySeeder(rng=rng, now=now, seed=options.seed)
    return seeder.run(partners=options.partners, interactions=options.interactions)
