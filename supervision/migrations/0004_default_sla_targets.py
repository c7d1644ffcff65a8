"""Default service-level targets (calendar hours), editable in the admin.

Suppliers get the same quick-response targets as customers (P4.1.2); associations a
little more time for resolution.
"""

from django.db import migrations

TARGETS = {
    # priority (4 urgent … 1 low): (response hours, resolution hours)
    4: (1, 8),
    3: (4, 24),
    2: (8, 72),
    1: (24, 168),
}
FAMILIES = ("supplier", "customer", "partner", "association")


def create(apps, schema_editor):
    SlaTarget = apps.get_model("supervision", "SlaTarget")
    for family in FAMILIES:
        for priority, (response, resolution) in TARGETS.items():
            if family == "association":
                resolution *= 2
            SlaTarget.objects.get_or_create(
                family=family,
                priority=priority,
                defaults={"response_hours": response, "resolution_hours": resolution},
            )


def remove(apps, schema_editor):
    apps.get_model("supervision", "SlaTarget").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0003_cases")]
    operations = [migrations.RunPython(create, remove)]
