"""Moving models between apps without touching their rows (used by migrations).

A move is three migrations: the new app creates the models in its *state* only, pointing at
the old tables; the old app deletes them from its state only; then the new app renames the
tables (``AlterModelTable``) and takes over the content types, so permissions granted to the
roles, admin log entries and history keep pointing at the same rows.
"""

from __future__ import annotations

from django.db import migrations


def move_content_types(old_app: str, new_app: str, models: list[str]) -> migrations.RunPython:
    def forwards(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        for model in models:
            old = ContentType.objects.filter(app_label=old_app, model=model).first()
            if old is None:
                continue  # a new database: post_migrate creates the new app's content types
            # A content type the new app got before this ran (a partial run) holds nothing yet.
            ContentType.objects.filter(app_label=new_app, model=model).delete()
            old.app_label = new_app
            old.save(update_fields=["app_label"])

    def backwards(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        ContentType.objects.filter(app_label=new_app, model__in=models).update(app_label=old_app)

    return migrations.RunPython(forwards, backwards)


def rename_tables(models: list[str]) -> list[migrations.AlterModelTable]:
    """The moved models' tables take the new app's default names."""
    return [migrations.AlterModelTable(name=model, table=None) for model in models]
