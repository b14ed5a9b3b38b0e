"""benchmark_rollup: refuses a database that holds data, and prints the roll-up timings of a tiny tree."""

import io

import pytest
from django.core.management import CommandError, call_command

from chuyende.organisation.models import Unit

pytestmark = pytest.mark.usefixtures("db")

TINY = ("--communes", "2", "--cells", "2", "--members", "5", "--events", "2", "--repeat", "1")


def test_refuses_a_database_that_holds_units(scenario):
    units = Unit.objects.count()
    with pytest.raises(CommandError, match="already holds units"):
        call_command("benchmark_rollup", *TINY, stdout=io.StringIO())
    assert Unit.objects.count() == units


def test_prints_the_figures_of_each_scope_after_emptying_the_database(scenario):
    out = io.StringIO()
    call_command("benchmark_rollup", *TINY, "--force-empty", stdout=out)
    text = out.getvalue()
    assert "Deleting all data" in text
    for scope in ("province (root)", "commune", "cell"):
        assert scope in text
    assert not Unit.objects.filter(code__startswith="BN.").exists()
    assert Unit.objects.count() == 1 + 2 + 2 * 2
