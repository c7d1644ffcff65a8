"""Trigram indexes for the case list's search (issue #15), on PostgreSQL only, as partners 0012.

``case_search`` matches a case's reference, subject, submitter's name and company and its
notes anywhere in the text, in any case (``UPPER(col) LIKE UPPER('%term%')``), and the
submitter's e-mail address whole (``UPPER(col) = UPPER(term)``): a GIN trigram index on each
``UPPER`` expression serves the first (terms of three characters or more, Chinese included), a
B-tree on the upper-cased address the second. The partner's and the contact's names have
theirs from partners 0012. On SQLite this migration does nothing; the search is the same
query there, without an index.
"""

from django.db import migrations

TRIGRAM_INDEXES = [
    ("cases_case_reference_trgm", "cases_case", "reference"),
    ("cases_case_subject_trgm", "cases_case", "subject"),
    ("cases_case_submitter_name_trgm", "cases_case", "submitter_name"),
    ("cases_case_submitter_company_trgm", "cases_case", "submitter_company"),
    ("cases_casenote_body_trgm", "cases_casenote", "body"),
]
EMAIL_INDEX = "cases_case_submitter_email_upper"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER({column}::text)) gin_trgm_ops)"
            " WITH (fastupdate = off)"
        )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {EMAIL_INDEX} ON cases_case ((UPPER(submitter_email::text)))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in [*(index for index, _table, _column in TRIGRAM_INDEXES), EMAIL_INDEX]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_list_sort_indexes"), ("partners", "0012_search_trigram_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
