"""``manage.py restore``: put back a database and its uploaded files saved by ``backup``."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from crm.backup import backup_latest, backup_restore


class Command(BaseCommand):
    help = (
        "Replace the database and write the uploaded files back from RAPPORT_BACKUP_DIR (the newest backup "
        "unless --db-file/--media-file name one). Stop the web, worker and beat processes first."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--db-file", help="A database file in RAPPORT_BACKUP_DIR (default: the newest).")
        parser.add_argument("--media-file", help="A files archive in RAPPORT_BACKUP_DIR (default: the newest).")
        parser.add_argument("--noinput", action="store_false", dest="interactive", help="Do not ask to confirm.")

    def handle(self, *args, db_file, media_file, interactive: bool, verbosity: int, **options) -> None:
        if not (db_file and media_file):
            newest_db, newest_media = backup_latest()
            db_file, media_file = db_file or newest_db, media_file or newest_media
        if interactive:
            question = (
                f"Replace the database {connection.settings_dict['NAME']} with {db_file} and write the files of "
                f"{media_file} into {settings.MEDIA_ROOT}? Type 'yes' to go on: "
            )
            if input(question).strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        backup_restore(db_file=db_file, media_file=media_file, verbosity=verbosity)
        self.stdout.write(f"Restored {db_file} and {media_file}. Run `manage.py migrate` if the backup is older.")
