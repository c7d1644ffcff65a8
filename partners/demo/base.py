"""What the registry's demo seeders share: the random stream, owners, dates and history rows."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.management.base import CommandError
from django.db.models import Model
from django.utils import timezone
from faker import Faker

from crm import roles
from crm.demo_rows import create_rows, insert_history, insert_rows
from crm.models import Department, Profile
from partners.demo_data import EN, FAMILY_DEPARTMENTS, ZH
from partners.models import Interaction, Partner


def save_new(model: type[Model], objs: list) -> None:
    """Write new objects with the created_at/updated_at they hold, or "now" where unset (what
    auto_now(_add) stamps): no UPDATE afterwards to backdate them. COPY on PostgreSQL."""
    now = timezone.now()
    for obj in objs:
        obj.created_at = obj.created_at or now
        obj.updated_at = obj.updated_at or now
    create_rows(model, objs)


_CUMULATIVE: dict[int, tuple[dict, list, list]] = {}


def weighted(rng: random.Random, weights: dict):
    """A key drawn by weight: rng.choices with the cumulative weights computed once per dict
    (the same draw as with ``weights=``, at a fraction of the cost a million times over)."""
    hit = _CUMULATIVE.get(id(weights))
    if hit is None or hit[0] is not weights:
        hit = _CUMULATIVE[id(weights)] = (weights, list(weights), list(itertools.accumulate(weights.values())))
    return rng.choices(hit[1], cum_weights=hit[2])[0]


def quotas(total: int, shares: dict) -> dict:
    """Split total by shares with the largest-remainder method (20 → 8/7/3/2)."""
    whole = sum(shares.values())
    exact = {k: total * v / whole for k, v in shares.items()}
    out = {k: int(x) for k, x in exact.items()}
    for k in sorted(exact, key=lambda k: exact[k] - out[k], reverse=True)[: total - sum(out.values())]:
        out[k] += 1
    return out


def first_item(text: str) -> str:
    """First item of a list-like text: "贴片电容、电阻" → "贴片电容"."""
    return re.split(r"[、,，]", text, maxsplit=1)[0].strip()


@dataclass
class PartnerPlan:
    """A partner plus what the interaction generator needs to know about it."""

    partner: Partner
    lang: str
    since: dt.datetime  # registration date
    start: dt.datetime  # interactions happen after this (at most two years ago)
    last_contact: dt.datetime | None  # None: no interaction is planned (fresh candidate)
    contact_ids: list[int] = field(default_factory=list)
    contact_names: list[str] = field(default_factory=list)


class SeederBase:
    def __init__(self, *, rng: random.Random, now: dt.datetime, seed: int) -> None:
        self.now = now
        self.tz = now.tzinfo
        self.today = now.date()
        # Seed from the database state too, so a top-up run does not replay the same names.
        # The stream is shared: the apps' seeders that run after this one continue it.
        state = f"{seed}:{Partner.objects.count()}:{Interaction.objects.count()}"
        rng.seed(state)
        self.rng = rng
        fake = Faker(["zh_CN", "en_US"])
        fake.seed_instance(state)
        self.fake = {ZH: fake["zh_CN"], EN: fake["en_US"]}
        self.counts = dict.fromkeys(["tags", "partners", "contacts", "interactions", "follow-ups"], 0)
        self.users: dict[int, User] = {}

    def load_owners(self) -> None:
        """Who may own partners and log interactions: active Staff/Manager users with a department."""
        rows = (
            Profile.objects.filter(
                department__isnull=False, user__is_active=True, user__groups__name__in=[roles.STAFF, roles.MANAGER]
            )
            .values_list("user_id", "department_id", "user__username")
            .distinct()
            .order_by("user_id")
        )
        self.members: dict[int, list[int]] = {}
        self.member_weight: dict[int, int] = {}
        self.member_weights: dict[int, dict[int, int]] = {}  # by department, for pick_member
        self.staff_id = None
        for user_id, dept_id, username in rows:
            self.members.setdefault(dept_id, []).append(user_id)
            # The demo "staff" login owns a good share of Procurement so its dashboard is full.
            self.member_weight[user_id] = 2 if username == "staff" else 1
            if username == "staff":
                self.staff_id = user_id
        if not self.members:
            raise CommandError("No active Staff or Manager user has a department: cannot pick owners.")
        self.users = User.objects.in_bulk(list(self.member_weight))
        codes = dict(Department.objects.values_list("code", "id"))
        self.family_departments = {}
        for family, weights in FAMILY_DEPARTMENTS.items():
            usable = {codes[c]: w for c, w in weights.items() if codes.get(c) in self.members}
            self.family_departments[family] = usable or dict.fromkeys(self.members, 1)

    def pick_member(self, dept_id: int) -> int:
        if dept_id not in self.member_weights:
            self.member_weights[dept_id] = {i: self.member_weight[i] for i in self.members[dept_id]}
        return weighted(self.rng, self.member_weights[dept_id])

    def work_time(self, day: dt.date, *, earliest: dt.datetime, latest: dt.datetime) -> dt.datetime:
        """A weekday office-hours moment on or before `day`, kept between `earliest` and `latest`."""
        if self.rng.random() < 0.9 and day.weekday() >= 5:
            day -= dt.timedelta(days=day.weekday() - 4)  # to Friday: little happens at weekends
        hour, minute, margin = self.rng.randint(9, 17), self.rng.choice((0, 15, 30, 45)), self.rng.randint(5, 90)
        moment = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)
        # Drawn unconditionally so the random stream does not depend on the time of day.
        return max(earliest, min(moment, latest - dt.timedelta(minutes=margin)))

    # --- history -------------------------------------------------------------------------

    def stamp_history(self, obj: Model, when: dt.datetime, user_id: int) -> None:
        """What bulk_history_create reads for the history row's date and user."""
        obj._history_date = when
        if user_id not in self.users:
            self.users.update(User.objects.in_bulk([user_id]))
        obj._history_user = self.users[user_id]

    def bulk_history(self, model: type[Model], objs: list, m2m: dict[str, list] | None = None) -> None:
        """History rows for new objects, as simple_history's bulk_history_create writes them.

        Written after the objects (not with bulk_create_with_history) so history carries the
        planned dates, and it also writes the m2m snapshot rows that bulk_history_create
        leaves out, so a later edit of a partner diffs against the right tags.
        """
        if not objs:
            return
        history_ids = insert_history(model, objs, returning=bool(m2m))
        history_id = dict(zip((obj.pk for obj in objs), history_ids, strict=False))
        for field_name, links in (m2m or {}).items():
            if not links:
                continue
            m2m_history_model = getattr(model.history.model, field_name).model
            columns = [f.attname for f in links[0]._meta.fields]
            owner_column = model._meta.get_field(field_name).m2m_field_name() + "_id"
            insert_rows(
                m2m_history_model,
                [
                    {"history_id": history_id[getattr(link, owner_column)]} | {c: getattr(link, c) for c in columns}
                    for link in links
                ],
            )
