"""A database of the previous release upgrades to this one with `migrate` (README "Upgrading").

PREVIOUS_RELEASE is the newest migration of every app as last released: main at d673044,
the last landed stop. Each hop is tested when it ships; a database several releases old
takes them in turn, as `migrate` does. When the test database was built by the migrations (PostgreSQL, CI), the
test takes a copy of it (tests/database_copy.py) and moves it back to PREVIOUS_RELEASE, which
also proves every migration since then can be reversed (the way back from a failed upgrade).
When it was built from the models (SQLite, `make test`: tests/conftest.py), the test starts
from an empty database migrated forward to PREVIOUS_RELEASE (kept as a dump, see
tests/fresh_migrator.py). Either way it writes rows there with the
models as they were, migrates forward to the newest migrations as `manage.py migrate` would,
and finds every row again, every table with as many rows as before, and every model of this
release readable. Then it holds the rows the data migrations made (roles and their
permissions, departments, templates, targets …) against the test database's: the suite
runs on what `migrate` makes.

At each release, set PREVIOUS_RELEASE to the newest migrations then:
    .venv/bin/python manage.py showmigrations --plan | tail
or, per app, the last `[X]` line of `manage.py showmigrations`.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps as current_apps
from django.contrib.auth.models import Group
from django.db import connection as test_connection
from django.db import models
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from tests.database_copy import DatabaseCopy
from tests.fresh_migrator import migrate_from_empty, migrate_to

PREVIOUS_RELEASE = [
    ("admin", "0003_logentry_add_action_flag_choices"),
    ("auth", "0012_alter_user_first_name_max_length"),
    ("axes", "0010_accessattemptexpiration"),
    ("contenttypes", "0002_remove_content_type_name"),
    ("sessions", "0001_initial"),
    ("crm", "0016_api_tokens"),
    ("partners", "0012_search_trigram_indexes"),
    ("suppliers", "0003_upload_names"),
    ("customers", "0004_number_bounds"),
    ("cases", "0008_case_about_case_survey_sent"),
    ("partnerships", "0001_initial"),
    ("associations", "0004_delete_associationproject"),
    ("agreements", "0002_number_bounds"),
    ("projects", "0003_milestone_order_bounds"),
    ("evaluations", "0007_scorecard_texts_zh"),
    ("surveys", "0009_template_name_zh"),
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


# Rows the data migrations make. Not: the rows this test writes, what Django makes (content
# types and permissions, compared through the roles' grants), and history, which the suite's
# own seeding writes where the migrations' historical models cannot.
NOT_REFERENCE = {"auth.user", "partners.partner", "partners.contact", "crm.heartbeat", "crm.profile"}


def _reference_rows(alias: str) -> dict[str, list[tuple]]:
    """Per model with rows: each row's own values (no keys, no timestamps), sorted."""
    found = {}
    for model in current_apps.get_models():
        label = model._meta.label_lower
        if label in NOT_REFERENCE or model._meta.app_label in ("auth", "contenttypes", "admin", "sessions", "axes"):
            continue
        if label.split(".")[1].startswith("historical"):
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if not f.primary_key and not f.is_relation and not isinstance(f, models.DateTimeField)
        ]
        rows = sorted(map(repr, model._base_manager.using(alias).values_list(*fields)))
        if rows:
            found[label] = rows
    return found


def _grants(alias: str) -> dict[str, list[tuple[str, str]]]:
    """Each role's permissions on the models of this release (a model moved away leaves its
    old permission behind in a migrated database, on no model: stale, and harmless)."""
    models_now = {(m._meta.app_label, m._meta.model_name) for m in current_apps.get_models()}
    return {
        group.name: sorted(
            (app_label, codename)
            for app_label, model, codename in group.permissions.using(alias).values_list(
                "content_type__app_label", "content_type__model", "codename"
            )
            if (app_label, model) in models_now
        )
        for group in Group.objects.using(alias).order_by("name")
    }


def test_a_database_of_the_previous_release_migrates_to_this_one(db, tmp_path, settings):
    settings.MIGRATION_MODULES = {}  # the migrations, whichever way the test database was built
    # The data migrations' own reads and writes (Model.objects, no alias) go to the copy.
    settings.DATABASE_ROUTERS = ["tests.database_copy.ToDatabaseCopy"]
    migrated = MigrationRecorder(test_connection).has_table()
    database = DatabaseCopy(tmp_path, empty=not migrated)
    try:
        connection = database.connect()
        executor = MigrationExecutor(connection)
        assert set(PREVIOUS_RELEASE) <= set(executor.loader.graph.nodes), "a migration was renamed or removed"
        if migrated:
            migrate_to(connection, PREVIOUS_RELEASE)  # back from this release
        else:
            migrate_from_empty(connection, PREVIOUS_RELEASE)  # a database the previous release made
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
        # Empty right after a release: the test then proves the released schema serves this code.
        assert not any(backwards for _migration, backwards in upgrade)
        migrate_to(connection, newest)
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
        # The suite's database holds what `migrate` makes: the same reference rows and grants.
        assert _reference_rows(alias) == _reference_rows("default")
        assert _grants(alias) == _grants("default")
    finally:
        database.disconnect()
        if database.vendor != "sqlite":
            database.drop()
