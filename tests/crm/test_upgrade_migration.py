"""A database of the previous release upgrades to this one with `migrate` (README "Upgrading").

PREVIOUS_RELEASE is the newest migration of every app as last released: main at 890fd1d,
before issue #14. The test takes a copy of the test database (tests/database_copy.py),
moves it back to PREVIOUS_RELEASE (which also proves every migration since then can be
reversed, the way back from a failed upgrade), writes rows there with the models as they
were, migrates forward to the newest migrations as `manage.py migrate` would, and finds
every row again, every table with as many rows as before, and every model of this release
readable. Run on SQLite by `make test` and on PostgreSQL by CI.

Moving forward from an empty database instead, as tests/crm/test_layout_migration.py does,
costs some 40 s here; the way back costs only the migrations since the release.

At each release, set PREVIOUS_RELEASE to the newest migrations then:
    .venv/bin/python manage.py showmigrations --plan | tail
or, per app, the last `[X]` line of `manage.py showmigrations`.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps as current_apps
from django.db.migrations.executor import MigrationExecutor

from tests.database_copy import DatabaseCopy

PREVIOUS_RELEASE = [
    ("admin", "0003_logentry_add_action_flag_choices"),
    ("auth", "0012_alter_user_first_name_max_length"),
    ("axes", "0010_accessattemptexpiration"),
    ("contenttypes", "0002_remove_content_type_name"),
    ("sessions", "0001_initial"),
    ("crm", "0014_notification_params"),
    ("partners", "0008_number_bounds"),
    ("suppliers", "0003_upload_names"),
    ("customers", "0004_number_bounds"),
    ("cases", "0008_case_about_case_survey_sent"),
    ("evaluations", "0007_scorecard_texts_zh"),
    ("surveys", "0008_survey_title_zh"),
    ("supervision", "0011_report_spreadsheet_zh"),
]
AT = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def _seed(apps, alias: str) -> dict:
    """Rows written with the models of the previous release."""
    User = apps.get_model("auth", "User")
    Department = apps.get_model("crm", "Department")
    Partner = apps.get_model("partners", "Partner")
    Heartbeat = apps.get_model("crm", "Heartbeat")

    user = User.objects.using(alias).create(username="upgrader")
    partner = Partner.objects.using(alias).create(
        name="Before the upgrade",
        family="supplier",
        kind="manufacturer",
        owner=user,
        department=Department.objects.using(alias).get(code="procurement"),
    )
    apps.get_model("partners", "Contact").objects.using(alias).create(partner=partner, name="Li Lei")
    Heartbeat.objects.using(alias).create(kind="worker", at=AT)
    Heartbeat.objects.using(alias).create(kind="beat_start", at=AT)
    return {"user": user.pk, "partner": partner.pk}


def test_a_database_of_the_previous_release_migrates_to_this_one(db, tmp_path):
    database = DatabaseCopy(tmp_path)
    try:
        connection = database.connect()
        executor = MigrationExecutor(connection)
        assert set(PREVIOUS_RELEASE) <= set(executor.loader.graph.nodes), "a migration was renamed or removed"
        executor.migrate(PREVIOUS_RELEASE)
        # The models as they were: the state at those migrations. What ``migrate`` returns
        # after moving back still held partners.0009's new column (issue #14).
        old = executor.loader.project_state(PREVIOUS_RELEASE)
        ids = _seed(old.apps, connection.alias)
        database.disconnect()
        rows_before = database.row_counts()

        connection = database.connect()
        executor = MigrationExecutor(connection)
        newest = executor.loader.graph.leaf_nodes()
        upgrade = executor.migration_plan(newest)
        assert upgrade and not any(backwards for _migration, backwards in upgrade)
        executor.migrate(newest)
        assert MigrationExecutor(connection).migration_plan(newest) == []
        database.disconnect()

        rows_after = database.row_counts()
        assert rows_after.pop("django_migrations") == rows_before.pop("django_migrations") + len(upgrade)
        assert {table: rows_after.get(table) for table in rows_before} == rows_before

        alias = database.connect().alias
        Partner = current_apps.get_model("partners", "Partner")
        partner = Partner.objects.using(alias).select_related("owner", "department").get(pk=ids["partner"])
        assert (partner.name, partner.owner.username, partner.department.code) == (
            "Before the upgrade",
            "upgrader",
            "procurement",
        )
        assert partner.contacts.using(alias).get().name == "Li Lei"
        Heartbeat = current_apps.get_model("crm", "Heartbeat")
        assert {row.kind: row.at for row in Heartbeat.objects.using(alias)} == {"worker": AT, "beat_start": AT}
        # Every model of this release finds its table and every column it expects.
        for model in current_apps.get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                list(model._base_manager.using(alias).all()[:1])
    finally:
        database.disconnect()
        if database.vendor != "sqlite":
            database.drop()
