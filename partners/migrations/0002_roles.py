"""Roles are groups with permissions: Staff, Manager, Supervision (P5.1 supervision reads all).

Views check the role names (crm/roles.py); the permissions below make the same split
visible and usable in the admin.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["partner", "contact", "qualificationdocument", "interaction", "followup", "tag"]


def perms_for(role: str) -> set[str]:
    view = {f"view_{m}" for m in MODELS} | {"view_department"}
    if role == "Supervision":
        return view
    staff = view | {f"{a}_{m}" for a in ("add", "change") for m in MODELS if m != "tag"} | {"add_tag"}
    if role == "Staff":
        return staff
    return staff | {"change_tag", "delete_contact", "delete_qualificationdocument", "delete_followup"}


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in ("Staff", "Manager", "Supervision"):
        group, _ = Group.objects.get_or_create(name=role)
        codenames = perms_for(role)
        group.permissions.set(
            Permission.objects.filter(codename__in=codenames, content_type__app_label__in=["partners", "crm"])
        )


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_initial"),
        ("crm", "0002_departments"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
