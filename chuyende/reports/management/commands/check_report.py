"""manage.py check_report FILE [--json]: the arithmetic claims of a report file and their verdicts."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from chuyende.reports.checker import check_report
from chuyende.reports.reading import UnreadableDocument


class Command(BaseCommand):
    help = "Find the arithmetic claims of a report (.docx, .pdf or text) and say whether each holds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The report: a .docx, a PDF with text, or a text file; - for stdin.")
        parser.add_argument(
            "--json",
            action="store_true",
            help='Print {"claims": [{"text", "verdict", "stated", "computed", "where"}, …]}.',
        )
        parser.add_argument("--precision", type=int, default=2, help="Decimals a recomputed rate shows.")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("vi")
        path = options["file"]
        try:
            data = self.stdin_bytes() if path == "-" else Path(path).read_bytes()
        except OSError as error:
            raise CommandError(
                _("The file cannot be opened: %(error)s") % {"error": error.strerror}
            ) from error
        try:
            checked = check_report(data=data, precision=options["precision"])
        except UnreadableDocument as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(checked.as_json(), ensure_ascii=False, indent=2))
            return
        for claim in checked.claims:
            self.stdout.write(f"[{claim.verdict}] {claim.where}: {claim.text}\n    {claim.reason}")
        counts = checked.verdicts
        self.stdout.write(
            _("%(holds)s hold, %(wrong)s do not hold, %(unknown)s cannot be checked; read %(extent)s.")
            % {
                "holds": counts["holds"],
                "wrong": counts["does_not_hold"],
                "unknown": counts["cannot_check"],
                "extent": checked.document.extent,
            }
        )

    def stdin_bytes(self) -> bytes:
        import sys

        return sys.stdin.buffer.read()
