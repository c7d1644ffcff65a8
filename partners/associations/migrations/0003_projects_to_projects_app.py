"""Every association project becomes a ``projects.Project`` (P4.4.2): one project model.

The association is its one partner and gives it its department; kind, title, goal, dates and
team are copied, the status mapped ("done" is "completed"), and the free-text "milestones and
progress notes" land in ``progress_notes``. A project needs a start date: one without takes
the day it was recorded. Its owner is the first of its team, else a manager (or superuser) of
the association's department, else any superuser, else the association's owner. Each copy
gets a "created" history entry dated when the association project was recorded.

Going back leaves the copies where they are (the old model comes back empty in 0004's reverse).
"""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

STATUS = {"planned": "planned", "active": "active", "done": "completed", "cancelled": "cancelled"}
REASON = "Copied from the association's former project record"


def _owner(apps, old, team):
    if team:
        return team[0]
    User = apps.get_model("auth", "User")
    department_id = old.association.department_id
    users = User.objects.filter(is_active=True).order_by("pk")
    return (
        users.filter(profile__department_id=department_id)
        .filter(Q(groups__name="Manager") | Q(is_superuser=True))
        .first()
        or users.filter(is_superuser=True).first()
        or old.association.owner
    )


def copy_projects(apps, schema_editor):
    Old = apps.get_model("associations", "AssociationProject")
    Project = apps.get_model("projects", "Project")
    History = apps.get_model("projects", "HistoricalProject")
    for old in Old.objects.select_related("association").order_by("pk"):
        team = list(old.team.order_by("pk"))
        project = Project.objects.create(
            title=old.title,
            kind=old.kind,
            department_id=old.association.department_id,
            owner=_owner(apps, old, team),
            goal=old.goal,
            status=STATUS.get(old.status, "planned"),
            starts_on=old.starts_on or timezone.localdate(old.created_at),
            ends_on=old.ends_on,
            progress=100 if old.status == "done" else 0,
            progress_notes=old.progress,
        )
        project.partners.set([old.association_id])
        project.team.set(team)
        Project.objects.filter(pk=project.pk).update(created_at=old.created_at, updated_at=old.updated_at)
        project.refresh_from_db()
        values = {
            f.attname: getattr(project, f.attname) for f in Project._meta.concrete_fields if f.attname != "updated_at"
        }
        History.objects.create(
            **values,
            history_date=old.created_at,
            history_type="+",
            history_change_reason=REASON,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("associations", "0002_memberships_from_registry"),
        ("projects", "0002_progress_notes"),
    ]

    operations = [
        migrations.RunPython(copy_projects, migrations.RunPython.noop),
    ]
