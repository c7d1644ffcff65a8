"""Backup and restore drill on SQLite (README "Backup and restore"): `manage.py backup`,
the database file and the uploaded files deleted, `manage.py restore`, then the same rows
in every table and the same bytes in every file. The PostgreSQL drill is
tests/services/test_backup_drill_postgres.py."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.backup_drill import run_drill


def test_backup_wipe_restore_gives_back_every_row_and_file_on_sqlite(db, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the suite runs on PostgreSQL: tests/services/test_backup_drill_postgres.py drills it")
    run_drill(tmp_path)
