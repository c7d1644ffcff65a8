"""Load realistic, bilingual demo data: users, partners, contacts, interactions, follow-ups.

``--partners`` and ``--interactions`` are *target totals*: a second run adds only what is
missing and never touches existing users (nor their passwords). Everything is written
with ``bulk_create`` inside one transaction, so 3,000 partners and 30,000 interactions
load in well under a minute on SQLite. Data is deterministic for a given database state
and day.
"""

# The bilingual data tables below read best one row per line (CJK characters count double).
# ruff: noqa: E501

from __future__ import annotations

import datetime as dt
import os
import random
import re
import time
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count, Model, OuterRef, Subquery
from django.utils import timezone
from faker import Faker

from crm import roles
from crm.demo import run_seeders
from crm.models import Department, Profile
from partners.demo_data import (
    BRAND,
    CHANNEL_WEIGHTS,
    CHANNEL_WORDS,
    COLLEAGUES,
    CONTACT_NOTES,
    CUSTOMS,
    DEFAULT_PASSWORD,
    DEMO_USERS,
    EN,
    EN_PLACES,
    EXTRA_TAGS,
    FAMILY_DEPARTMENTS,
    FAMILY_SHARE,
    FOLLOWUPS,
    IN_PERSON,
    INDUSTRIES,
    KIND_SUFFIX,
    KIND_WEIGHTS,
    MEMBERSHIP_LEVELS,
    OUTCOMES,
    SEED,
    STATUS_WEIGHTS,
    SUBJECTS,
    SUMMARIES,
    TAGS,
    TIER_ATTENTION,
    TIER_WEIGHTS,
    TITLES,
    ZH,
    ZH_PLACES,
    Industry,
)
from partners.models import (
    FAMILY_KINDS,
    Contact,
    Family,
    FollowUp,
    Interaction,
    Partner,
    PartnerKind,
    Status,
    Tag,
    Tier,
)


def backdate(model: type[Model], rows: list[tuple[Model, dt.datetime]]) -> None:
    """Set created_at/updated_at of bulk-created rows, which auto_now(_add) stamped "now".

    One prepared statement run with executemany: bulk_update's CASE WHEN per row is ~50x slower.
    """
    quote = connection.ops.quote_name
    created = model._meta.get_field("created_at")
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {quote('created_at')} = %s, {quote('updated_at')} = %s"
        f" WHERE {quote(model._meta.pk.column)} = %s"
    )
    params = []
    for obj, when in rows:
        obj.created_at = obj.updated_at = when
        value = created.get_db_prep_value(when, connection)
        params.append((value, value, obj.pk))
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


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


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD


class Place(NamedTuple):
    city: str
    area: str  # Chinese province, or the country abroad
    country: str
    legal: str  # legal form for English company names
    tag: str | None  # "华东"...
    region: str  # what Partner.region shows


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


