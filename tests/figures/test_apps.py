"""A database migrated from before the counters gets them written from its records."""

import pytest
from django.core.management import call_command

from chuyende.figures.ledger import differences
from chuyende.figures.models import DailyCount

pytestmark = pytest.mark.django_db


def test_migrating_a_database_without_counters_writes_them(scenario):
    DailyCount.objects.all().delete()
    call_command("migrate", verbosity=0)
    assert DailyCount.objects.exists()
    assert differences() == []
