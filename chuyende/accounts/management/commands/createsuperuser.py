"""Django's `createsuperuser` makes a user with no unit, who could see nothing here: it is refused."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Not used in chuyende: see setup_installation and the Administration pages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("args", nargs="*")
        parser.add_argument("--username")
        parser.add_argument("--email")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args: Any, **options: Any) -> None:
        raise CommandError(
            "createsuperuser is not used in chuyende: every user belongs to a unit. On an empty database run "
            "`manage.py setup_installation` (or open /bat-dau/) to create the levels, the top unit and the "
            "first administrator; then create users on the Administration pages (/quan-tri/nguoi-dung/)."
        )
