"""A corrective action plan's re-evaluation date is its follow-up check (issue #11 §2): on
that date the department's managers are told, once, that the supplier is due its
re-evaluation; a day missed is caught up; a supplier evaluated again since is left alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crm.models import Notification
from crm.scheduler import scan_run
from evaluations import services
from tests.evaluations.factories import closed_eval

pytestmark = pytest.mark.django_db

RE_EVALUATE = dt.date(2025, 9, 30)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


@pytest.fixture
def plan_decided(template, supplier, staff, manager):
    evaluation = closed_eval(supplier, template, staff, manager, rating=2)
    services.decision_record(
        evaluation=evaluation,
        by=manager,
        outcome="adjust_terms",
        reason="Late deliveries",
        actions=[services.ActionData("Add a buffer stock", staff, dt.date(2025, 8, 31))],
        re_evaluation_on=RE_EVALUATE,
    )
    return evaluation


def _notices(user):
    return list(Notification.objects.filter(recipient=user, kind="action_plan_re_evaluation"))


def test_managers_are_told_once_on_the_re_evaluation_date(plan_decided, manager, manager_sales, staff):
    scan_run("action_plans_due", now=at(RE_EVALUATE - dt.timedelta(days=1)))
    assert _notices(manager) == []
    for _twice in range(2):
        scan_run("action_plans_due", now=at(RE_EVALUATE))
    scan_run("action_plans_due", now=at(RE_EVALUATE + dt.timedelta(days=3)))
    [notice] = _notices(manager)
    assert "Acme Components" in notice.title and "30 Sep 2025" in notice.title
    assert notice.params["date"] == "2025-09-30"
    assert notice.link == f"/evaluations/{plan_decided.pk}/"
    assert _notices(manager_sales) == [] and _notices(staff) == []


def test_a_missed_date_is_caught_up(plan_decided, manager):
    scan_run("action_plans_due", now=at(RE_EVALUATE + dt.timedelta(days=10)))
    assert len(_notices(manager)) == 1


def test_no_notice_once_the_supplier_was_evaluated_again(plan_decided, template, supplier, staff, manager):
    closed_eval(supplier, template, staff, manager, rating=4, period=dt.date(2025, 8, 10))
    scan_run("action_plans_due", now=at(RE_EVALUATE + dt.timedelta(days=1)))
    assert _notices(manager) == []
