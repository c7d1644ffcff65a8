"""A migrator that tests a data migration in a database of its own (drop-in for
django-test-migrations' ``migrator`` fixture, same two methods).

django-test-migrations migrates the test database *back* to the state before the migration
and forward again after the test: Django renders the model state of every migration on the
way back, which cost 15–50 s per test here. This migrator instead creates an empty database
beside the test database (a SQLite file, or a PostgreSQL database named after the test
database), migrates it *forward* only as far as the test asks, and drops it afterwards. The
test database is never touched, so nothing has to be restored. Every read and write of the
test goes to the new database through a router, the migrations' RunPython code included.

On SQLite, the database as those migrations leave it is kept in tests/migration_states/ (a
gzipped SQL dump named after the migrations' own source): loading it takes milliseconds
where migrating took 20–60 s. Migrations that have shipped do not change; if one did, its
dump's name no longer matches and the test migrates as before. Write the dumps again with
`RAPPORT_WRITE_MIGRATION_STATES=1 .venv/bin/pytest tests/ -k migration`.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import os
import sys
import uuid
from pathlib import Path

from django.core.management.sql import emit_post_migrate_signal
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import ProjectState
from django.db.utils import load_backend
from django.test import override_settings
from django_test_migrations.logic.migrations import normalize
from django_test_migrations.signals import mute_migrate_signals

ALIAS = "migration_test"
STATES = Path(__file__).parent / "migration_states"


def _state_file(plan) -> Path:
    """The dump of the database that ``plan`` (forward from empty) makes, named by the
    migrations' names and source."""
    digest = hashlib.sha256()
    for migration, _backwards in plan:
        digest.update(f"{migration.app_label}.{migration.name}\n".encode())
        digest.update(Path(sys.modules[migration.__module__].__file__).read_bytes())
    return STATES / f"{digest.hexdigest()[:20]}.sql.gz"


def migrate_to(connection, targets) -> ProjectState:
    """``manage.py migrate`` to ``targets``, each migration from a state not yet rendered.

    Django's executor renders every model once, then each operation re-renders the models it
    touches with every model related to them: here, through the history models and the user
    model, nearly all of them, 2 s per operation that moves models between apps. Starting each
    migration unrendered, an operation renders only when its database step reads the models:
    the same migrations and the same database, in a tenth of the time. Unapplying, each
    migration starts from the state of the migrations it depends on.
    """
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(targets)
    state = executor._create_project_state(with_applied_migrations=True)
    for migration, backwards in plan:
        if backwards:
            before = executor.loader.project_state((migration.app_label, migration.name), at_end=False)
            executor.unapply_migration(before, migration)
        else:
            state = executor.apply_migration(state, migration)
            state.__dict__.pop("apps", None)  # ProjectState.apps is a cached property
    if any(backwards for _migration, backwards in plan):
        state = executor.loader.project_state(targets)
    return state


def migrate_from_empty(connection, targets, *, post_migrate: bool = True) -> ProjectState:
    """An empty database migrated to ``targets`` (then post_migrate: content types and
    permissions of the models then, as ``manage.py migrate`` leaves it); on SQLite from the
    kept dump when there is one."""
    executor = MigrationExecutor(connection)
    targets = normalize(targets)
    plan = executor.migration_plan(targets)
    dump = _state_file(plan) if connection.vendor == "sqlite" else None
    if dump is not None and dump.exists():
        connection.ensure_connection()
        # A dump lists the tables by name, their rows with them: foreign keys checked at the
        # end, as SQLite's own `.read` would.
        connection.connection.execute("PRAGMA foreign_keys = OFF")
        connection.connection.executescript(gzip.decompress(dump.read_bytes()).decode())
        connection.connection.execute("PRAGMA foreign_keys = ON")
        assert not connection.connection.execute("PRAGMA foreign_key_check").fetchall()
        return executor.loader.project_state(targets)
    state = migrate_to(connection, targets)
    if post_migrate:
        emit_post_migrate_signal(0, False, connection.alias, apps=state.apps, plan=plan)
    if dump is not None and os.environ.get("RAPPORT_WRITE_MIGRATION_STATES"):
        STATES.mkdir(exist_ok=True)
        dump.write_bytes(gzip.compress("\n".join(connection.connection.iterdump()).encode(), mtime=0))
    return state


class ToMigrationDatabase:
    def db_for_read(self, model, **hints):
        return ALIAS

    def db_for_write(self, model, **hints):
        return ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True


class FreshMigrator:
    def __init__(self, tmp_path):
        default = connections["default"].settings_dict
        self.vendor = connections["default"].vendor
        settings_dict = copy.deepcopy(default)
        if self.vendor == "sqlite":
            settings_dict["NAME"] = str(tmp_path / "migration-test.sqlite3")
        else:
            settings_dict["NAME"] = f"{default['NAME']}_mig_{uuid.uuid4().hex[:8]}"
        # Made here, not declared in settings: the test case's guard lets a connection made
        # during the test through, and the ORM finds it under its alias.
        self.connection = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, ALIAS)
        connections[ALIAS] = self.connection
        if self.vendor != "sqlite":
            with self.connection.creation._nodb_cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
        self._routing = override_settings(DATABASE_ROUTERS=[f"{__name__}.ToMigrationDatabase"])
        self._routing.enable()

    def apply_initial_migration(self, targets) -> ProjectState:
        """The database as ``manage.py migrate`` left it at that point: the migrations the
        targets need, then post_migrate (content types and permissions of the models then)."""
        return migrate_from_empty(self.connection, targets)

    def apply_tested_migration(self, targets) -> ProjectState:
        """The migration under test, as a deploy runs it (signals muted: the test reads the
        rows the migration itself wrote)."""
        with mute_migrate_signals():
            return migrate_to(self.connection, normalize(targets))

    def close(self) -> None:
        self._routing.disable()
        name = self.connection.settings_dict["NAME"]
        self.connection.close()
        del connections[ALIAS]
        if self.vendor != "sqlite":
            with connections["default"].creation._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
