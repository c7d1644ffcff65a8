"""Notifications made before they stored their parameters stay readable (issue 12, item 7):
a row keeps its stored text; the kernel's corrective-action notices get their parameters
back and read in the reader's language from then on."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from crm.notification_kinds import notification_text

BEFORE = [("crm", "0013_department_name_zh")]
AFTER = [("crm", "0014_notification_params")]


def test_old_notifications_stay_readable(migrator):
    old = migrator.apply_initial_migration(BEFORE)
    User = old.apps.get_model("auth", "User")
    Notification = old.apps.get_model("crm", "Notification")
    Action = old.apps.get_model("crm", "CorrectiveAction")
    ContentType = old.apps.get_model("contenttypes", "ContentType")
    Department = old.apps.get_model("crm", "Department")
    reader = User.objects.create(username="reader")
    department = Department.objects.get(code="procurement")
    action = Action.objects.create(
        source_type=ContentType.objects.get(app_label="auth", model="user"),
        source_id=reader.pk,
        description="Fix the packaging line",
        department=department,
        owner=reader,
        due_on=dt.date(2026, 5, 31),
    )
    Notification.objects.create(
        recipient=reader,
        kind="followup_overdue",
        object_ref="partners.followup:7",
        period="2025-11-20",
        title="Overdue: Send contract (Acme)",
    )
    Notification.objects.create(
        recipient=reader,
        kind="corrective_action_overdue",
        object_ref=f"crm.correctiveaction:{action.pk}",
        period="2026-05-31",
        title="Corrective action overdue since 2026-05-31: Fix the packaging line",
    )
    Notification.objects.create(
        recipient=reader,
        kind="corrective_action_due_soon",
        object_ref="crm.correctiveaction:99999",
        period="2026-05-31",
        title="Corrective action due on 2026-05-31: a deleted action",
    )

    new = migrator.apply_tested_migration(AFTER).apps
    rows = {n.kind: n for n in new.get_model("crm", "Notification").objects.all()}
    followup = rows["followup_overdue"]
    assert followup.params is None and followup.title == "Overdue: Send contract (Acme)"
    assert rows["corrective_action_due_soon"].params is None
    action_notice = rows["corrective_action_overdue"]
    assert action_notice.params == {"action": "Fix the packaging line", "date": "2026-05-31"}
    with translation.override("zh-hans"):
        # No parameters: the text stored then, whatever the reader's language.
        assert notification_text(followup) == "Overdue: Send contract (Acme)"
        assert notification_text(rows["corrective_action_due_soon"]).endswith("a deleted action")
        assert notification_text(action_notice) == "整改措施已于 2026年5月31日 逾期：Fix the packaging line"
