"""Qualification documents moved here from the registry: rename their tables, take their
content types (with the roles' permissions on them)."""

from django.db import migrations

from crm.model_moves import move_content_types, rename_tables

MODELS = ["qualificationdocument", "historicalqualificationdocument"]


class Migration(migrations.Migration):
    dependencies = [
        ("suppliers", "0001_initial"),
        ("partners", "0006_move_qualifications_out"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [*rename_tables(MODELS), move_content_types("partners", "suppliers", MODELS)]
