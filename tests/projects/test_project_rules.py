"""The rules of projects (P4.3.3, P4.4.2), decided by the services whatever page or script
writes: end before start, progress bounds, the partners' family, milestones done once, and
who may edit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partners.projects import services
from partners.projects.models import Milestone, Project
from partners.projects.selectors import milestones_due_for_user
from tests.factories import InteractionFactory, PartnerFactory


@pytest.fixture
def ally(staff):
    return PartnerFactory(name="Bright Labs", family="partner", owner=staff)


def _data(manager, **overrides) -> dict:
    return {
        "title": "Joint R&D",
        "kind": "joint",
        "owner": manager,
        "goal": "A prototype",
        "status": "active",
        "starts_on": timezone.localdate(),
        "progress": 10,
    } | overrides


@pytest.fixture
def project(manager, staff, ally):
    return services.project_create(data=_data(manager), partners=[ally], team=[staff], by=manager)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_on": dt.date(2020, 1, 1), "starts_on": dt.date(2021, 1, 1)}, "ends_on"),
        ({"progress": 101}, "progress"),
        ({"progress": -1}, "progress"),
        ({"kind": "public_welfare"}, "partners"),
    ],
)
def test_the_service_refuses_bad_projects_on_the_field(manager, ally, overrides, field):
    with pytest.raises(ValidationError) as exc:
        services.project_create(data=_data(manager, **overrides), partners=[ally], by=manager)
    assert field in exc.value.error_dict
    assert not Project.objects.exists()


def test_the_database_bounds_progress_and_dates(project):
    for values in ({"progress": 150}, {"ends_on": project.starts_on - dt.timedelta(days=1)}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Project.objects.filter(pk=project.pk).update(**values)


def test_an_association_runs_cooperative_projects(manager, staff):
    association = PartnerFactory(family="association", owner=staff)
    project = services.project_create(data=_data(manager, kind="cooperative"), partners=[association], by=manager)
    assert project.department_id == association.department_id


def test_the_departments_staff_edit_others_may_not(project, staff, staff_sales, manager_sales):
    services.project_update(pk=project.pk, changed={"progress": 60}, by=staff)
    assert Project.objects.get().progress == 60
    for outsider in (staff_sales, manager_sales):
        with pytest.raises(PermissionDenied):
            services.project_update(pk=project.pk, changed={"progress": 90}, by=outsider)
    assert Project.objects.get().progress == 60


def test_marking_a_milestone_done_records_who_and_when_once(project, staff, manager):
    milestone = services.milestone_add(
        project=project, data={"title": "Kick-off", "due_on": timezone.localdate()}, by=manager
    )
    services.milestone_mark_done(milestone=milestone, by=staff)
    milestone.refresh_from_db()
    assert milestone.done_on == timezone.localdate() and milestone.done_by == staff
    assert milestone.history.latest().history_user == staff
    with pytest.raises(ValidationError, match="done already"):
        services.milestone_mark_done(milestone=milestone, by=manager)
    assert Milestone.objects.get().done_by == staff


def test_only_the_partners_interactions_are_linked(project, manager, ally):
    mine = InteractionFactory(partner=ally)
    theirs = InteractionFactory(partner=PartnerFactory(family="partner"))
    with pytest.raises(ValidationError):
        services.project_link_interactions(project=project, interactions=[mine, theirs], by=manager)
    services.project_link_interactions(project=project, interactions=[mine], by=manager)
    assert list(project.interactions.all()) == [mine]


def test_the_dashboard_lists_the_teams_milestones_due_and_overdue(
    project, staff, manager_sales, django_assert_num_queries
):
    today = timezone.localdate()
    for title, days in (("Late", -3), ("Soon", 5), ("Later", 40)):
        services.milestone_add(
            project=project, data={"title": title, "due_on": today + dt.timedelta(days=days)}, by=staff
        )
    with django_assert_num_queries(1):
        due = milestones_due_for_user(user=staff)
    assert [(m.title, m.is_overdue) for m in due["milestones"]] == [("Late", True), ("Soon", False)]
    assert milestones_due_for_user(user=manager_sales)["milestones"] == []
