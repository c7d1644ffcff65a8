"""Indexes for search terms of one or two characters (issue #15 §1), on PostgreSQL only.

A trigram index (0012) serves ``icontains`` for terms of three characters or more; a shorter
term has no trigram, and PostgreSQL scanned the table, though most Chinese words are two
characters (精密). ``rapport_grams(text)`` is the set of the one- and two-character substrings
of ``UPPER(text)``; a GIN index on it, per searched column, finds the rows that hold a short
term's ``UPPER``, and ``crm.search.contains`` adds that condition to the ``icontains`` (which
still decides, so the rows found are the same). See ``crm/search.py``.

The function is IMMUTABLE, as an index expression must be, to the same degree ``upper()`` is
(PostgreSQL declares it so): it depends on the column's collation, here the database's
C.UTF-8 (libc), whose case mapping changes only with the C library; after such an upgrade,
REINDEX these indexes as the trigram ones. Its body uses only built-in functions (pg_catalog),
so it needs no search_path. ``fastupdate = off`` as the trigram indexes (0012). On SQLite this
migration does nothing; the search is ``icontains`` there.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION rapport_grams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(DISTINCT gram), '{}')
    FROM (SELECT upper($1) AS u) AS s,
        LATERAL generate_series(1, length(s.u)) AS i,
        LATERAL (VALUES (substr(s.u, i, 1)), (substr(s.u, i, 2))) AS grams (gram)
$$
"""

INDEXES = [
    ("partners_partner_name_grams", "partners_partner", "name"),
    ("partners_contact_name_grams", "partners_contact", "name"),
    ("partners_tag_name_grams", "partners_tag", "name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    # The expression is the one crm.search.contains queries.
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
    schema_editor.execute("DROP FUNCTION IF EXISTS rapport_grams(text)")


class Migration(migrations.Migration):
    dependencies = [("partners", "0013_list_sort_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
