"""Backups with django-dbbackup: the database (SQLite's backup API, or pg_dump's custom
format restored by pg_restore) and the uploaded files (a tar of MEDIA_ROOT), gzipped, in
RAPPORT_BACKUP_DIR. ``manage.py backup`` and ``manage.py restore`` run both halves.

The database is saved first and the files second, so every file a saved row names is in
the files' archive (a file uploaded in between is saved without a row: harmless).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

from dbbackup.db.sqlite import SqliteBackupConnector
from dbbackup.storage import StorageError, get_storage
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError


def _quiet(verbosity: int) -> int:
    """django-dbbackup logs every step at verbosity 1: our commands print one line instead."""
    return max(verbosity - 1, 0)


def backup_folder() -> Path:
    """Where django-dbbackup's storage keeps the backups (RAPPORT_BACKUP_DIR)."""
    return Path(get_storage().storage.location)


def backup_save(*, keep_all: bool = False, verbosity: int = 1) -> tuple[str, str]:
    """Save the database, then the uploaded files; delete all but the newest
    RAPPORT_BACKUP_KEEP of each unless ``keep_all``. Returns the two file names."""
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)  # nothing uploaded yet: an empty archive
    call_command("dbbackup", compress=True, clean=not keep_all, verbosity=_quiet(verbosity))
    call_command("mediabackup", compress=True, clean=not keep_all, verbosity=_quiet(verbosity))
    return backup_latest()


def backup_latest() -> tuple[str, str]:
    """The newest saved database and the newest saved files, by the time in their names."""
    storage = get_storage()
    folder = backup_folder()
    if not folder.is_dir():
        raise CommandError(f"No backup in {folder}: the folder does not exist.")
    try:
        return (
            storage.get_latest_backup(content_type="db", compressed=True),
            storage.get_latest_backup(content_type="media", compressed=True),
        )
    except StorageError as exc:
        raise CommandError(f"No backup in {folder}: {exc}") from exc


def backup_restore(*, db_file: str, media_file: str, verbosity: int = 1) -> None:
    """Replace the database with ``db_file`` and write the files of ``media_file`` into
    MEDIA_ROOT (over any of the same name). Stop the web, worker and beat processes first.
    Both files are looked for before anything is replaced."""
    folder = backup_folder()
    missing = [name for name in (db_file, media_file) if not (folder / name).is_file()]
    if missing:
        raise CommandError(f"Not in {folder}: {', '.join(missing)}")
    call_command("dbrestore", interactive=False, uncompress=True, input_filename=db_file, verbosity=_quiet(verbosity))
    call_command(
        "mediarestore",
        interactive=False,
        uncompress=True,
        replace=True,
        input_filename=media_file,
        verbosity=_quiet(verbosity),
    )


class SqliteConnector(SqliteBackupConnector):
    """Saves with SQLite's online backup API, like django-dbbackup's own connector, and
    restores with it too: the saved database is copied page by page into the live one,
    in one transaction, which SQLite coordinates with the WAL file and with any other
    connection. (django-dbbackup writes the saved bytes over the database file, leaving
    the old -wal file beside it to be replayed into the restored database.)"""

    def restore_dump(self, dump) -> None:
        self.connection.close()
        with tempfile.NamedTemporaryFile(suffix=".sqlite3") as saved:
            dump.seek(0)
            shutil.copyfileobj(dump, saved)
            saved.flush()
            source = sqlite3.connect(saved.name)
            target = sqlite3.connect(self.connection.settings_dict["NAME"])
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
