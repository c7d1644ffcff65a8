"""What managers and staff see of supervision (issue #11 §1): the findings addressed to their
department on their dashboard, and the actions they own; the supervision group's home counts
the findings' actions by state; a visit is on the partner's page; and the pages hold up when
the records behind them change (a closed plan, a deleted sampled record, one's own action)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.models import CorrectiveAction, Department
from crm.services import corrective_action_respond, corrective_action_verify
from partners.models import Interaction
from supervision import services
from supervision.models import Finding
from tests.factories import PartnerFactory, UserFactory
from tests.partners.test_query_counts import BUDGET
from tests.supervision.test_inspections import _finding, _interactions, _plan


def test_staff_see_their_departments_open_findings_on_the_dashboard(client, supervisor, staff, staff_sales):
    due = timezone.localdate() + dt.timedelta(days=9)
    _finding(supervisor, title="Meetings without outcomes", response_due=due)
    closed = _finding(supervisor, title="Old closed finding")
    Finding.objects.filter(pk=closed.pk).update(status=Finding.Status.CLOSED)
    _finding(supervisor, title="A sales matter", department=Department.objects.get(code="sales"))
    client.force_login(staff)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'id="department-findings"' in page
    assert "Meetings without outcomes" in page and f"response due {due:%Y-%m-%d}" in page
    assert "Old closed finding" not in page and "A sales matter" not in page
    client.force_login(staff_sales)
    page = client.get(reverse("dashboard")).content.decode()
    assert "A sales matter" in page and "Meetings without outcomes" not in page


def test_the_dashboard_shows_no_findings_card_without_findings_or_to_the_supervision_group(client, supervisor, staff):
    client.force_login(staff)
    assert 'id="department-findings"' not in client.get(reverse("dashboard")).content.decode()
    _finding(supervisor)
    client.force_login(supervisor)
    assert 'id="department-findings"' not in client.get(reverse("dashboard")).content.decode()


def test_the_findings_card_is_in_chinese_for_a_chinese_reader(client, supervisor, staff):
    _finding(supervisor)
    client.force_login(staff)
    client.cookies["django_language"] = "zh-hans"
    assert "本部门的监督检查发现" in client.get(reverse("dashboard")).content.decode()


def test_the_dashboard_query_count_stays_fixed_with_findings(client, supervisor, staff):
    def count() -> int:
        cache.clear()  # nothing cached yet: the bell counted too (crm.notifications)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("dashboard")).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(staff)
    _finding(supervisor)
    small = count()
    for index in range(15):
        _finding(supervisor, title=f"Finding {index}")
    assert count() == small <= BUDGET


def test_supervision_home_counts_the_findings_actions_by_state(client, supervisor, staff):
    finding = _finding(supervisor)
    soon = timezone.localdate() + dt.timedelta(days=5)
    raise_ = lambda text: services.finding_raise_action(  # noqa: E731
        finding=finding, description=text, owner=staff, due_on=soon, by=supervisor
    )
    raise_("Train buyers")
    answered = raise_("Add an outcome field")
    corrective_action_respond(action=answered, by=staff, response="Field added")
    late = raise_("Review last quarter's meetings")
    CorrectiveAction.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - dt.timedelta(days=2))
    client.force_login(supervisor)
    page = client.get(reverse("supervision:home")).content.decode()
    assert 'id="count-actions-open">2<' in page
    assert 'id="count-actions-responded">1<' in page
    assert 'id="count-actions-overdue">1<' in page


def test_a_visit_is_on_the_partners_timeline_as_the_supervision_groups(client, supervisor, staff, manager):
    partner = PartnerFactory(owner=staff, name="Ningbo Moulds")
    services.visit_record(
        partner=partner,
        plan=None,
        data={"visited_on": timezone.localdate(), "feedback": "Wants quarterly reviews.", "met": "Mr Wu"},
        by=supervisor,
    )
    interaction = Interaction.objects.get(partner=partner)
    client.force_login(manager)
    page = client.get(partner.get_absolute_url()).content.decode()
    entry = page[page.index(f'id="interaction-{interaction.pk}"') :][:1500]
    assert "Visit" in entry and "Supervision group visit" in entry and "Wants quarterly reviews." in entry
    assert 'id="record-visit"' not in page  # recording a visit is the group's
    client.force_login(supervisor)
    page = client.get(partner.get_absolute_url()).content.decode()
    assert f'href="{reverse("supervision:visit_create")}?partner={partner.pk}"' in page


def test_a_sample_whose_record_was_deleted_says_so(client, supervisor, staff):
    plan = _plan(supervisor)
    records = _interactions(staff, 3)
    sample = services.sample_draw(plan=plan, kind="interactions", size=3, seed=11, by=supervisor)
    gone = sample.items.order_by("position").first()
    Interaction.objects.filter(pk=gone.record_id).delete()
    assert Interaction.objects.count() == len(records) - 1
    client.force_login(supervisor)
    response = client.get(sample.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    row = page[page.index(gone.label) :][:200]
    assert "(deleted)" in row
    assert page.count("(deleted)") == 1


def test_a_finding_of_a_closed_plan_still_reads_and_takes_actions(client, supervisor, staff):
    plan = _plan(supervisor)
    _interactions(staff, 1)
    sample = services.sample_draw(plan=plan, kind="interactions", size=1, seed=1, by=supervisor)
    item = sample.items.get()
    services.sample_item_grade(
        item=item, grade="nonconforming", checklist_item=plan.checklist.get(clause="P3.3"), note="", by=supervisor
    )
    finding = services.finding_record(
        data={
            "plan": plan,
            "clause": "P3.3",
            "severity": "major",
            "department": Department.objects.get(code="procurement"),
            "title": "No outcome",
            "description": "The meeting has no outcome.",
            "response_due": timezone.localdate() + dt.timedelta(days=10),
        },
        evidence=[item],
        by=supervisor,
    )
    services.plan_close(plan=plan, by=supervisor)
    client.force_login(supervisor)
    page = client.get(finding.get_absolute_url()).content.decode()
    assert "No outcome" in page and 'id="raise-action"' in page and item.label in page
    client.force_login(staff)
    assert client.get(finding.get_absolute_url()).status_code == 200


def test_a_supervisor_who_owns_the_action_cannot_verify_it_and_the_page_says_why(client, supervisor):
    """Issue #11 §5: verifying one's own action. A supervisor of the General Office owns an
    action of a finding addressed to it; another supervisor may verify, they may not."""
    office = Department.objects.get(code="general-office")
    finding = _finding(supervisor, department=office)
    action = services.finding_raise_action(
        finding=finding,
        description="File the visit reports",
        owner=supervisor,
        due_on=timezone.localdate() + dt.timedelta(days=7),
        by=supervisor,
    )
    client.force_login(supervisor)
    client.post(
        reverse("corrective_action_respond", args=[action.pk]),
        {"r-response": "Filed", "r-version": action.updated_at.isoformat()},
    )
    action.refresh_from_db()
    assert action.state == "responded"
    detail = reverse("corrective_action_detail", args=[action.pk])
    page = client.get(detail).content.decode()
    assert 'id="verify-form"' not in page and "You cannot verify your own action" in page
    response = client.post(
        reverse("corrective_action_verify", args=[action.pk]),
        {"v-outcome": "accept", "v-note": "Fine", "v-version": action.updated_at.isoformat()},
    )
    assert response.status_code == 200 and "You cannot verify your own action" in response.content.decode()
    action.refresh_from_db()
    assert action.state == "responded" and action.verified_by is None
    with pytest.raises(ValidationError, match="your own action"):
        corrective_action_verify(action=action, by=supervisor, accepted=True, note="")
    colleague = UserFactory(username="supervisor2", role="Supervision", dept="general-office")
    client.force_login(colleague)
    assert 'id="verify-form"' in client.get(detail).content.decode()
