"""Demo interactions and follow-ups, with the demo "staff" login's dashboard guaranteed."""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from django.utils import timezone

from crm.demo_rows import insert_history_rows, insert_rows, reserve_pks
from partners.demo_data import (
    CHANNEL_WORDS,
    EN,
    FOLLOWUPS,
    IN_PERSON,
    KIND_WEIGHTS,
    OUTCOMES,
    SUBJECTS,
    SUMMARIES,
    TIER_ATTENTION,
    ZH,
)
from partners.models import Contact, FollowUp, Interaction, Partner

from .base import PartnerPlan, SeederBase, first_item, save_new, weighted


class InteractionSeeder(SeederBase):
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

        # What staff_followups needs, gathered on the way: the rows are written in chunks so
        # that a million interactions never sit in memory at once.
        staff_partners = {p.partner.pk: p for p in plans if p.partner.owner_id == self.staff_id}
        staff_open = self.staff_open_followups()
        recent: list[Interaction] = []
        followups = 0
        for start in range(0, len(visits), self.CHUNK):
            rows = self.write_interactions(visits[start : start + self.CHUNK], staff_partners, staff_open, recent)
            followups += rows
        rows = self.staff_followups(recent, staff_open, staff_partners)
        save_new(FollowUp, rows)
        self.bulk_history(FollowUp, rows)
        self.counts["interactions"] = len(visits)
        self.counts["follow-ups"] = followups + len(rows)

    CHUNK = 20_000  # interactions written at a time

    def write_interactions(self, visits, staff_partners: dict, staff_open: list, recent: list) -> int:
        """One chunk of interactions with their people, history and follow-ups; returns the
        follow-ups written. Keeps in ``staff_open`` (open follow-ups of staff) and ``recent``
        (staff's recent interactions without one) what ``staff_followups`` reads at the end.

        Rows are dicts of column values, not model instances: a million instances cost more
        than the rows themselves. The pks are reserved first, for the follow-ups and links."""
        pks = reserve_pks(Interaction, len(visits))
        interactions, stamps, participants, contacts, followups, followup_stamps = [], [], [], [], [], []
        now = timezone.now()  # what save_new stamps on follow-ups
        for pk, (plan, when) in zip(pks, visits, strict=True):
            row, people, their, followup = self.interaction(plan, when)
            row["id"] = pk
            interactions.append(row)
            stamps.append((when, row["author_id"]))  # logged when it happened, by its author
            participants += [{"interaction_id": pk, "user_id": u} for u in people]
            contacts += [{"interaction_id": pk, "contact_id": c} for c in their]
            if followup is not None:
                followup_row, stamp = followup
                followup_row |= {"created_at": now, "updated_at": now, "interaction_id": pk}
                followups.append(followup_row)
                followup_stamps.append(stamp)
                if followup_row["owner_id"] == self.staff_id and followup_row["done_at"] is None:
                    staff_open.append(followup_row["due_on"])
            elif plan.partner.pk in staff_partners and (self.now - when).days <= 20:
                recent.append(row)
        insert_rows(Interaction, interactions)
        insert_rows(Interaction.participants.through, participants)
        insert_rows(Interaction.contacts.through, contacts)
        # No m2m snapshot rows for interactions: rows that nothing reads (the partner history
        # page diffs only partner tags); a later edit records a full snapshot anyway.
        insert_history_rows(Interaction, interactions, stamps)
        for row, pk in zip(followups, reserve_pks(FollowUp, len(followups)), strict=True):
            row["id"] = pk
        insert_rows(FollowUp, followups)
        insert_history_rows(FollowUp, followups, followup_stamps)
        return len(followups)

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
        row = dict(
            self.interaction_defaults,
            created_at=when,  # logged when it happened
            updated_at=when,
            partner_id=partner.pk,
            kind=kind,
            occurred_at=when,
            subject=subject,
            summary=summary,
            outcome=rng.choice(OUTCOMES[lang]),
            author_id=author_id,
            department_id=dept_id,
        )
        followup = None
        if rng.random() < 0.30:
            owner_id = author_id if rng.random() < 0.8 else partner.owner_id
            followup = self.followup_row(partner, owner_id, lang, when)
        return row, people, [plan.contact_ids[i] for i in their], followup

    @cached_property
    def interaction_defaults(self) -> dict:
        """Every column of an interaction row, as a new instance holds them."""
        blank = Interaction()
        return {f.attname: getattr(blank, f.attname) for f in Interaction._meta.concrete_fields if not f.primary_key}

    def followup_row(self, partner: Partner, owner_id: int, lang: str, when: dt.datetime, due=None):
        """Due a few days after the interaction; old ones done, recent ones open, some overdue.
        The row's values (without pk, interaction and times) and its history stamp."""
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
        row = {
            "partner_id": partner.pk,
            "interaction_id": None,
            "description": rng.choice(FOLLOWUPS[lang]),
            "owner_id": owner_id,
            "due_on": due,
            "done_at": done_at,
            "done_by_id": owner_id if done else None,
        }
        return row, (when, owner_id)

    def followup(self, partner: Partner, owner_id: int, lang: str, when: dt.datetime, due=None) -> FollowUp:
        """``followup_row`` as an unsaved FollowUp, stamped for its history row."""
        row, (when, owner_id) = self.followup_row(partner, owner_id, lang, when, due)
        followup = FollowUp(**row)
        self.stamp_history(followup, when, owner_id)
        return followup

    def staff_open_followups(self) -> list:
        """Due dates of staff's open follow-ups already in the database."""
        if self.staff_id is None:
            return []
        return list(FollowUp.objects.filter(owner_id=self.staff_id, done_at=None).values_list("due_on", flat=True))

    def staff_followups(self, recent: list, staff_open: list, staff_partners: dict) -> list[FollowUp]:
        """Make sure the demo "staff" login has open follow-ups due soon and a few overdue.

        ``staff_open``: due dates of staff's open follow-ups (earlier runs and this one);
        ``recent``: staff's interactions of the last 20 days that have no follow-up."""
        if self.staff_id is None:
            return []
        soon = sum(self.today <= due <= self.today + dt.timedelta(days=7) for due in staff_open)
        overdue = sum(due < self.today for due in staff_open)
        wanted = [("soon", i) for i in range(max(0, 3 - soon))] + [("overdue", i) for i in range(max(0, 2 - overdue))]
        if not wanted:
            return []
        # Prefer recent interactions on staff's partners that have no follow-up yet.
        recent.sort(key=lambda i: i["occurred_at"], reverse=True)
        rows = []
        for n, (which, k) in enumerate(wanted):
            interaction = recent[n] if n < len(recent) else None
            if which == "overdue" and interaction and (self.today - interaction["occurred_at"].date()).days < 3:
                interaction = None  # too recent to be overdue already
            when = interaction["occurred_at"] if interaction else self.now - dt.timedelta(days=14)
            if which == "soon":
                due = self.today + dt.timedelta(days=1 + 2 * k)
            else:
                due = max(when.date() + dt.timedelta(days=1), self.today - dt.timedelta(days=2 + 3 * k))
                due = min(due, self.today - dt.timedelta(days=1))
            if interaction:
                plan = staff_partners[interaction["partner_id"]]
            elif staff_partners:
                plan = self.rng.choice(list(staff_partners.values()))
            else:
                break
            followup = self.followup(plan.partner, self.staff_id, plan.lang, when, due=due)
            followup.done_at = followup.done_by_id = None
            followup.interaction_id = interaction["id"] if interaction else None
            rows.append(followup)
        return rows
