"""The backup drill, as an operator runs it: `manage.py backup` → the database and the
uploaded files are wiped → `manage.py restore` → every table has the same number of rows
and every file the same checksum. Used on SQLite (tests/crm/test_backup_drill.py, in
`make test`) and on PostgreSQL (tests/services/test_backup_drill_postgres.py, in CI).

The drill's database is a copy of the test database (tests/database_copy.py), so the
commands run in real processes against a database the test suite does not use, and a
restore gone wrong cannot hurt the rest of the suite.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings

from partners.suppliers.models import QualificationDocument
from tests.database_copy import DatabaseCopy
from tests.factories import ContactFactory, FollowUpFactory, InteractionFactory, PartnerFactory

ROOT = Path(__file__).resolve().parents[1]


def seed(database: DatabaseCopy) -> None:
    """Rows in several apps (with their history rows) and uploaded files, one of them
    binary and one under a Chinese name, in the drill database and MEDIA_ROOT."""
    database.connect()
    try:
        with override_settings(DATABASE_ROUTERS=["tests.database_copy.ToDatabaseCopy"]):
            partner = PartnerFactory(name="上海精密零件有限公司")
            ContactFactory(partner=partner, name="王芳")
            InteractionFactory(partner=partner)
            FollowUpFactory(partner=partner)
            document = QualificationDocument(partner=partner, doc_type="iso9001", number="Q-2026-7")
            document.file.save("certificate.pdf", ContentFile(b"%PDF-1.4\n" + os.urandom(4096)))
            default_storage.save("reports/2026/年度报告.xlsx", ContentFile(os.urandom(2048)))
    finally:
        database.disconnect()


def file_checksums(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def manage(database: DatabaseCopy, backups: Path, *args: str) -> str:
    """Run `manage.py ARGS` as an operator would, on the drill database."""
    environment = {
        **os.environ,
        "DATABASE_URL": database.database_url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "RAPPORT_BACKUP_DIR": str(backups),
        "RAPPORT_BASE_URL": "http://127.0.0.1:8000",
        "DEBUG": "True",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def run_drill(tmp_path: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    backups = tmp_path / "backups"
    database = DatabaseCopy(tmp_path)
    try:
        seed(database)
        rows, files = database.row_counts(), file_checksums(media)
        assert rows["partners_partner"] >= 1 and rows["suppliers_qualificationdocument"] == 1
        assert len(files) == 2

        saved = manage(database, backups, "backup")
        assert saved.startswith("Saved ") and len(list(backups.glob("*.gz"))) == 2

        database.wipe()
        for path in sorted(media.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        assert file_checksums(media) == {} and database.row_counts() == {}

        restored = manage(database, backups, "restore", "--noinput")
        assert restored.startswith("Restored ")
        assert database.row_counts() == rows
        assert file_checksums(media) == files
        connection = database.connect()
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM partners_partner WHERE name = %s", ["上海精密零件有限公司"])
            assert cursor.fetchall() == [("上海精密零件有限公司",)]
    finally:
        database.disconnect()
        if database.vendor != "sqlite":
            database.drop()
