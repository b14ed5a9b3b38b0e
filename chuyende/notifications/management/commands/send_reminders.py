"""`manage.py send_reminders`: the day's report-deadline reminders (chuyende-reminders.timer, daily).

Running it again the same day writes nothing new: each notice has a key per campaign, deadline, unit
and kind.
"""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from chuyende.notifications.services import send_reminders


class Command(BaseCommand):
    help = ("Notifies the units whose report deadline is within 3 days and have not submitted, and, after a "
            "deadline, the reviewers of the units whose sub-units are missing. Idempotent per day.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="The day to remind for (YYYY-MM-DD); today by default.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = datetime.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--date: {error}") from error
        written = send_reminders(today=today)
        self.stdout.write(f"{written} notification(s) written for {today.isoformat()}.")
