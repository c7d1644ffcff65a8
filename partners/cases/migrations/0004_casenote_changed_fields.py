"""An edited case note keeps the names of the fields it changed as a JSON list, not joined with
"," in its text: existing notes are split into the list and their text cleared."""

from django.db import migrations, models

EDITED = "edited"


def split_body(apps, schema_editor):
    CaseNote = apps.get_model("cases", "CaseNote")
    for note in CaseNote.objects.filter(kind=EDITED).only("pk", "body").iterator():
        note.changed_fields = [name.strip() for name in note.body.split(",") if name.strip()]
        note.body = ""
        note.save(update_fields=["changed_fields", "body"])


def join_body(apps, schema_editor):
    CaseNote = apps.get_model("cases", "CaseNote")
    for note in CaseNote.objects.filter(kind=EDITED).only("pk", "changed_fields").iterator():
        note.body = ",".join(note.changed_fields or [])
        note.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_take_over_tables"),
    ]

    operations = [
        migrations.AddField(
            model_name="casenote",
            name="changed_fields",
            field=models.JSONField(blank=True, default=list, verbose_name="changed fields"),
        ),
        migrations.RunPython(split_body, join_body),
    ]
