"""seed_demo's bulk writing (crm.demo_rows; COPY on PostgreSQL, multi-row INSERT here), at a
size where interactions are written in several chunks: the rows carry their own dates, with
the history, people, notes and notices the services would have written."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Min
from django.utils import timezone

from crm.models import Notification
from evaluations.demo.history import HistorySeeder
from evaluations.models import Evaluation
from partners.cases.models import Case, CaseNote
from partners.demo import RegistrySeeder
from partners.models import Family, FollowUp, Interaction, Partner, Status
from partners.partnerships.demo import PROSPECTS

PROSPECT_NAMES = [p.name for p in PROSPECTS]


def test_bulk_rows_are_dated_in_the_past_with_their_history_people_and_notes(seed_demo, monkeypatch):
    monkeypatch.setattr(RegistrySeeder, "CHUNK", 1000)  # interactions in three chunks
    monkeypatch.setattr(HistorySeeder, "CHUNK", 20)  # scorecard history in several
    seed_demo(300, 3000)
    now = timezone.now()
    # The registry's 3,000 (other apps' demos log a few more through their services) are
    # logged when they happened (no "now" left by bulk inserts), spread over two years.
    registry = Interaction.objects.filter(created_at=F("occurred_at"))
    assert registry.count() >= 3000 and Interaction.objects.count() < 3020
    assert registry.aggregate(oldest=Min("occurred_at"))["oldest"] < now - dt.timedelta(days=365)
    assert registry.dates("occurred_at", "month").count() >= 20
    partners = Partner.objects.exclude(name__in=PROSPECT_NAMES)
    assert partners.count() == 300
    assert partners.aggregate(oldest=Min("created_at"))["oldest"] < now - dt.timedelta(days=365)
    # One creation history row each, dated like the row; people and contacts linked.
    history = Interaction.history.filter(id__in=registry.values("id"))
    assert history.filter(history_date=F("occurred_at")).count() == registry.count()
    assert Partner.history.filter(id__in=partners.values("id"), history_type="+").count() == 300
    assert Interaction.participants.through.objects.count() > 300
    assert Interaction.contacts.through.objects.count() > 1000
    assert FollowUp.objects.count() == FollowUp.history.filter(history_type="+").count() > 600

    # Cases: the timeline, references and history rows of case_open / case_note_add / case_transition.
    cases = Case.objects.annotate(notes_n=Count("notes"))
    history = dict(Case.history.values_list("id").annotate(n=Count("history_id")).order_by())
    assert cases.count() == 60
    for case in cases:
        assert case.reference == f"CS-{timezone.localtime(case.opened_at).year}-{case.pk:05d}"
        # A save per step: open (2: the row, its reference), reply (1 for 2 notes), each move (1).
        assert case.notes_n >= 1 and history[case.pk] == 1 + case.notes_n - (case.notes_n > 1)
    assert {"in_progress", "resolved", "closed"} <= set(cases.values_list("status", flat=True))
    assert not CaseNote.objects.filter(kind="event", status_to="new").exclude(created_at=F("case__opened_at")).exists()
    web = Case.objects.filter(channel="web_form", assignee__isnull=False)
    assert Notification.objects.filter(kind="case_assigned").count() == web.count()

    # Scorecard history for every active supplier (no cap at 3,000 any more).
    eligible = partners.filter(family=Family.SUPPLIER, status__in=(Status.ACTIVE, Status.PROBATION))
    evaluated = Evaluation.objects.filter(partner__family=Family.SUPPLIER).values("partner").distinct()
    assert evaluated.count() == eligible.filter(archived_at=None).count() > 50
