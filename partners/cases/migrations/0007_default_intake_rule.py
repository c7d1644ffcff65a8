"""The default intake rule: every public case goes to Customer Service, whose managers are
notified (issue 12 §2), so a fresh install is never silent. Admins change it in /admin/."""

from django.db import migrations


def create(apps, schema_editor):
    Department = apps.get_model("crm", "Department")
    CaseIntakeRule = apps.get_model("cases", "CaseIntakeRule")
    department = Department.objects.filter(code="customer-service").first()
    if department is not None and not CaseIntakeRule.objects.filter(family="", kind="").exists():
        CaseIntakeRule.objects.create(family="", kind="", department=department, notify="managers")


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_case_intake_rule"), ("crm", "0002_departments")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
