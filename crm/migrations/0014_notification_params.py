"""Notifications store their kind's parameters (issue 12, item 7).

Rows made before keep ``params`` null and show the text they stored, in the language of the
day (crm.notification_kinds.notification_text). The kernel's own kinds, the corrective
actions' notices, get their parameters back from the action they are about, so they read in
the reader's language from now on; other apps' rows keep their stored text (the kernel's
migrations do not read other apps' tables).
"""

import datetime as dt

from django.db import migrations, models

ACTION_KINDS = (
    "corrective_action_raised",
    "corrective_action_due_soon",
    "corrective_action_overdue",
    "corrective_action_escalated",
    "corrective_action_verified",
    "corrective_action_refused",
)
ACTION_REF = "crm.correctiveaction:"


def _date(period: str, fallback: dt.date) -> str:
    """The notice's date: its period where that is one (the due date it was about)."""
    try:
        return dt.date.fromisoformat(period).isoformat()
    except ValueError:
        return fallback.isoformat()


def action_params(apps, schema_editor):
    Notification = apps.get_model("crm", "Notification")
    CorrectiveAction = apps.get_model("crm", "CorrectiveAction")
    rows = Notification.objects.filter(
        kind__in=ACTION_KINDS, object_ref__startswith=ACTION_REF, params__isnull=True
    ).only("pk", "object_ref", "period")
    ids = {row.object_ref.removeprefix(ACTION_REF) for row in rows}
    actions = {
        str(pk): (description, due_on)
        for pk, description, due_on in CorrectiveAction.objects.filter(
            pk__in=[i for i in ids if i.isdigit()]
        ).values_list("pk", "description", "due_on")
    }
    for row in rows.iterator(chunk_size=500):
        found = actions.get(row.object_ref.removeprefix(ACTION_REF))
        if found is None:  # the action is gone: the stored text stays
            continue
        description, due_on = found
        row.params = {"action": description[:120], "date": _date(row.period, due_on)}
        row.save(update_fields=["params"])


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0013_department_name_zh"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="params",
            field=models.JSONField(blank=True, null=True, verbose_name="parameters"),
        ),
        migrations.RunPython(action_params, migrations.RunPython.noop, elidable=True),
    ]
