"""The corrective-action list's working view, counted from its index alone (issue #15 §2).

A staff member's or manager's list holds the actions they own, raised or that are addressed to
their department (``crm.selectors.corrective_actions_visible_to``). Counting them read each row
for those three columns: 8 ms for the 10,000 the list counts at most, at 100,000 partners. On
PostgreSQL the working view's index (crm 0017) carries them (INCLUDE): the count and the page are
read from the index alone, 2 ms. SQLite has no INCLUDE: its index stays as crm 0017 made it.
"""

from django.db import migrations

PLAIN = (
    "CREATE INDEX action_active_due_idx ON crm_correctiveaction (due_on, id) "
    "WHERE state IN ('open', 'responded')"
)
COVERING = (
    "CREATE INDEX action_active_due_idx ON crm_correctiveaction (due_on, id) "
    "INCLUDE (owner_id, raised_by_id, department_id) WHERE state IN ('open', 'responded')"
)


def _replace(definition: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("DROP INDEX IF EXISTS action_active_due_idx")
        schema_editor.execute(definition)

    return run


class Migration(migrations.Migration):
    dependencies = [("crm", "0017_corrective_action_active_index")]

    operations = [migrations.RunPython(_replace(COVERING), _replace(PLAIN), elidable=False)]
