from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuyende.core.sqlite import refresh_statistics
from chuyende.demo.scenario import ScenarioError, load_scenario
from chuyende.demo.users import DEMO_LOGINS, DEMO_PASSWORD, demo_users_create
from chuyende.organisation.models import Unit


class Command(BaseCommand):
    help = "Load a scenario file (default: the Hòa An demo) and the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(settings.DEMO_SCENARIO))
        parser.add_argument("--if-empty", action="store_true", help="do nothing if units exist")
        parser.add_argument("--no-users", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Unit.objects.exists():
            self.stdout.write("Data already present; scenario not loaded again.")
        else:
            try:
                campaign = load_scenario(Path(options["path"]))
                refresh_statistics()
            except ScenarioError as error:
                raise CommandError(f"Scenario refused, nothing written. {error}") from error
            self.stdout.write(f"Loaded {options['path']}: campaign {campaign.code}.")
        if not options["no_users"]:
            demo_users_create()
            self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
            for login in DEMO_LOGINS:
                self.stdout.write(f"  {login.username:18} {login.role:9} {login.unit_code}")
