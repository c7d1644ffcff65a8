"""The scorecard ranking's order, best score first and unrated suppliers last (issue #15).

``partner_score_rank_idx`` (template, overall_score DESC) has that order on SQLite, which sorts
NULLs first ascending and so last descending. On PostgreSQL DESC puts NULLs first, the index
did not match ``ORDER BY overall_score DESC NULLS LAST``, and the overview sorted every score of
the template (96 ms at 100,000 partners): this index, PostgreSQL only (SQLite takes no NULLS
LAST in an index), reads the first fifty in order (1.8 ms).
"""

from django.db import migrations

RANK_NULLS_LAST = "partner_score_rank_nulls_last_idx"


def create_rank_nulls_last(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {RANK_NULLS_LAST} "
            "ON evaluations_partnerscore (template_id, overall_score DESC NULLS LAST)"
        )


def drop_rank_nulls_last(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {RANK_NULLS_LAST}")


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0008_overview_indexes")]

    operations = [migrations.RunPython(create_rank_nulls_last, drop_rank_nulls_last, elidable=False)]
