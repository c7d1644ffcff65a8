"""Backup and restore drill on PostgreSQL (pg_dump / pg_restore through django-dbbackup):
`manage.py backup`, the database dropped and created empty, the uploaded files deleted,
`manage.py restore`, then the same rows in every table and the same bytes in every file.
.ci/run sets RAPPORT_REQUIRE_SERVICES=1: then a suite not on PostgreSQL fails here."""

from __future__ import annotations

import os
import shutil

import pytest
from django.db import connection

from tests.backup_drill import run_drill

pytestmark = [pytest.mark.services]


def test_backup_wipe_restore_gives_back_every_row_and_file_on_postgresql(db, tmp_path):
    missing = []
    if connection.vendor != "postgresql":
        missing.append("DATABASE_URL does not point at PostgreSQL")
    missing += [f"{tool} is not installed" for tool in ("pg_dump", "pg_restore") if not shutil.which(tool)]
    if missing:
        reason = "; ".join(missing)
        if os.environ.get("RAPPORT_REQUIRE_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(reason + " (set RAPPORT_REQUIRE_SERVICES=1 to make this an error)")
    run_drill(tmp_path)
