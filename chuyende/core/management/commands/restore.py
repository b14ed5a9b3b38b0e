"""`manage.py restore FILE [--yes]`: the database and the uploaded files as the backup holds them
(chuyende/core/backup.py). The file is checked before anything is written."""

import sys
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from chuyende.core import backup


class Command(BaseCommand):
    help = "Replaces the database and the uploaded files with those of a backup made by `backup`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a .tar.gz written by manage.py backup")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["file"]
        try:
            manifest = backup.read_manifest(archive)
            backup.check_restorable(manifest)
            facts = backup.describe(manifest)
            if not options["yes"]:
                self._confirm(facts)
            backup.restore_backup(archive_path=archive)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_(
            "Restored the backup of %(created)s: %(tables)d tables, %(rows)d rows, %(files)d uploaded files."
        ) % facts)
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write(_("The backup is of an older version: bringing its database up to date."))
            call_command("migrate", interactive=False, verbosity=0)

    def _confirm(self, facts: dict[str, Any]) -> None:
        question = _(
            "Every record and uploaded file now stored will be replaced by the backup of %(created)s "
            "(%(rows)d rows, %(files)d files). Type yes to go on: "
        ) % facts
        if not sys.stdin.isatty():
            raise CommandError(_("Add --yes to restore without a question."))
        if input(question).strip().lower() not in {"yes", "có", "co"}:
            raise CommandError(_("Nothing was restored."))
