"""Trigram indexes for the registry's search (issue #15), on PostgreSQL only.

The search is a case-insensitive substring match (``icontains``: ``UPPER(col) LIKE
UPPER('%term%')``), which no B-tree index serves. pg_trgm's GIN indexes on the same
expressions do, for any term of three characters or more, Chinese included; shorter terms
still match, by a scan. The indexes take each insert at once (``fastupdate = off``): names
change rarely, and a pending list, until a vacuum merges it, makes the planner price the
index above a scan of the whole table (seen here, with autovacuum off). pg_trgm ships with PostgreSQL and is a trusted extension (13+):
the database owner may create it. On SQLite this migration does nothing; the search is
the same query there, without an index.
"""

from django.db import migrations

INDEXES = [
    ("partners_partner_name_trgm", "partners_partner", "name"),
    ("partners_contact_name_trgm", "partners_contact", "name"),
    ("partners_tag_name_trgm", "partners_tag", "name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER({column}::text)) gin_trgm_ops)"
            " WITH (fastupdate = off)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("partners", "0011_number_bounds")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
