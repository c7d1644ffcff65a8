"""A copy of the test database under a name of its own (a SQLite file, or a PostgreSQL
database beside the test database): migrated, with the data migrations' rows, as the test
database's connection sees it. For tests that run real commands against a database, or
move its migrations back and forth, without touching the database the suite uses.
"""

from __future__ import annotations

import copy
import sqlite3
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

from django.db import connections
from django.db.utils import load_backend

ALIAS = "database_copy"


class ToDatabaseCopy:
    def db_for_read(self, model, **hints):
        return ALIAS

    def db_for_write(self, model, **hints):
        return ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True


class DatabaseCopy:
    """A copy of the test database; ``connect()`` opens it under ALIAS."""

    def __init__(self, tmp_path: Path, *, empty: bool = False):
        """``empty``: a database of the same kind, with nothing in it (for a test that
        migrates it from the start)."""
        default = connections["default"]
        self.vendor = default.vendor
        self.settings_dict = copy.deepcopy(default.settings_dict)
        if self.vendor == "sqlite" and empty:
            self.settings_dict["NAME"] = str(tmp_path / "empty.sqlite3")
        elif empty:
            self.settings_dict["NAME"] = f"{default.settings_dict['NAME']}_empty_{uuid.uuid4().hex[:8]}"
            self.create()
        elif self.vendor == "sqlite":
            self.settings_dict["NAME"] = str(tmp_path / "copy.sqlite3")
            # As SQL through the test's own connection: it holds the test's transaction open,
            # so SQLite's backup API would wait for it forever.
            default.ensure_connection()
            target = sqlite3.connect(self.settings_dict["NAME"])
            try:
                target.executescript("\n".join(default.connection.iterdump()))
            finally:
                target.close()
        else:
            self.settings_dict["NAME"] = f"{default.settings_dict['NAME']}_copy_{uuid.uuid4().hex[:8]}"
            self.create()
            # The committed state of the test database: migrated, with the reference rows.
            dump = subprocess.run(
                ["pg_dump", "--format=custom", self.libpq_url(default.settings_dict)],
                capture_output=True,
                check=True,
                timeout=120,
            )
            subprocess.run(
                ["pg_restore", "--no-owner", "--dbname", self.libpq_url(self.settings_dict)],
                input=dump.stdout,
                capture_output=True,
                check=True,
                timeout=120,
            )

    @staticmethod
    def libpq_url(settings_dict: dict) -> str:
        user = quote(settings_dict.get("USER") or "")
        password = settings_dict.get("PASSWORD") or ""
        credentials = f"{user}:{quote(password)}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "localhost"
        port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
        return f"postgresql://{credentials}{host}{port}/{settings_dict['NAME']}"

    @property
    def database_url(self) -> str:
        """DATABASE_URL for the commands' processes."""
        if self.vendor == "sqlite":
            return f"sqlite:///{self.settings_dict['NAME']}"
        return self.libpq_url(self.settings_dict).replace("postgresql://", "postgres://", 1)

    def _maintenance(self, sql: str) -> None:
        with connections["default"].creation._nodb_cursor() as cursor:
            cursor.execute(sql)

    def create(self) -> None:
        self._maintenance(f'CREATE DATABASE "{self.settings_dict["NAME"]}"')

    def drop(self) -> None:
        self._maintenance(f'DROP DATABASE IF EXISTS "{self.settings_dict["NAME"]}" WITH (FORCE)')

    def connect(self):
        connection = load_backend(self.settings_dict["ENGINE"]).DatabaseWrapper(self.settings_dict, ALIAS)
        connections[ALIAS] = connection
        return connection

    def disconnect(self) -> None:
        if ALIAS in connections:
            connections[ALIAS].close()
            del connections[ALIAS]

    def wipe(self) -> None:
        """The machine is lost: the database is gone (an empty one is made, as `createdb`
        would on a new server; SQLite needs not even that)."""
        self.disconnect()
        if self.vendor == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(self.settings_dict["NAME"] + suffix).unlink(missing_ok=True)
        else:
            self.drop()
            self.create()

    def row_counts(self) -> dict[str, int]:
        """Rows in every table of the drill database."""
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                tables = connection.introspection.table_names(cursor)
                counts = {}
                for table in tables:
                    cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                    counts[table] = cursor.fetchone()[0]
            return counts
        finally:
            self.disconnect()
