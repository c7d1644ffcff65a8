"""Indexes for search terms of one or two characters on the case list (issue #15 §1), on
PostgreSQL only, as partners 0014 (which creates ``rapport_grams``): one per column that has a
trigram index of cases 0010. On SQLite this migration does nothing.
"""

from django.db import migrations

INDEXES = [
    ("cases_case_reference_grams", "cases_case", "reference"),
    ("cases_case_subject_grams", "cases_case", "subject"),
    ("cases_case_submitter_name_grams", "cases_case", "submitter_name"),
    ("cases_case_submitter_company_grams", "cases_case", "submitter_company"),
    ("cases_casenote_body_grams", "cases_casenote", "body"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((rapport_grams(({column})::text)))"
            " WITH (fastupdate = off)"
        )
        schema_editor.execute(f"ANALYZE {table}")  # the statistics of the new expression


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_search_trigram_indexes"), ("partners", "0014_search_gram_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