class Command(BaseCommand):
    help = "Load bilingual demo data. --partners/--interactions are target totals; safe to run twice."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--partners", type=int, default=120, help="Target number of partners (default 120).")
        parser.add_argument(
            "--interactions", type=int, default=600, help="Target number of interactions (default 600)."
        )
        parser.add_argument("--seed", type=int, default=SEED, help="Random seed (default %(default)s).")
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is False.")

    def handle(self, *args, partners: int, interactions: int, seed: int, force: bool, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo loads fake data and refuses to run with DEBUG=False; pass --force to insist.")
        if partners < 0 or interactions < 0:
            raise CommandError("--partners and --interactions must be zero or more.")
        started = time.perf_counter()
        with transaction.atomic():
            counts = DemoSeeder(seed=seed).run(partners=partners, interactions=interactions)
        if options["verbosity"] >= 1:
            summary = ", ".join(f"{n} {label}" for label, n in counts.items())
            self.stdout.write(
                self.style.SUCCESS(f"seed_demo created {summary} in {time.perf_counter() - started:.1f}s.")
            )
            if counts["users"]:
                password = "from DEMO_PASSWORD" if os.environ.get("DEMO_PASSWORD") else f"'{DEFAULT_PASSWORD}'"
                self.stdout.write(f"Demo logins: staff, staff2, manager, supervisor, admin; password {password}.")


class DemoSeeder:
    def __init__(self, *, seed: int) -> None:
        self.now = timezone.localtime()
        self.tz = self.now.tzinfo
        self.today = self.now.date()
        # Seed from the database state too, so a top-up run does not replay the same names.
        state = f"{seed}:{Partner.objects.count()}:{Interaction.objects.count()}"
        self.rng = random.Random(state)
        fake = Faker(["zh_CN", "en_US"])
        fake.seed_instance(state)
        self.fake = {ZH: fake["zh_CN"], EN: fake["en_US"]}
        self.counts = dict.fromkeys(["users", "tags", "partners", "contacts", "interactions", "follow-ups"], 0)
        self.users: dict[int, User] = {}

    # --- orchestration -------------------------------------------------------------

    def run(self, *, partners: int, interactions: int) -> dict[str, int]:
        self.ensure_users()
        self.tags = self.ensure_tags()
        self.load_owners()
        plans = self.create_partners(max(0, partners - Partner.objects.count()))
        missing = max(0, interactions - Interaction.objects.count())
        if missing:
            self.create_interactions(missing, plans)
            latest = Interaction.objects.filter(partner=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")
            Partner.objects.update(last_contacted_at=Subquery(latest[:1]))
        # Then each app's own demo data, in the order the apps registered (crm/demo.py):
        # scorecard history, survey responses, service cases, customer care.
        self.counts |= run_seeders(rng=self.rng, now=self.now)
        return self.counts

    # --- users -----------------------------------------------------------------------

    def ensure_users(self) -> None:
        """Create the demo users that are missing; existing ones are left exactly as they are."""
        wanted = DEMO_USERS + COLLEAGUES
        existing = set(User.objects.filter(username__in=[u[0] for u in wanted]).values_list("username", flat=True))
        groups = {g.name: g for g in Group.objects.filter(name__in=roles.ROLES)}
        if len(groups) != len(roles.ROLES):
            raise CommandError("Role groups are missing: run `manage.py migrate` first.")
        departments = {d.code: d for d in Department.objects.all()}
        hashed = None
        for username, first, last, role, dept_code, language in wanted:
            if username in existing:
                continue
            # One PBKDF2 hash shared by all demo users (same password): hashing is ~0.3 s each.
            hashed = hashed or make_password(demo_password())
            is_admin = role is None
            user = User.objects.create(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@rapport.example",
                password=hashed,
                # Managers configure scorecard templates in /admin/ (their group's permissions).
                is_staff=is_admin or role == roles.MANAGER,
                is_superuser=is_admin,
            )
            if role:
                user.groups.add(groups[role])
            Profile.objects.create(user=user, department=departments.get(dept_code), language=language)
            self.counts["users"] += 1

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
        ids = self.members[dept_id]
        return self.rng.choices(ids, weights=[self.member_weight[i] for i in ids])[0]

    def ensure_tags(self) -> dict[str, int]:
        existing = set(Tag.objects.filter(name__in=TAGS).values_list("name", flat=True))
        created = Tag.objects.bulk_create([Tag(name=n) for n in TAGS if n not in existing])
        self.counts["tags"] = len(created)
        return dict(Tag.objects.filter(name__in=TAGS).values_list("name", "id"))

    # --- partners ----------------------------------------------------------------------

    def create_partners(self, count: int) -> list[PartnerPlan]:
        if not count:
            return []
        rng = self.rng
        taken = {(name.lower(), fam) for name, fam in Partner.objects.values_list("name", "family")}
        families = self.families_to_create(count)
        plans: list[PartnerPlan] = []
        tag_rows: list[tuple[PartnerPlan, str]] = []
        staff_suppliers = 0
        for family in families:
            lang = ZH if rng.random() < 0.65 else EN
            industry = rng.choice(INDUSTRIES[family])
            kind = rng.choice(FAMILY_KINDS[family])
            dept_id = weighted(rng, self.family_departments[family])
            owner_id = self.pick_member(dept_id)
            if family == Family.SUPPLIER and staff_suppliers < 2 and self.staff_id in self.members[dept_id]:
                owner_id = self.staff_id  # the demo login always gets suppliers, whatever the dice say
            status = weighted(rng, STATUS_WEIGHTS)
            place = self.place(lang)
            name = self.unique_name(taken, family, kind, lang, industry, place)
            website = self.website(lang, industry) if kind != PartnerKind.INDIVIDUAL and rng.random() < 0.85 else ""

            # When was the partner registered, and how long since we last talked to them?
            recency = self.recency_days(status)
            if owner_id == self.staff_id and family == Family.SUPPLIER and staff_suppliers < 8:
                # Guarantee the demo dashboard: staff's first suppliers alternate fresh / stale (> 30 days).
                status = Status.ACTIVE
                recency = rng.randint(1, 12) if staff_suppliers % 2 else rng.randint(35, 150)
                staff_suppliers += 1
            if status == Status.CANDIDATE:
                since = self.now - dt.timedelta(days=rng.randint(3, 120), minutes=rng.randint(0, 600))
                last = since + (self.now - since) * rng.random() if rng.random() < 0.5 else None
            else:
                last = self.now - dt.timedelta(days=recency)
                since = last - dt.timedelta(days=rng.randint(20, 900), minutes=rng.randint(0, 600))
            if last is not None:
                last = self.work_time(last.date(), earliest=since, latest=self.now)

            partner = Partner(
                family=family,
                kind=kind,
                name=name,
                status=status,
                tier=weighted(rng, TIER_WEIGHTS),
                owner_id=owner_id,
                department_id=dept_id,
                industry=industry.zh if lang == ZH else industry.en,
                region=place.region,
                website=website,
                description=self.description(lang, name, industry, since),
                preferred_language=lang if rng.random() < 0.85 else "",
                preferred_channel=weighted(rng, CHANNEL_WEIGHTS[lang]) if rng.random() < 0.9 else "",
                customs=rng.choice(CUSTOMS[lang]) if rng.random() < 0.25 else "",
            )
            self.fill_family_fields(partner, lang, industry, since)
            if status == Status.TERMINATED and rng.random() < 0.5:
                partner.archived_at = min(self.now, (last or since) + dt.timedelta(days=rng.randint(30, 90)))
            start = max(since, self.now - dt.timedelta(days=730))
            plan = PartnerPlan(partner=partner, lang=lang, since=since, start=start, last_contact=last)
            plans.append(plan)
            for tag in self.tags_for(partner, industry, place.tag):
                tag_rows.append((plan, tag))

        objs = [p.partner for p in plans]
        Partner.objects.bulk_create(objs, batch_size=500)
        # auto_now_add stamped "now": backdate registration so the demo has a history.
        for plan in plans:
            self.stamp_history(plan.partner, plan.since, plan.partner.owner_id)
        backdate(Partner, [(p.partner, p.since) for p in plans])
        through = Partner.tags.through
        tag_links = through.objects.bulk_create(
            [through(partner_id=p.partner.pk, tag_id=self.tags[t]) for p, t in tag_rows], batch_size=2000
        )
        self.bulk_history(Partner, objs, {"tags": tag_links})
        self.counts["partners"] = len(objs)
        self.create_contacts(plans)
        return plans

    def families_to_create(self, count: int) -> list[str]:
        """Top up each family towards its share of the final total, then shuffle."""
        existing = dict.fromkeys(FAMILY_SHARE, 0)
        for family, n in Partner.objects.values_list("family").annotate(n=Count("id")).order_by():
            existing[family] = n
        target = quotas(sum(existing.values()) + count, FAMILY_SHARE)
        missing = {f: max(0, target[f] - existing[f]) for f in FAMILY_SHARE}
        families = [f for f, n in missing.items() for _ in range(n)][:count]
        families += [Family.SUPPLIER] * (count - len(families))
        self.rng.shuffle(families)
        return families

    def recency_days(self, status: str) -> int:
        if status == Status.TERMINATED:
            return self.rng.randint(200, 700)
        bucket = self.rng.random()
        if bucket < 0.40:
            return self.rng.randint(0, 30)
        if bucket < 0.75:
            return self.rng.randint(31, 120)
        if bucket < 0.95:
            return self.rng.randint(121, 365)
        return self.rng.randint(366, 700)

    def place(self, lang: str) -> Place:
        """Chinese partners are in China; a third of the English-speaking ones too."""
        if lang == ZH or self.rng.random() < 0.35:
            city, province, tag = self.rng.choice(ZH_PLACES)
            region = city if city == province else f"{province} · {city}"
            return Place(city=city, area=province, country="China", legal="Co., Ltd.", tag=tag, region=region)
        city, country, legal = self.rng.choice(EN_PLACES)
        return Place(city=city, area=country, country=country, legal=legal, tag=None, region=f"{country} · {city}")

    def unique_name(self, taken: set, family: str, kind: str, lang: str, industry: Industry, place: Place) -> str:
        """A name not yet used in the family (case-insensitive, like the database constraint)."""
        name = ""
        for _attempt in range(8):
            name = self.make_name(family, kind, lang, industry, place)
            if (name.lower(), family) not in taken:
                break
        n = 2
        base = name
        while (name.lower(), family) in taken:
            name = f"{base}（{n}）" if lang == ZH else f"{base} ({n})"
            n += 1
        taken.add((name.lower(), family))
        return name

    def make_name(self, family: str, kind: str, lang: str, industry: Industry, place: Place) -> str:
        rng, fake = self.rng, self.fake[lang]
        if kind == PartnerKind.INDIVIDUAL:
            return fake.name()
        if lang == ZH:
            city = place.city
            brand = "".join(b[0] for b in rng.sample(BRAND, 2))
            if family == Family.ASSOCIATION:
                other_city = rng.choice(ZH_PLACES)[0]
                return {
                    PartnerKind.INDUSTRY_ASSOCIATION: f"{place.area}{industry.zh_word}行业协会",
                    PartnerKind.CHAMBER_OF_COMMERCE: f"{city}{other_city}商会"
                    if other_city != city
                    else f"{city}进出口商会",
                    PartnerKind.RESEARCH_INSTITUTE: f"{city}{industry.zh_word}研究院",
                    PartnerKind.OTHER_INSTITUTION: f"{city}{industry.zh_word}服务中心",
                }[kind]
            return f"{city}{brand}{industry.zh_word}{KIND_SUFFIX[kind][0]}"
        if family == Family.ASSOCIATION:
            return {
                PartnerKind.INDUSTRY_ASSOCIATION: f"{place.country} {industry.en_word} Association",
                PartnerKind.CHAMBER_OF_COMMERCE: f"{fake.city()} Chamber of Commerce",
                PartnerKind.RESEARCH_INSTITUTE: f"{fake.city()} Institute of {industry.en_word}",
                PartnerKind.OTHER_INSTITUTION: f"{fake.last_name()} Foundation for {industry.en_word}",
            }[kind]
        return f"{fake.last_name()} {industry.en_word} {KIND_SUFFIX[kind][1]} {place.legal}"

    def website(self, lang: str, industry: Industry) -> str:
        if lang == ZH:
            slug = "".join(b[1] for b in self.rng.sample(BRAND, 2))
            return f"https://www.{slug}{self.rng.choice(['', '-tech', 'group', 'gf'])}.com.cn"
        word = industry.en_word.lower().replace(" ", "").replace("&", "")
        return f"https://www.{self.fake[EN].last_name().lower()}-{word}.com"

    def description(self, lang: str, name: str, industry: Industry, since: dt.datetime) -> str:
        founded = since.year - self.rng.randint(3, 30)
        if lang == ZH:
            return f"{name}成立于{founded}年，主要从事{industry.zh}相关业务。{since.year}年起与我司合作。"
        return (
            f"{name} was founded in {founded} and works in {industry.en.lower()}. Working with us since {since.year}."
        )

    def fill_family_fields(self, partner: Partner, lang: str, industry: Industry, since: dt.datetime) -> None:
        rng = self.rng
        offer = industry.zh_offer if lang == ZH else industry.en_offer
        if partner.family == Family.SUPPLIER:
            partner.products_services = offer
            if rng.random() < 0.5:
                partner.capacity_notes = (
                    f"月产能约 {rng.randint(5, 200)} 万件，两班倒。"
                    if lang == ZH
                    else f"About {rng.randint(50, 2000)}k units a month, two shifts."
                )
        elif partner.family == Family.CUSTOMER:
            partner.needs = offer
            partner.customer_since = since.date()
        elif partner.family == Family.PARTNER:
            partner.cooperation_scope = offer
        else:
            partner.membership_level = rng.choice(MEMBERSHIP_LEVELS[lang])
            partner.membership_expires_on = self.today + dt.timedelta(days=rng.randint(-60, 365))

    def tags_for(self, partner: Partner, industry: Industry, area_tag: str | None) -> set[str]:
        rng = self.rng
        tags = set()
        if area_tag and rng.random() < 0.7:
            tags.add(area_tag)
        if industry.tag and rng.random() < 0.6:
            tags.add(industry.tag)
        if partner.tier == Tier.KEY and rng.random() < 0.7:
            tags.add("strategic" if partner.family == Family.PARTNER else "key-account")
        if rng.random() < 0.35:
            tags.add(rng.choice(EXTRA_TAGS))
        return tags

    def create_contacts(self, plans: list[PartnerPlan]) -> None:
        rng = self.rng
        contacts: list[tuple[PartnerPlan, Contact]] = []
        for plan in plans:
            lang = plan.lang
            fake = self.fake[lang]
            # Reserved .example domains (RFC 2606): demo emails can never reach a real person,
            # even when EMAIL_URL points at a real SMTP server.
            host = plan.partner.website.removeprefix("https://www.").split(".")[0]
            domain = f"{host or fake.domain_word()}.example"
            for i in range(rng.choice((1, 1, 2, 2, 3))):
                name = fake.name()
                local = fake.user_name() if lang == ZH else name.lower().replace(" ", ".").replace("'", "")
                contact = Contact(
                    partner=plan.partner,
                    name=name,
                    title=rng.choice(TITLES[lang]),
                    email=f"{local}@{domain}" if rng.random() < 0.9 else "",
                    phone=fake.phone_number() if rng.random() < 0.9 else "",
                    birthday=fake.date_of_birth(minimum_age=25, maximum_age=62) if rng.random() < 0.75 else None,
                    preferred_channel=weighted(rng, CHANNEL_WEIGHTS[lang]) if rng.random() < 0.7 else "",
                    preferred_language=lang if rng.random() < 0.8 else "",
                    marketing_consent=rng.random() < 0.5,
                    greetings_consent=rng.random() < 0.7,
                    is_primary=i == 0,
                    notes=rng.choice(CONTACT_NOTES[lang]) if rng.random() < 0.2 else "",
                )
                self.stamp_history(contact, plan.since, plan.partner.owner_id)
                contacts.append((plan, contact))
        objs = [c for _, c in contacts]
        Contact.objects.bulk_create(objs, batch_size=1000)
        self.bulk_history(Contact, objs)
        for plan, contact in contacts:
            plan.contact_ids.append(contact.pk)
            plan.contact_names.append(contact.name)
        self.counts["contacts"] = len(objs)

    # --- interactions and follow-ups ------------------------------------------------------

    def create_interactions(self, count: int, new_plans: list[PartnerPlan]) -> None:
        rng = self.rng
        plans = new_plans + self.existing_plans({p.partner.pk for p in new_plans})
        # One interaction at each new partner's planned "last contact" so the dashboard's
        # stale/fresh split is as planned; staff's partners first when the budget is short.
        anchored = [p for p in new_plans if p.last_contact is not None]
        rng.shuffle(anchored)
        anchored.sort(key=lambda p: p.partner.owner_id != self.staff_id)
        anchored = anchored[:count]
        visits: list[tuple[PartnerPlan, dt.datetime]] = [(p, p.last_contact) for p in anchored]
        open_plans = [p for p in plans if p.last_contact is not None]
        if open_plans and count > len(visits):
            weights = [TIER_ATTENTION[p.partner.tier] for p in open_plans]
            for plan in rng.choices(open_plans, weights=weights, k=count - len(visits)):
                when = plan.start + (plan.last_contact - plan.start) * rng.random()
                visits.append((plan, self.work_time(when.date(), earliest=plan.since, latest=plan.last_contact)))
        visits.sort(key=lambda v: v[1])

        interactions, participants, contacts, followups = [], [], [], []
        for plan, when in visits:
            interaction, people, their, followup = self.interaction(plan, when)
            interactions.append(interaction)
            participants.append(people)
            contacts.append(their)
            followups.append(followup)
        Interaction.objects.bulk_create(interactions, batch_size=1000)
        # auto_now_add stamped "now": an interaction is logged when it happened.
        backdate(Interaction, [(i, i.occurred_at) for i in interactions])

        Participants, Contacts = Interaction.participants.through, Interaction.contacts.through
        Participants.objects.bulk_create(
            [
                Participants(interaction_id=i.pk, user_id=u)
                for i, users in zip(interactions, participants, strict=True)
                for u in users
            ],
            batch_size=2000,
        )
        Contacts.objects.bulk_create(
            [
                Contacts(interaction_id=i.pk, contact_id=c)
                for i, cs in zip(interactions, contacts, strict=True)
                for c in cs
            ],
            batch_size=2000,
        )
        # No m2m snapshot rows for interactions: ~50k rows that nothing reads (the partner
        # history page diffs only partner tags); a later edit records a full snapshot anyway.
        self.bulk_history(Interaction, interactions)
        self.counts["interactions"] = len(interactions)

        rows = []
        for interaction, followup in zip(interactions, followups, strict=True):
            if followup is not None:
                followup.interaction = interaction
                rows.append(followup)
        rows += self.staff_followups(interactions, followups, plans)
        FollowUp.objects.bulk_create(rows, batch_size=1000)
        self.bulk_history(FollowUp, rows)
        self.counts["follow-ups"] = len(rows)

    def existing_plans(self, exclude: set[int]) -> list[PartnerPlan]:
        """Partners from earlier runs (or real ones) can receive interactions too."""
        partners = Partner.objects.exclude(pk__in=exclude).only(
            "id",
            "family",
            "tier",
            "owner",
            "department",
            "created_at",
            "preferred_language",
            "products_services",
            "needs",
            "cooperation_scope",
        )
        plans = {}
        oldest = self.now - dt.timedelta(days=730)
        for p in partners:
            plans[p.pk] = PartnerPlan(
                partner=p,
                lang=EN if p.preferred_language == EN else ZH,
                since=p.created_at,
                start=max(p.created_at, oldest),
                last_contact=self.now,
            )
        for partner_id, contact_id, name in Contact.objects.filter(partner_id__in=plans).values_list(
            "partner_id", "id", "name"
        ):
            plans[partner_id].contact_ids.append(contact_id)
            plans[partner_id].contact_names.append(name)
        return list(plans.values())

    def interaction(self, plan: PartnerPlan, when: dt.datetime):
        rng = self.rng
        partner = plan.partner
        lang = plan.lang if rng.random() < 0.9 else (EN if plan.lang == ZH else ZH)
        dept_id = partner.department_id
        colleagues = self.members.get(dept_id, [])
        if partner.owner_id in colleagues and (rng.random() < 0.65 or len(colleagues) == 1):
            author_id = partner.owner_id
        elif colleagues:
            author_id = self.pick_member(dept_id)
        else:  # a department without Staff/Manager users: the owner logs it
            author_id = partner.owner_id
        zh_subject, en_subject = rng.choice(SUBJECTS[partner.family])
        product = first_item(partner.products_services or partner.needs or partner.cooperation_scope or "")
        subject = (zh_subject if lang == ZH else en_subject).format(
            q=(when.month - 1) // 3 + 1, product=product or ("新产品" if lang == ZH else "new range")
        )
        kind = weighted(rng, KIND_WEIGHTS)
        their = []
        if plan.contact_ids and rng.random() < 0.65:
            their = rng.sample(range(len(plan.contact_ids)), min(len(plan.contact_ids), rng.choice((1, 1, 2))))
        contact_name = plan.contact_names[their[0]] if their else ("对方" if lang == ZH else "their team")
        summary = rng.choice(SUMMARIES[lang]).format(
            contact=contact_name,
            subject=subject,
            n=rng.randint(2, 4),
            channel=CHANNEL_WORDS[lang].get(kind, IN_PERSON[lang]),
        )
        people = []
        if rng.random() < 0.35:
            others = [u for u in colleagues if u != author_id]
            people = [author_id] + rng.sample(others, min(len(others), rng.choice((1, 1, 2))))
        interaction = Interaction(
            partner_id=partner.pk,
            kind=kind,
            occurred_at=when,
            subject=subject,
            summary=summary,
            outcome=rng.choice(OUTCOMES[lang]),
            author_id=author_id,
            department_id=dept_id,
        )
        self.stamp_history(interaction, when, author_id)
        followup = None
        if rng.random() < 0.30:
            owner_id = author_id if rng.random() < 0.8 else partner.owner_id
            followup = self.followup(partner, owner_id, lang, when)
        return interaction, people, [plan.contact_ids[i] for i in their], followup

    def followup(self, partner: Partner, owner_id: int, lang: str, when: dt.datetime, due=None) -> FollowUp:
        """Due a few days after the interaction; old ones done, recent ones open, some overdue."""
        rng = self.rng
        due = due or when.date() + dt.timedelta(days=rng.randint(2, 21))
        overdue_by = (self.today - due).days
        if overdue_by > 60:
            done = rng.random() < 0.99
        elif overdue_by > 14:
            done = rng.random() < 0.9
        elif overdue_by > 0:
            done = rng.random() < 0.5
        else:
            done = rng.random() < 0.15
        done_at = None
        if done:
            done_at = min(self.now, when + dt.timedelta(days=rng.randint(1, max(1, (due - when.date()).days + 3))))
        followup = FollowUp(
            partner_id=partner.pk,
            description=rng.choice(FOLLOWUPS[lang]),
            owner_id=owner_id,
            due_on=due,
            done_at=done_at,
            done_by_id=owner_id if done else None,
        )
        self.stamp_history(followup, when, owner_id)
        return followup

    def staff_followups(self, interactions: list, planned: list, plans: list[PartnerPlan]) -> list[FollowUp]:
        """Make sure the demo "staff" login has open follow-ups due soon and a few overdue."""
        if self.staff_id is None:
            return []
        open_qs = FollowUp.objects.filter(owner_id=self.staff_id, done_at=None)
        planned_open = [f for f in planned if f and f.owner_id == self.staff_id and f.done_at is None]
        soon = open_qs.filter(due_on__range=(self.today, self.today + dt.timedelta(days=7))).count() + sum(
            self.today <= f.due_on <= self.today + dt.timedelta(days=7) for f in planned_open
        )
        overdue = open_qs.filter(due_on__lt=self.today).count() + sum(f.due_on < self.today for f in planned_open)
        wanted = [("soon", i) for i in range(max(0, 3 - soon))] + [("overdue", i) for i in range(max(0, 2 - overdue))]
        if not wanted:
            return []
        staff_partners = {p.partner.pk: p for p in plans if p.partner.owner_id == self.staff_id}
        # Prefer recent interactions on staff's partners that have no follow-up yet.
        recent = [
            i
            for i, f in zip(interactions, planned, strict=True)
            if f is None and i.partner_id in staff_partners and (self.now - i.occurred_at).days <= 20
        ]
        recent.sort(key=lambda i: i.occurred_at, reverse=True)
        rows = []
        for n, (which, k) in enumerate(wanted):
            interaction = recent[n] if n < len(recent) else None
            if which == "overdue" and interaction and (self.today - interaction.occurred_at.date()).days < 3:
                interaction = None  # too recent to be overdue already
            when = interaction.occurred_at if interaction else self.now - dt.timedelta(days=14)
            if which == "soon":
                due = self.today + dt.timedelta(days=1 + 2 * k)
            else:
                due = max(when.date() + dt.timedelta(days=1), self.today - dt.timedelta(days=2 + 3 * k))
                due = min(due, self.today - dt.timedelta(days=1))
            if interaction:
                plan = staff_partners[interaction.partner_id]
            elif staff_partners:
                plan = self.rng.choice(list(staff_partners.values()))
            else:
                break
            followup = self.followup(plan.partner, self.staff_id, plan.lang, when, due=due)
            followup.done_at = followup.done_by_id = None
            followup.interaction = interaction
            rows.append(followup)
        return rows

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
        """History rows for bulk-created objects, like simple_history's bulk_create_with_history.

        Done after the rows exist (not with bulk_create_with_history) so history carries the
        backdated dates, and it also writes the m2m snapshot rows that bulk_history_create
        leaves out, so a later edit of a partner diffs against the right tags.
        """
        if not objs:
            return
        history = model.history.bulk_history_create(objs, batch_size=1000)
        history_id = {row.id: row.history_id for row in history}
        for field_name, links in (m2m or {}).items():
            if not links:
                continue
            m2m_history_model = getattr(model.history.model, field_name).model
            columns = [f.attname for f in links[0]._meta.fields]
            owner_column = model._meta.get_field(field_name).m2m_field_name() + "_id"
            m2m_history_model.objects.bulk_create(
                [
                    m2m_history_model(
                        history_id=history_id[getattr(link, owner_column)], **{c: getattr(link, c) for c in columns}
                    )
                    for link in links
                ],
                batch_size=2000,
            )
