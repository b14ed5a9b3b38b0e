"""benchmark_import: refuses a database holding data; imports a small workbook, prints rows per second."""

import io

import pytest
from django.core.management import CommandError, call_command

from chuyende.audit.models import AuditEntry
from chuyende.members.models import Member
from chuyende.organisation.models import Unit

pytestmark = pytest.mark.usefixtures("db")

SMALL = ("--members", "300", "--communes", "2", "--cells", "3")


def test_refuses_a_database_that_holds_units(scenario):
    members = Member.objects.count()
    with pytest.raises(CommandError, match="already holds units"):
        call_command("benchmark_import", *SMALL, stdout=io.StringIO())
    assert Member.objects.count() == members


def test_imports_every_row_and_reports_its_speed():
    out = io.StringIO()
    call_command("benchmark_import", *SMALL, "--keep", stdout=out)
    text = out.getvalue()
    assert "rows 300  created 300  members stored 300  status periods 300  audit entries 1" in text
    assert "end to end" in text and "rows/s" in text
    assert Member.objects.filter(unit__code__startswith="BENCH.X").count() == 300
    assert AuditEntry.objects.filter(record_type="members.Member").count() == 1


def test_deletes_what_it_wrote_unless_kept():
    call_command("benchmark_import", *SMALL, stdout=io.StringIO())
    assert not Unit.objects.exists()
    assert not Member.objects.exists()
