"""Demo history of supplier scorecards, loaded by ``seed_demo``.

Every active or probation supplier without an evaluation on the periodic template gets:

- one closed evaluation per quarter for the last ``HISTORY_PERIODS`` quarters before the current
  one, scored by its owner and, for ~30 %, by a second evaluator from another department
  (Quality or Finance when such a user exists). Each supplier has a latent quality level and a
  drift, so its trend goes up, down or stays; an occasional bad quarter makes movers;
- the current quarter's evaluation, open as the scheduler opens it, with sheets mostly not
  started, some drafts and a few submitted early;
- for ~3 % the last quarter is still open after its due date (sheets missing, or all submitted
  and waiting for the manager to close), so reminders and the manager overview have work;
- a decision per closed evaluation, approved by a manager of the supplier's department (a
  superuser when the department has none): continue for A/B, reward with an approved incentive
  for some A, adjust terms or probation for C/D with a corrective action plan of 1–2 actions.

Results are exactly what the engine computes: ``frozen_snapshot`` builds the snapshot the way
``services.evaluations._freeze`` does (same ``scoring`` functions, same shape, same order of
inputs), and the overall scores and ``PartnerScore`` rows are computed like
``partner_score_refresh``, so calling it later changes nothing.

Rows are built as plain dicts (attname → value, from each model's defaults: no model instance
per row) and written with ``crm.demo_rows`` (COPY on PostgreSQL, multi-row INSERT elsewhere),
keeping the backdated created_at/updated_at. History: one creation row each for evaluations,
sheets, decisions, plans, actions and incentives, dated and signed like the real action (the
evaluations' copied from their rows by the database, snapshot and all); none for criterion scores
(rows nothing reads; the snapshot holds every input, and a later edit through the services
records its own).

Modules: ``history`` (the seeder: suppliers, periods, sheets, standings), ``decisions`` (what
follows a close), ``snapshot`` (the frozen snapshot), ``data`` (vocabulary).
"""

from __future__ import annotations

import datetime as dt
import random

from crm.demo import DemoOptions

from .data import HISTORY_PERIODS
from .history import seed_evaluations
from .snapshot import periodic_template

__all__ = ["HISTORY_PERIODS", "periodic_template", "seed", "seed_evaluations"]


def seed(*, rng: random.Random, now: dt.datetime, options: DemoOptions) -> dict[str, int]:
    """Registered with crm.demo (evaluations/apps.py): scorecard history of active suppliers
    (skips those that already have evaluations)."""
    return seed_evaluations(rng=rng, today=now.date(), now=now)
