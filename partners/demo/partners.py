"""Demo partners of every family, their tags and contacts."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db.models import Count

from crm.demo_rows import create_rows
from partners.demo_data import (
    BRAND,
    CHANNEL_WEIGHTS,
    CONTACT_NOTES,
    CUSTOMS,
    EN,
    EN_PLACES,
    EXTRA_TAGS,
    FAMILY_SHARE,
    INDUSTRIES,
    KIND_SUFFIX,
    MEMBERSHIP_LEVELS,
    STATUS_WEIGHTS,
    TAGS,
    TIER_WEIGHTS,
    TITLES,
    ZH,
    ZH_PLACES,
    Industry,
)
from partners.models import FAMILY_KINDS, Contact, Family, Partner, PartnerKind, Status, Tag, Tier

from .base import PartnerPlan, SeederBase, quotas, save_new, weighted


class Place(NamedTuple):
    city: str
    area: str  # Chinese province, or the country abroad
    country: str
    legal: str  # legal form for English company names
    tag: str | None  # "华东"...
    region: str  # what Partner.region shows


class PartnerSeeder(SeederBase):
    def ensure_tags(self) -> dict[str, int]:
        existing = set(Tag.objects.filter(name__in=TAGS).values_list("name", flat=True))
        created = Tag.objects.bulk_create([Tag(name=n) for n in TAGS if n not in existing])
        self.counts["tags"] = len(created)
        return dict(Tag.objects.filter(name__in=TAGS).values_list("name", "id"))

    # --- partners ----------------------------------------------------------------------

    def create_partners(self, count: int, *, interactions: int = 0) -> list[PartnerPlan]:
        """``count`` partners with their tags and contacts; ``interactions``: how many
        interactions ``create_interactions`` will log after (for last_contacted_at)."""
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
        if interactions >= sum(p.last_contact is not None for p in plans):
            # Every planned last contact gets its interaction (create_interactions anchors one
            # there, the others before): written now, no UPDATE of every partner after.
            for plan in plans:
                plan.partner.last_contacted_at = plan.last_contact
        # Registered in the past, so the demo has a history.
        for plan in plans:
            plan.partner.created_at = plan.partner.updated_at = plan.since
            self.stamp_history(plan.partner, plan.since, plan.partner.owner_id)
        save_new(Partner, objs)
        through = Partner.tags.through
        tag_links = [through(partner_id=p.partner.pk, tag_id=self.tags[t]) for p, t in tag_rows]
        create_rows(through, tag_links)
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
            if len(contacts) >= self.CONTACT_CHUNK:
                self.write_contacts(contacts)
                contacts = []
        self.write_contacts(contacts)

    CONTACT_CHUNK = 20_000  # contacts written at a time: memory stays bounded at any size

    def write_contacts(self, contacts: list[tuple[PartnerPlan, Contact]]) -> None:
        """Write contacts and their history; their partners' plans keep only ids and names."""
        objs = [c for _, c in contacts]
        save_new(Contact, objs)
        self.bulk_history(Contact, objs)
        for plan, contact in contacts:
            plan.contact_ids.append(contact.pk)
            plan.contact_names.append(contact.name)
        self.counts["contacts"] += len(objs)
