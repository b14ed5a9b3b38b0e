"""`manage.py backup [--output FILE]`: the database and the uploaded files in one .tar.gz, while the app
runs (chuyende/core/backup.py)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chuyende.core import backup


class Command(BaseCommand):
    help = "Writes a backup of the database and the uploaded files (MEDIA_ROOT) to one .tar.gz file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", type=Path, default=None,
                            help="the file to write (default: BACKUP_DIR/chuyende-YYYYMMDD-HHMMSS.tar.gz)")

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"] or backup.default_backup_path()
        try:
            manifest = backup.create_backup(output=output)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_(
            "Backup written to %(path)s: %(vendor)s database, %(tables)d tables, %(rows)d rows, "
            "%(files)d uploaded files."
        ) % {"path": output, **backup.describe(manifest)})
