"""The scorecards' corrective actions migrate into the kernel's crm.CorrectiveAction with
nothing lost: each row keeps its id, text, owner, due date and times, its whole history, and
its plan as source; "done" (never verified: verification did not exist) becomes "awaiting
verification", answered by whoever marked it done. django-test-migrations migrates an empty
test database back to the release before, writes rows there, and migrates forward."""

from __future__ import annotations

import datetime as dt

import pytest

BEFORE = [("crm", "0009_form_submissions"), ("evaluations", "0002_default_templates")]
AFTER = [("evaluations", "0004_drop_old_corrective_action")]
CREATED = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
DONE_AT = dt.datetime(2026, 4, 2, 15, 30, tzinfo=dt.UTC)


def _seed(apps) -> dict:
    User = apps.get_model("auth", "User")
    Department = apps.get_model("crm", "Department")
    Partner = apps.get_model("partners", "Partner")
    owner = User.objects.create(username="owner")
    manager = User.objects.create(username="boss")
    department = Department.objects.get(code="procurement")
    supplier = Partner.objects.create(
        name="Old Supplier", family="supplier", kind="manufacturer", owner=owner, department=department
    )
    template = apps.get_model("evaluations", "ScorecardTemplate").objects.filter(family="supplier").first()
    evaluation = apps.get_model("evaluations", "Evaluation").objects.create(
        partner=supplier,
        template=template,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        due_on=dt.date(2026, 4, 15),
    )
    plan = apps.get_model("evaluations", "CorrectiveActionPlan").objects.create(
        evaluation=evaluation, re_evaluation_on=dt.date(2026, 9, 30), notes="Follow up", created_by=manager
    )
    Action = apps.get_model("evaluations", "CorrectiveAction")
    History = apps.get_model("evaluations", "HistoricalCorrectiveAction")
    rows = {}
    for status, description in (
        ("open", "Send the 8D report"),
        ("done", "Hold a quality review"),
        ("cancelled", "Re-quote"),
    ):
        action = Action.objects.create(
            plan=plan, description=description, owner=owner, due_on=dt.date(2026, 5, 31), status=status
        )
        Action.objects.filter(pk=action.pk).update(created_at=CREATED, updated_at=DONE_AT)
        common = {
            "id": action.pk,
            "plan_id": plan.pk,
            "description": description,
            "owner_id": owner.pk,
            "due_on": action.due_on,
            "created_at": CREATED,
            "history_change_reason": "",
        }
        History.objects.create(
            **common, status="open", history_date=CREATED, history_type="+", history_user_id=manager.pk
        )
        if status != "open":
            History.objects.create(
                **common, status=status, history_date=DONE_AT, history_type="~", history_user_id=owner.pk
            )
        rows[status] = action.pk
    return {"rows": rows, "plan": plan.pk, "owner": owner.pk, "manager": manager.pk, "department": department.pk}


@pytest.mark.django_db
def test_scorecard_actions_become_kernel_actions_with_nothing_lost(migrator):
    old = migrator.apply_initial_migration(BEFORE)
    before = _seed(old.apps)
    new = migrator.apply_tested_migration(AFTER).apps

    Action = new.get_model("crm", "CorrectiveAction")
    plan_type = new.get_model("contenttypes", "ContentType").objects.get(
        app_label="evaluations", model="correctiveactionplan"
    )
    rows = {a.pk: a for a in Action.objects.all()}
    assert set(rows) == set(before["rows"].values())
    expected_state = {"open": "open", "done": "responded", "cancelled": "cancelled"}
    for status, pk in before["rows"].items():
        action = rows[pk]
        assert action.state == expected_state[status]
        assert (action.source_type_id, action.source_id) == (plan_type.pk, before["plan"])
        assert action.department_id == before["department"] and action.owner_id == before["owner"]
        assert action.raised_by_id == before["manager"] and action.due_on == dt.date(2026, 5, 31)
        assert (action.created_at, action.updated_at) == (CREATED, DONE_AT)
    done = rows[before["rows"]["done"]]
    assert (done.responded_by_id, done.responded_at) == (before["owner"], DONE_AT)
    assert rows[before["rows"]["open"]].responded_at is None

    history = new.get_model("crm", "HistoricalCorrectiveAction").objects.order_by("history_date", "id")
    assert history.count() == 5
    done_history = history.filter(id=done.pk)
    assert [(h.state, h.history_user_id, h.history_type) for h in done_history] == [
        ("open", before["manager"], "+"),
        ("responded", before["owner"], "~"),
    ]
    assert {h.description for h in history} == {"Send the 8D report", "Hold a quality review", "Re-quote"}

    # New actions get new ids after the copied ones (the sequence follows the copied ids).
    created = Action.objects.create(
        source_type_id=plan_type.pk,
        source_id=before["plan"],
        description="New",
        department_id=before["department"],
        owner_id=before["owner"],
        due_on=dt.date(2026, 7, 1),
    )
    assert created.pk > max(before["rows"].values())
