"""Surveys moved here from the supervision app: rename their tables, take their content types."""

from django.db import migrations

from crm.model_moves import move_content_types, rename_tables

MODELS = ["surveytemplate", "question", "survey", "surveyinvitation", "surveyresponse", "answer"]


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0001_initial"),
        ("supervision", "0007_move_cases_and_surveys_out"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [*rename_tables(MODELS), move_content_types("supervision", "surveys", MODELS)]
