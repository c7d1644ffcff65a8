"""Association projects become ``projects.Project`` rows with nothing lost (P4.4.2).

The associations app's projects are written where they were (associations 0002, projects
0002), then migration 0003 copies them: the same projects after, with the association as
their partner, its department, the mapped kind and status, the dates, the team, an owner,
and the free-text notes in ``progress_notes``.
"""

from __future__ import annotations

import datetime as dt

import pytest

BEFORE = [("associations", "0002_memberships_from_registry"), ("projects", "0002_progress_notes")]
AFTER = [("associations", "0003_projects_to_projects_app")]
RECORDED = dt.datetime(2025, 4, 2, 9, 0, tzinfo=dt.UTC)


def _seed(apps) -> None:
    User = apps.get_model("auth", "User")
    Group = apps.get_model("auth", "Group")
    Department = apps.get_model("crm", "Department")
    Profile = apps.get_model("crm", "Profile")
    Partner = apps.get_model("partners", "Partner")
    Old = apps.get_model("associations", "AssociationProject")

    procurement = Department.objects.get(code="procurement")
    keeper = User.objects.create(username="keeper")
    manager = User.objects.create(username="boss")
    Profile.objects.update_or_create(user=manager, defaults={"department": procurement})
    manager.groups.add(Group.objects.get(name="Manager"))
    first, second = User.objects.create(username="ann"), User.objects.create(username="bob")
    association = Partner.objects.create(
        name="Old Association", family="association", kind="company", owner=keeper, department=procurement
    )
    staffed = Old.objects.create(
        association=association,
        kind="public_welfare",
        title="Science kits",
        goal="Ten schools",
        status="done",
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 6, 30),
        progress="Five schools equipped.\nNext: the north.",
    )
    staffed.team.set([second, first])
    undated = Old.objects.create(
        association=association, kind="cooperative", title="Joint study", goal="A report", status="active"
    )
    Old.objects.filter(pk=undated.pk).update(created_at=RECORDED)


@pytest.mark.django_db
def test_projects_of_associations_move_to_the_projects_app_with_nothing_lost(migrator):
    old = migrator.apply_initial_migration(BEFORE)
    _seed(old.apps)
    assert old.apps.get_model("projects", "Project").objects.count() == 0

    new = migrator.apply_tested_migration(AFTER).apps
    Project = new.get_model("projects", "Project")
    User = new.get_model("auth", "User")
    rows = {p.title: p for p in Project.objects.all()}
    assert set(rows) == {"Science kits", "Joint study"}  # two before, the same two after

    kits, study = rows["Science kits"], rows["Joint study"]
    association = new.get_model("partners", "Partner").objects.get(name="Old Association")
    for project in (kits, study):
        assert list(project.partners.all()) == [association]
        assert project.department_id == association.department_id
    assert (kits.kind, kits.goal, kits.status, kits.progress) == ("public_welfare", "Ten schools", "completed", 100)
    assert (kits.starts_on, kits.ends_on) == (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    assert kits.progress_notes == "Five schools equipped.\nNext: the north."
    assert {u.username for u in kits.team.all()} == {"ann", "bob"}
    assert kits.owner == User.objects.get(username="ann")  # the first of the team
    # No team: a manager of the association's department owns it; no start: the day recorded.
    assert (study.kind, study.status, study.ends_on) == ("cooperative", "active", None)
    assert study.owner == User.objects.get(username="boss")
    assert study.starts_on == dt.date(2025, 4, 2) and study.created_at == RECORDED
    # Each copy starts its history.
    History = new.get_model("projects", "HistoricalProject")
    assert sorted(History.objects.values_list("title", "history_type")) == [("Joint study", "+"), ("Science kits", "+")]
