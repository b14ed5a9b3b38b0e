from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _count_an_upgraded_database(using: str = "default", **kwargs: Any) -> None:
    """A database from before the maintained counters (an upgrade, or an older backup restored and
    migrated) gets them written from its records once; every write keeps them from then on."""
    from chuyende.figures.ledger import rebuild
    from chuyende.figures.models import DailyCount
    from chuyende.organisation.models import Unit

    if using == "default" and Unit.objects.exists() and not DailyCount.objects.exists():
        rebuild()


class FiguresConfig(AppConfig):
    name = "chuyende.figures"
    label = "figures"
    verbose_name = _("Figures")

    def ready(self) -> None:
        post_migrate.connect(_count_an_upgraded_database, sender=self)
