"""Backup and restore drill on SQLite (README "Backup and restore"): `manage.py backup`,
the database file and the uploaded files deleted, `manage.py restore`, then the same rows
in every table and the same bytes in every file. The PostgreSQL drill is
tests/services/test_backup_drill_postgres.py."""

from __future__ import annotations

import pytest
from dbbackup import settings as dbbackup_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.backup_drill import run_drill


def test_backup_wipe_restore_gives_back_every_row_and_file_on_sqlite(db, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the suite runs on PostgreSQL: tests/services/test_backup_drill_postgres.py drills it")
    run_drill(tmp_path)


def test_restore_replaces_nothing_when_a_backup_file_is_missing(monkeypatch, tmp_path):
    # django-dbbackup reads its storage's folder from the settings once, at import.
    monkeypatch.setitem(dbbackup_settings.STORAGE_OPTIONS, "location", str(tmp_path / "backups"))
    with pytest.raises(CommandError, match="No backup in .*the folder does not exist"):
        call_command("restore", interactive=False)
    tmp_path = tmp_path / "backups"
    tmp_path.mkdir()
    with pytest.raises(CommandError, match="No backup in"):
        call_command("restore", interactive=False)
    (tmp_path / "default-host-2026-12-01-030000.sqlite3.gz").write_bytes(b"")
    with pytest.raises(CommandError, match="Not in .*: host-2026-12-01-030000.tar.gz"):
        call_command(
            "restore",
            db_file="default-host-2026-12-01-030000.sqlite3.gz",
            media_file="host-2026-12-01-030000.tar.gz",
            interactive=False,
        )
