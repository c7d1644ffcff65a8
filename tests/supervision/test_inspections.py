"""The supervision group's inspections (issue #11 §1–2, P5.1): plans with a checklist seeded
from the policy, random samples that a seed redraws, grading with progress, visits on the
partner's timeline, findings addressed to a department and answered by it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from crm.models import Department, Notification
from partners.models import Interaction
from supervision import services
from supervision.clauses import CLAUSES
from supervision.models import ChecklistItem, Finding, InspectionPlan, Sample, SampleItem, Visit
from tests.factories import InteractionFactory, PartnerFactory

YEAR = timezone.localdate().year


def _plan(supervisor, **extra) -> InspectionPlan:
    data = {
        "year": YEAR,
        "title": "Annual inspection",
        "schedule": "periodic",
        "planned_on": timezone.localdate(),
        "period_start": dt.date(YEAR, 1, 1),
        "period_end": timezone.localdate(),
        "families": [],
        **extra,
    }
    return services.plan_create(data=data, departments=[], by=supervisor)


def _interactions(staff, n: int, partner=None):
    partner = partner or PartnerFactory(owner=staff)
    when = timezone.now() - dt.timedelta(hours=1)
    return [InteractionFactory(partner=partner, author=staff, occurred_at=when) for _ in range(n)]


@pytest.fixture
def plan(supervisor):
    return _plan(supervisor)


def test_a_supervisor_plans_an_inspection_with_the_policys_checklist_in_both_languages(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("supervision:plan_create"),
        {
            "year": YEAR,
            "title": "Unannounced check",
            "schedule": "unannounced",
            "planned_on": timezone.localdate().isoformat(),
            "period_start": f"{YEAR}-01-01",
            "period_end": timezone.localdate().isoformat(),
            "families": ["supplier"],
        },
        follow=True,
    )
    plan = InspectionPlan.objects.get()
    assert plan.families == ["supplier"] and plan.schedule == "unannounced"
    assert [item.clause for item in plan.checklist.all()] == [clause.code for clause in CLAUSES]
    assert all(item.text_en and item.text_zh for item in plan.checklist.all())
    assert "Commitments made to the partner are tracked" in response.content.decode()
    client.cookies["django_language"] = "zh-hans"
    assert "对商务伙伴的承诺跟踪至完成" in client.get(plan.get_absolute_url()).content.decode()


def test_a_plan_period_that_ends_before_it_starts_is_refused_next_to_the_field(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("supervision:plan_create"),
        {
            "year": YEAR,
            "title": "Kept title",
            "schedule": "periodic",
            "planned_on": f"{YEAR}-03-01",
            "period_start": f"{YEAR}-06-01",
            "period_end": f"{YEAR}-01-01",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "The period ends before it starts." in page and "Kept title" in page
    assert not InspectionPlan.objects.exists()


def test_the_checklist_is_edited_with_history(client, supervisor, plan):
    client.force_login(supervisor)
    items = list(plan.checklist.all())
    data = {
        "checklist-TOTAL_FORMS": len(items) + 1,
        "checklist-INITIAL_FORMS": len(items),
        "checklist-MIN_NUM_FORMS": 0,
        "checklist-MAX_NUM_FORMS": 1000,
    }
    for index, item in enumerate(items):
        data.update(
            {
                f"checklist-{index}-id": item.pk,
                f"checklist-{index}-position": item.position,
                f"checklist-{index}-clause": item.clause,
                f"checklist-{index}-text_en": "Gifts above the threshold approved first"
                if index == 0
                else item.text_en,
                f"checklist-{index}-text_zh": item.text_zh,
            }
        )
    if True:
        data[f"checklist-{len(items) - 1}-DELETE"] = "on"
    response = client.post(reverse("supervision:plan_checklist", args=[plan.pk]), data)
    assert response.status_code == 302
    first = ChecklistItem.objects.get(pk=items[0].pk)
    assert first.text_en == "Gifts above the threshold approved first"
    assert first.history.count() == 2  # the seeded wording is kept
    assert plan.checklist.count() == len(items) - 1


def test_the_same_seed_redraws_the_same_sample(supervisor, staff, plan):
    _interactions(staff, 30)
    first = services.sample_draw(plan=plan, kind="interactions", size=8, seed=1234, by=supervisor)
    again = services.sample_draw(plan=plan, kind="interactions", size=8, seed=1234, by=supervisor)
    other = services.sample_draw(plan=plan, kind="interactions", size=8, seed=99, by=supervisor)
    ids = lambda sample: [item.record_id for item in sample.items.order_by("position")]  # noqa: E731
    assert ids(first) == ids(again) != ids(other)
    assert first.population == 30 and first.items.count() == 8
    plan.refresh_from_db()
    assert plan.status == InspectionPlan.Status.IN_PROGRESS


def test_the_sample_stays_in_the_plans_scope(supervisor, staff, staff_sales):
    inside = _interactions(staff, 5)
    sales = Department.objects.get(code="sales")
    _interactions(staff_sales, 5, partner=PartnerFactory(owner=staff_sales, department=sales))  # another department
    Interaction.objects.filter(pk__in=[i.pk for i in _interactions(staff, 3)]).update(
        occurred_at=timezone.make_aware(dt.datetime(YEAR - 2, 6, 1, 12))
    )  # before the period
    plan = _plan(supervisor)
    plan.departments.set([Department.objects.get(code="procurement")])
    sample = services.sample_draw(plan=plan, kind="interactions", size=5, seed=7, by=supervisor)
    assert sample.population == 5
    assert {item.record_id for item in sample.items.all()} == {i.pk for i in inside}


def test_a_sample_larger_than_the_population_is_refused_and_nothing_is_written(client, supervisor, staff, plan):
    _interactions(staff, 3)
    client.force_login(supervisor)
    response = client.post(
        reverse("supervision:sample_create", args=[plan.pk]), {"kind": "interactions", "size": 4, "seed": "5"}
    )
    assert response.status_code == 200
    assert "The sample is larger than the records in scope (3)." in response.content.decode()
    assert not Sample.objects.exists() and not SampleItem.objects.exists()


def test_grading_shows_progress_and_a_nonconformity_names_its_checklist_item(client, supervisor, staff, plan):
    _interactions(staff, 4)
    sample = services.sample_draw(plan=plan, kind="interactions", size=3, seed=3, by=supervisor)
    first, second, _third = sample.items.order_by("position")
    client.force_login(supervisor)
    url = reverse("supervision:grade", args=[first.pk])
    refused = client.post(url, {"grade": "nonconforming", "note": "No outcome recorded"})
    assert "Say which checklist item the record does not conform to." in refused.content.decode()
    item = plan.checklist.get(clause="P3.3")
    done = client.post(url, {"grade": "nonconforming", "checklist_item": item.pk, "note": "No outcome recorded"})
    assert done.status_code == 302 and done["Location"] == reverse("supervision:grade", args=[second.pk])
    first.refresh_from_db()
    assert first.grade == "nonconforming" and first.checklist_item == item and first.graded_by == supervisor
    page = client.get(sample.get_absolute_url()).content.decode()
    assert "1 of 3 graded" in page and "seed 3" in page.lower()


def test_closing_an_inspection_needs_every_record_graded(supervisor, staff, plan):
    _interactions(staff, 2)
    sample = services.sample_draw(plan=plan, kind="interactions", size=2, seed=1, by=supervisor)
    with pytest.raises(ValidationError):
        services.plan_close(plan=plan, by=supervisor)
    for item in sample.items.all():
        services.sample_item_grade(item=item, grade="conforms", checklist_item=None, note="", by=supervisor)
    assert services.plan_close(plan=plan, by=supervisor).status == InspectionPlan.Status.CLOSED
    with pytest.raises(ValidationError):
        services.sample_item_grade(item=sample.items.first(), grade="na", checklist_item=None, note="", by=supervisor)


def test_a_visit_lands_on_the_partners_timeline_and_the_owner_is_told(client, supervisor, staff):
    partner = PartnerFactory(owner=staff, name="Suzhou Fasteners")
    client.force_login(supervisor)
    response = client.post(
        reverse("supervision:visit_create"),
        {
            "partner": partner.pk,
            "visited_on": timezone.localdate().isoformat(),
            "met": "Ms Li, quality lead",
            "feedback": "Happy with payment terms; wants earlier forecasts.",
            "satisfaction": 4,
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.interaction.kind == "visit" and visit.interaction.partner == partner
    client.force_login(staff)
    assert "wants earlier forecasts" in client.get(partner.get_absolute_url()).content.decode()
    note = Notification.objects.get(recipient=staff, kind="supervision_visit")
    assert "Suzhou Fasteners" in note.title


def test_a_visit_in_the_future_is_refused(client, supervisor, staff):
    partner = PartnerFactory(owner=staff)
    client.force_login(supervisor)
    response = client.post(
        reverse("supervision:visit_create"),
        {
            "partner": partner.pk,
            "visited_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "feedback": "x",
        },
    )
    assert "Record a visit once it has taken place." in response.content.decode()
    assert not Visit.objects.exists() and not Interaction.objects.exists()


def _finding(supervisor, plan=None, **extra) -> Finding:
    data = {
        "plan": plan,
        "clause": "P3.3",
        "severity": "minor",
        "department": Department.objects.get(code="procurement"),
        "title": "Meetings without outcomes",
        "description": "Three of ten meetings have no outcome.",
        "response_due": timezone.localdate() + dt.timedelta(days=14),
        **extra,
    }
    return services.finding_record(data=data, evidence=[], by=supervisor)


def test_a_finding_without_a_clause_is_refused_and_nothing_is_written(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("supervision:finding_create"),
        {
            "severity": "major",
            "department": Department.objects.get(code="procurement").pk,
            "title": "Kept title",
            "description": "Kept description",
            "response_due": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Kept description" in page and "This field is required." in page
    assert not Finding.objects.exists()


def test_the_department_sees_and_answers_its_finding_and_others_do_not(client, supervisor, staff, manager, staff_sales):
    finding = _finding(supervisor)
    assert Notification.objects.filter(recipient=manager, kind="finding_recorded").exists()
    client.force_login(staff_sales)
    assert client.get(finding.get_absolute_url()).status_code == 404
    assert "Meetings without outcomes" not in client.get(reverse("supervision:finding_list")).content.decode()
    client.force_login(staff)
    assert "Meetings without outcomes" in client.get(reverse("supervision:finding_list")).content.decode()
    response = client.post(
        reverse("supervision:finding_respond", args=[finding.pk]), {"response": "We add an outcome field check."}
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == Finding.Status.RESPONDED and finding.responded_by == staff
    with pytest.raises(PermissionDenied):
        services.finding_record(data={}, evidence=[], by=staff)


def test_a_finding_closes_only_after_its_actions_are_verified(supervisor, staff, manager):
    from crm.services import corrective_action_respond, corrective_action_verify

    finding = _finding(supervisor)
    with pytest.raises(ValidationError):
        services.finding_close(finding=finding, by=supervisor)  # no response yet
    services.finding_respond(finding=finding, response="Done", by=staff)
    action = services.finding_raise_action(
        finding=finding,
        description="Train buyers on meeting notes",
        owner=staff,
        due_on=timezone.localdate() + dt.timedelta(days=10),
        by=supervisor,
    )
    assert action.department_id == finding.department_id
    with pytest.raises(ValidationError):
        services.finding_close(finding=finding, by=supervisor)
    corrective_action_respond(action=action, by=staff, response="Training held on 3 May")
    action.refresh_from_db()
    corrective_action_verify(action=action, by=supervisor, accepted=True, note="Attendance list seen")
    finding = services.finding_close(finding=finding, by=supervisor)
    assert finding.status == Finding.Status.CLOSED


def test_supervision_home_lists_its_work(client, supervisor, staff):
    plan = _plan(supervisor, title="Spring inspection")
    _finding(supervisor, plan=plan, title="Gifts without approval")
    PartnerFactory(owner=staff, tier=1, name="Key Partner Ltd")
    client.force_login(supervisor)
    page = client.get(reverse("supervision:home")).content.decode()
    assert "Spring inspection" in page and "Gifts without approval" in page and "Key Partner Ltd" in page


def test_pages_run_a_fixed_number_of_queries(client, supervisor, staff, django_assert_max_num_queries):
    plan = _plan(supervisor)
    _interactions(staff, 40)
    sample = services.sample_draw(plan=plan, kind="interactions", size=30, seed=2, by=supervisor)
    for index in range(12):
        _finding(supervisor, plan=plan, title=f"Finding {index}")
    client.force_login(supervisor)
    for url in (
        reverse("supervision:home"),
        reverse("supervision:plan_list"),
        plan.get_absolute_url(),
        sample.get_absolute_url(),
        reverse("supervision:finding_list"),
        reverse("supervision:visit_list"),
    ):
        with django_assert_max_num_queries(15):
            assert client.get(url).status_code == 200, url


def test_a_finding_with_an_unknown_clause_is_refused_by_the_service_and_nothing_is_written(supervisor):
    with pytest.raises(ValidationError) as refused:
        _finding(supervisor, clause="P9.9")
    assert refused.value.message_dict == {"clause": ["Choose the policy clause the finding is about."]}
    assert not Finding.objects.exists()


def test_a_sample_with_no_record_in_scope_says_so_and_nothing_is_written(client, supervisor, plan):
    client.force_login(supervisor)
    response = client.post(reverse("supervision:sample_create", args=[plan.pk]), {"kind": "gifts", "size": 1})
    assert "No records of this kind in the plan&#x27;s scope and period." in response.content.decode()
    assert not Sample.objects.exists()
    plan.refresh_from_db()
    assert plan.status == InspectionPlan.Status.PLANNED
