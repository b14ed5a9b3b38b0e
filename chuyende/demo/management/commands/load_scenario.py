from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from chuyende.core.sqlite import refresh_statistics
from chuyende.demo.scenario import ScenarioError, load_scenario
from chuyende.demo.users import DEMO_LOGINS, DEMO_PASSWORD, demo_users_create
from chuyende.organisation.models import Unit


class Command(BaseCommand):
    help = ("Load scenario files in order, all or none (default: the Hòa An demo of 2024, then its 2025 "
            "restructuring and 2026 campaign), and the demo logins.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", default=[str(path) for path in settings.DEMO_SCENARIOS])
        parser.add_argument("--if-empty", action="store_true", help="do nothing if units exist")
        parser.add_argument("--no-users", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Unit.objects.exists():
            self.stdout.write("Data already present; scenario not loaded again.")
        else:
            try:
                with transaction.atomic():
                    loaded = [(path, load_scenario(Path(path))) for path in options["paths"]]
                refresh_statistics()
            except ScenarioError as error:
                raise CommandError(f"Scenario refused, nothing written. {error}") from error
            for path, campaign in loaded:
                self.stdout.write(f"Loaded {path}: campaign {campaign.code}.")
        if not options["no_users"]:
            demo_users_create()
            self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
            for login in DEMO_LOGINS:
                self.stdout.write(f"  {login.username:18} {login.role:9} {login.unit_code}")
