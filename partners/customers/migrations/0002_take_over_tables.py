"""Customer care moved here from the registry: rename its tables (with the many-to-many
tables of needs' and campaigns' tags), take its content types."""

from django.db import migrations

from crm.model_moves import move_content_types, rename_tables

MODELS = [
    "needtag",
    "need",
    "historicalneed",
    "historicalneed_tags",
    "holiday",
    "greetingtemplate",
    "greeting",
    "gift",
    "historicalgift",
    "campaign",
    "campaignrecipient",
]


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("partners", "0007_move_customer_care_out"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [*rename_tables(MODELS), move_content_types("partners", "customers", MODELS)]
