"""The scorecards' corrective actions become kernel corrective actions (crm.CorrectiveAction).

docs/architecture.md, "One corrective-action concept": every row is copied with its id, text,
owner, due date, times and its whole history; its source is the scorecard's corrective action
plan and it is addressed to the evaluated partner's department. The old states map to the new:

- open → open;
- done (the owner marked it done; nobody verified it, verification did not exist) →
  awaiting verification, answered by whoever marked it done (the history says who and when),
  so the supervision group verifies it like any other;
- cancelled → cancelled.

The next migration drops the old model. Backwards, the rows go back (awaiting verification
and verified → done).
"""

from __future__ import annotations

from django.core.management.color import no_style
from django.db import migrations

STATE = {"open": "open", "done": "responded", "cancelled": "cancelled"}
STATUS_BACK = {"open": "open", "responded": "done", "verified": "done", "cancelled": "cancelled"}


def _plan_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="evaluations", model="correctiveactionplan")[0]


def _reset_sequences(apps, schema_editor, *labels):
    models = [apps.get_model(label) for label in labels]
    statements = schema_editor.connection.ops.sequence_reset_sql(no_style(), models)
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def forwards(apps, schema_editor):
    Old = apps.get_model("evaluations", "CorrectiveAction")
    OldHistory = apps.get_model("evaluations", "HistoricalCorrectiveAction")
    New = apps.get_model("crm", "CorrectiveAction")
    NewHistory = apps.get_model("crm", "HistoricalCorrectiveAction")
    plan_type = _plan_type(apps)

    rows = list(Old.objects.select_related("plan__evaluation__partner").order_by("pk"))
    plans = {}
    for old in rows:
        plan = old.plan
        plans[plan.pk] = (plan.evaluation.partner.department_id, plan.created_by_id)
    # Who marked each action done, and when: the first history row in its last "done" stretch.
    done_by: dict[int, tuple] = {}
    for h in OldHistory.objects.order_by("id", "history_date", "history_id"):
        if h.status == "done":
            done_by.setdefault(h.id, (h.history_user_id, h.history_date))
        else:
            done_by.pop(h.id, None)

    created = []
    for old in rows:
        department_id, raised_by_id = plans[old.plan_id]
        state = STATE.get(old.status, "open")
        responder, responded_at = done_by.get(old.pk, (None, None))
        new = New(
            id=old.pk,
            source_type_id=plan_type.pk,
            source_id=old.plan_id,
            description=old.description,
            department_id=department_id,
            owner_id=old.owner_id,
            due_on=old.due_on,
            state=state,
            raised_by_id=raised_by_id,
            created_at=old.created_at,
            updated_at=old.updated_at,
        )
        if state == "responded":
            new.responded_by_id = responder or old.owner_id
            new.responded_at = responded_at or old.updated_at
        created.append(new)
    New.objects.bulk_create(created, batch_size=500)
    # auto_now / auto_now_add stamped "now" (on the instances too): put the old times back.
    for old in rows:
        New.objects.filter(pk=old.pk).update(created_at=old.created_at, updated_at=old.updated_at)

    history = []
    for h in OldHistory.objects.order_by("history_id").iterator():
        department_id, raised_by_id = plans.get(h.plan_id, (None, None))
        if department_id is None:  # history of an action deleted long ago: keep it, plan's dept unknown
            plan = apps.get_model("evaluations", "CorrectiveActionPlan").objects.filter(pk=h.plan_id).first()
            department_id = plan.evaluation.partner.department_id if plan else None
            raised_by_id = plan.created_by_id if plan else None
        state = STATE.get(h.status, "open")
        responder, responded_at = (None, None)
        if state == "responded":
            responder, responded_at = (h.history_user_id or h.owner_id, h.history_date)
        history.append(
            NewHistory(
                id=h.id,
                source_type_id=plan_type.pk,
                source_id=h.plan_id or 0,
                description=h.description,
                department_id=department_id,
                owner_id=h.owner_id,
                due_on=h.due_on,
                state=state,
                raised_by_id=raised_by_id,
                responded_by_id=responder,
                responded_at=responded_at,
                created_at=h.created_at,
                history_date=h.history_date,
                history_change_reason=h.history_change_reason,
                history_type=h.history_type,
                history_user_id=h.history_user_id,
            )
        )
    NewHistory.objects.bulk_create(history, batch_size=500)
    _reset_sequences(apps, schema_editor, "crm.CorrectiveAction")


def backwards(apps, schema_editor):
    Old = apps.get_model("evaluations", "CorrectiveAction")
    New = apps.get_model("crm", "CorrectiveAction")
    plan_type = _plan_type(apps)
    rows = New.objects.filter(source_type=plan_type).order_by("pk")
    Old.objects.bulk_create(
        [
            Old(
                id=row.pk,
                plan_id=row.source_id,
                description=row.description[:300],
                owner_id=row.owner_id,
                due_on=row.due_on,
                status=STATUS_BACK[row.state],
            )
            for row in rows
        ]
    )
    rows.delete()
    _reset_sequences(apps, schema_editor, "evaluations.CorrectiveAction")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("crm", "0010_corrective_actions"),
        ("evaluations", "0002_default_templates"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
