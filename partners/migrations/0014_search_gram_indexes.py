"""Indexes for search terms of one or two characters (issue #15 §1), on PostgreSQL only.

A trigram index (0012) serves ``icontains`` for terms of three characters or more; a shorter
term has no trigram, and PostgreSQL scanned the table, though most Chinese words are two
characters (精密). ``rapport_grams(text)`` is the array of the one- and two-character
substrings of ``UPPER(text)``; a GIN index on it, per searched column, finds the rows that hold
a short term's ``UPPER``, and ``crm.search.contains`` adds that condition to the ``icontains`` (which
still decides, so the rows found are the same). See ``crm/search.py``.

The function is IMMUTABLE, as an index expression must be, to the same degree ``upper()`` is
(PostgreSQL declares it so): it depends on the column's collation, here the database's
C.UTF-8 (libc), whose case mapping changes only with the C library; after such an upgrade,
REINDEX these indexes as the trigram ones. Its body uses only built-in functions (pg_catalog),
so it needs no search_path; PL/pgSQL is never inlined, so the index expression and the query's
are the same call. ``fastupdate = off`` as the trigram indexes (0012). On SQLite this
migration does nothing; the search is ``icontains`` there.
"""

from django.db import migrations

# PL/pgSQL over the array of characters: about 9 µs for a name and linear in the length (a
# SQL version with substr() took 80 µs, and substr() on UTF-8 walks from the start each time,
# quadratic on a long note). The array may repeat a gram: GIN keeps each key once per row.
FUNCTION = """
CREATE OR REPLACE FUNCTION rapport_grams(text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    chars text[] := string_to_array(upper($1), NULL);
    grams text[] := chars;
BEGIN
    FOR i IN 1 .. cardinality(chars) - 1 LOOP
        grams := grams || (chars[i] || chars[i + 1]);
    END LOOP;
    RETURN grams;
END
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
