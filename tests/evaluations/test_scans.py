"""Scheduled evaluations: opened once per partner/template/period, evaluators reminded,
managers told when it drags on (issue #4 scans over issue #3 data)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crm.models import Notification
from crm.scheduler import scan_run
from evaluations.models import Evaluation, ScorecardTemplate
from tests.evaluations.factories import make_template
from tests.factories import PartnerFactory

UTC = dt.UTC


@pytest.fixture(autouse=True)
def _zone(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    settings.RAPPORT_EVALUATION_REMIND_DAYS = 7
    settings.RAPPORT_EVALUATION_ESCALATE_DAYS = 7


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


def test_open_scan_opens_each_period_once_for_partners_in_business(staff, supplier, manager):
    candidate = PartnerFactory(owner=staff, status="candidate")
    archived = PartnerFactory(owner=staff, archived_at=timezone.now())
    customer = PartnerFactory(owner=staff, family="customer")
    for _ in range(2):
        scan_run("evaluations_open", now=noon(dt.date(2026, 11, 27)))
    periodic = ScorecardTemplate.objects.get(purpose="periodic", family="supplier")
    evaluation = Evaluation.objects.get(template=periodic)
    assert evaluation.partner == supplier
    assert (evaluation.period_start, evaluation.period_end) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert [s.evaluator for s in evaluation.sheets.all()] == [staff]
    for other in (candidate, archived, customer):
        assert not Evaluation.objects.filter(partner=other, template=periodic).exists()
    # Next quarter: a new one.
    scan_run("evaluations_open", now=noon(dt.date(2027, 1, 2)))
    assert Evaluation.objects.filter(partner=supplier, template=periodic).count() == 2


def test_a_missed_quarter_start_is_caught_up_later_in_the_quarter(supplier):
    scan_run("evaluations_open", now=noon(dt.date(2027, 2, 15)))  # the scan did not run on 1 Jan
    assert Evaluation.objects.filter(partner=supplier, period_start=dt.date(2027, 1, 1)).exists()


def test_tier_specific_template_opens_only_for_that_tier(staff):
    key = PartnerFactory(owner=staff, tier=1)
    normal = PartnerFactory(owner=staff, tier=3)
    template = make_template(tier=1, cadence="monthly")
    scan_run("evaluations_open", now=noon(dt.date(2026, 11, 27)))
    assert Evaluation.objects.filter(template=template, partner=key).exists()
    assert not Evaluation.objects.filter(template=template, partner=normal).exists()


def test_reminders_due_soon_overdue_then_escalation_each_once(staff, manager, manager_sales, supplier):
    scan_run("evaluations_open", now=noon(dt.date(2026, 11, 27)))
    evaluation = Evaluation.objects.get(partner=supplier)
    due = evaluation.due_on

    def kinds():
        return sorted(Notification.objects.values_list("recipient__username", "kind"))

    scan_run("evaluations_remind", now=noon(due - dt.timedelta(days=8)))
    assert kinds() == []
    for _ in range(2):
        scan_run("evaluations_remind", now=noon(due - dt.timedelta(days=3)))
    assert kinds() == [("staff", "evaluation_due_soon")]
    scan_run("evaluations_remind", now=noon(due + dt.timedelta(days=1)))
    assert kinds() == [("staff", "evaluation_due_soon"), ("staff", "evaluation_overdue")]
    for _ in range(2):
        scan_run("evaluations_remind", now=noon(due + dt.timedelta(days=8)))
    assert kinds() == [
        ("manager", "evaluation_escalated"),
        ("staff", "evaluation_due_soon"),
        ("staff", "evaluation_overdue"),
    ]


def test_submitted_sheets_are_not_reminded(staff, supplier):
    scan_run("evaluations_open", now=noon(dt.date(2026, 11, 27)))
    evaluation = Evaluation.objects.get(partner=supplier)
    evaluation.sheets.update(submitted_at=timezone.now())
    assert scan_run("evaluations_remind", now=noon(evaluation.due_on + dt.timedelta(days=30))).effects == 0
    assert not Notification.objects.exists()


def test_calendar_feed_lists_evaluations_to_score(client, staff, supplier):
    from icalendar import Calendar

    from crm.calendar import calendar_token_for

    scan_run("evaluations_open", now=noon(timezone.localdate()))
    evaluation = Evaluation.objects.get(partner=supplier)
    response = client.get(f"/calendar/{calendar_token_for(staff).token}.ics")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    due = [e for e in events if str(e["UID"]).startswith("evaluation-sheet-")]
    assert len(due) == 1 and due[0].decoded("DTSTART") == evaluation.due_on
    assert supplier.name in str(due[0]["SUMMARY"])


def test_a_reminder_names_the_template_in_the_language_it_is_read_in(client, staff, supplier):
    """Issue 12 §7: the reminder was made while the evaluator read English; after switching to
    Chinese, the template's name in it is Chinese too (both names are stored, not one)."""
    from django.urls import reverse

    scan_run("evaluations_open", now=noon(dt.date(2026, 11, 27)))
    evaluation = Evaluation.objects.get(partner=supplier)
    template = evaluation.template
    assert template.name_zh
    scan_run("evaluations_remind", now=noon(evaluation.due_on - dt.timedelta(days=3)))
    client.force_login(staff)
    english = client.get(reverse("notifications"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"({template.name})" in english
    staff.profile.language = "zh-hans"
    staff.profile.save()
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(reverse("notifications")).content.decode()
    assert f"（{template.name_zh}）" in chinese or f"({template.name_zh})" in chinese
    assert template.name not in chinese
