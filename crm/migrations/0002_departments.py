"""Default departments (configuration data; admins add more in /admin/)."""

from django.db import migrations

DEPARTMENTS = [
    ("procurement", "Procurement"),
    ("sales", "Sales"),
    ("customer-service", "Customer Service"),
    ("marketing", "Marketing"),
    ("quality", "Quality"),
    ("finance", "Finance"),
    ("rnd", "R&D"),
    ("general-office", "General Office"),
]


def create(apps, schema_editor):
    Department = apps.get_model("crm", "Department")
    for code, name in DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
