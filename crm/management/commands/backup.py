"""``manage.py backup``: save the database and the uploaded files (crm/backup.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from crm.backup import backup_save


class Command(BaseCommand):
    help = (
        "Save the database and the uploaded files (MEDIA_ROOT) to RAPPORT_BACKUP_DIR, keeping the newest "
        "RAPPORT_BACKUP_KEEP of each."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--keep-all", action="store_true", help="Delete no older backup.")

    def handle(self, *args, keep_all: bool, verbosity: int, **options) -> None:
        db_file, media_file = backup_save(keep_all=keep_all, verbosity=verbosity)
        self.stdout.write(f"Saved {db_file} and {media_file} in {settings.RAPPORT_BACKUP_DIR}")
