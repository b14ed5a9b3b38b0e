"""benchmark_import: refuses a database holding data; imports a small workbook of new members, then
one changing them, and prints rows per second and peak memory of each."""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command

from chuyende.audit.models import AuditEntry
from chuyende.members.models import Member, MemberStatus
from chuyende.organisation.models import Unit

pytestmark = pytest.mark.usefixtures("db")

SMALL = ("--members", "300", "--communes", "2", "--cells", "3")


def test_refuses_a_database_that_holds_units(scenario):
    members = Member.objects.count()
    with pytest.raises(CommandError, match="already holds units"):
        call_command("benchmark_import", *SMALL, stdout=io.StringIO())
    assert Member.objects.count() == members


def test_imports_every_row_then_changes_every_row_and_reports_their_speed():
    out = io.StringIO()
    call_command("benchmark_import", *SMALL, "--keep", stdout=out)
    text = out.getvalue()
    new, changed = text.split("Import benchmark of changed members")
    assert "rows 300  created 300  members stored 300  status periods 300  audit entries 1  " in new
    assert "updated 0" in new
    # A tenth of the members (30) change their status: a period closed and one opened each.
    assert "rows 300  created 0  members stored 300  status periods 330  audit entries 301  " in changed
    assert "updated 300" in changed
    for run in (new, changed):
        assert "end to end" in run and "rows/s" in run
        assert re.search(r"peak memory +[1-9][0-9]* MB", run)
    members = Member.objects.filter(unit__code__startswith="BENCH.X")
    assert members.count() == 300
    assert members.filter(full_name__endswith=" Mới").count() == 300
    assert MemberStatus.objects.filter(valid_from=datetime.date(2024, 6, 1)).count() == 30
    assert AuditEntry.objects.filter(record_type="members.Member", action="create").count() == 1
    assert AuditEntry.objects.filter(record_type="members.Member", action="update").count() == 300


def test_every_status_may_change():
    out = io.StringIO()
    call_command("benchmark_import", *SMALL, "--status-changes", "1", "--keep", stdout=out)
    assert "status periods 600  audit entries 301  " in out.getvalue()


def test_refuses_a_share_of_status_changes_outside_0_to_1():
    with pytest.raises(CommandError, match="between 0 and 1"):
        call_command("benchmark_import", *SMALL, "--status-changes", "1.5", stdout=io.StringIO())
    assert not Unit.objects.exists()


def test_deletes_what_it_wrote_unless_kept():
    call_command("benchmark_import", *SMALL, stdout=io.StringIO())
    assert not Unit.objects.exists()
    assert not Member.objects.exists()
