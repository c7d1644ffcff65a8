"""The care calendar's birthdays and company anniversaries by month and day (issue #15 §2).

The calendar asks for the contacts and customers whose date falls, any year, within the next
days: ``EXTRACT(MONTH) * 100 + EXTRACT(DAY)`` between two numbers (``_month_day_window``). No
index served it, and PostgreSQL computed it for every contact (97 ms at 1,000,000 interactions,
180,000 contacts) and every customer (47 ms). These indexes on that very expression find
them directly. They cover every row, not only those the calendar can list: PostgreSQL keeps
statistics of an index's expression, and estimates a window from them, only for an index
without a WHERE clause; with a partial index it guessed a third of the contacts per bound and
scanned them all. PostgreSQL only: on SQLite the expression calls a function of Django's
connection, which an index cannot name.

``care_partner_idx`` lists the key and important customers (``care_partners``), whose contacts'
birthdays the calendar shows: read from it alone rather than from the 35,000 customers' rows
(18 ms at 100,000 partners).
"""

from django.db import migrations

INDEXES = {
    "contact_birthday_md_idx": ("partners_contact", "birthday"),
    "partner_customer_since_md_idx": ("partners_partner", "customer_since"),
}


CARE_PARTNERS = (
    "CREATE INDEX IF NOT EXISTS care_partner_idx ON partners_partner (id, status) "
    "WHERE family = 'customer' AND tier IN (1, 2) AND archived_at IS NULL"
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CARE_PARTNERS)
    for name, (table, column) in INDEXES.items():
        # The expression exactly as Django writes the calendar's filter (ExtractMonth * 100 +
        # ExtractDay): PostgreSQL uses an expression index only for the same expression.
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f'(((EXTRACT(MONTH FROM "{column}") * 100) + EXTRACT(DAY FROM "{column}")))'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in [*INDEXES, "care_partner_idx"]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0004_number_bounds"), ("partners", "0014_search_gram_indexes")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
