import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuyende.campaigns.models import Campaign
from chuyende.figures.snapshot import to_json
from chuyende.organisation.models import Unit
from chuyende.reports.figures import live_figures


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--as-of {text!r} is not a date in the form YYYY-MM-DD.") from error


class Command(BaseCommand):
    help = ("Print the roll-up figures of a unit for a campaign as of a day, as JSON: the figures a "
            "report prints (chuyende.reports.figures.live_figures).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="unit code, e.g. BN.HA")
        parser.add_argument("--campaign", required=True, help="campaign code, e.g. CD2024")
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = _day(options["as_of"])
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"No unit has the code {options['unit']!r}.")
        campaign = Campaign.objects.filter(code=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"No campaign has the code {options['campaign']!r}.")
        figures = to_json(live_figures(unit=unit, campaign=campaign, as_of=as_of))
        self.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False))
