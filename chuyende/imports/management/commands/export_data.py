from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from chuyende.imports import dump, spec
from chuyende.imports.management.commands.import_data import campaign_coded, known_kind, user_named


class Command(BaseCommand):
    help = ("Write the records of a kind in a user's subtree (of one campaign, if given) as a filled "
            "import template (.xlsx), which `import_data` reads back.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help=f"one of: {', '.join(spec.KINDS)}")
        parser.add_argument("--user", required=True, help="username whose subtree is exported")
        parser.add_argument("--campaign", help="campaign code: only this campaign's records")
        parser.add_argument("-o", "--output", required=True, help="path of the .xlsx file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = known_kind(options["kind"])
        user = user_named(options["user"])
        campaign = campaign_coded(options["campaign"])
        output = Path(options["output"])
        if output.suffix.lower() != ".xlsx":
            raise CommandError(f"{output} must end in .xlsx.")
        if not output.parent.is_dir():
            raise CommandError(f"No directory {output.parent} to write {output.name} in.")
        with translation.override(settings.LANGUAGE_CODE):
            data = dump.dump_workbook(kind, actor=user, campaign=campaign)
        output.write_bytes(data)
        self.stdout.write(f"Wrote {output} ({len(data):,} bytes).".replace(",", "."))
