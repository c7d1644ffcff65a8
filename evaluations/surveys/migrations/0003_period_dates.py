"""Periods become date ranges (issue #11 §4), step 1 of 3: the new columns, empty.

0004 reads every free-text ``period`` into them, 0005 makes them required and drops the
text. Three migrations, so PostgreSQL never alters a table with pending row updates.
"""

from django.db import migrations, models

PERIOD_KINDS = [("month", "Month"), ("quarter", "Quarter"), ("year", "Year")]
MODELS = ["survey", "surveyinvitation", "surveyresponse"]


def _fields(model_name):
    return [
        migrations.AddField(
            model_name=model_name,
            name="period_kind",
            field=models.CharField(
                choices=PERIOD_KINDS, default="", max_length=10, verbose_name="period kind"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name=model_name,
            name="period_start",
            field=models.DateField(null=True, verbose_name="period start"),
        ),
        migrations.AddField(
            model_name=model_name,
            name="period_end",
            field=models.DateField(null=True, verbose_name="period end"),
        ),
        migrations.AddField(
            model_name=model_name,
            name="period_note",
            field=models.CharField(
                blank=True,
                default="",
                help_text="The period as typed before periods were dates, when it could not be read.",
                max_length=20,
                verbose_name="period as first entered",
            ),
            preserve_default=False,
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [("surveys", "0002_take_over_tables")]

    operations = [op for model_name in MODELS for op in _fields(model_name)]
