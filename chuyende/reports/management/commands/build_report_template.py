"""Writes the default report template (chuyende/reports/data/bao-cao-36-HD-VPTW.docx) from
`chuyende.reports.layout`, after a change of the layout; tests/reports/test_templates.py checks that the
file in the repository is what the layout builds."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chuyende.reports.layout import DEFAULT_TEMPLATE_PATH, build_default_template


class Command(BaseCommand):
    help = "Write the default report template (.docx) from chuyende/reports/layout.py."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=DEFAULT_TEMPLATE_PATH,
                            help=f"where to write it (default: {DEFAULT_TEMPLATE_PATH})")

    def handle(self, *args: Any, output: Path, **options: Any) -> None:
        content = build_default_template()
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(content)
        self.stdout.write(f"{output} ({len(content)} bytes)")
