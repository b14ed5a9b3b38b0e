"""Every .xlsx the product writes shows formula-like text as quoted text, never as a formula.

A commune officer names a unit (a member, a campaign, an event) `=HYPERLINK(...)`; whoever opens
any spreadsheet the product writes must see that text, quoted, and run nothing: list exports,
the report appendix, the import templates and dumps (export_data), the annotated copy of an upload.
A dump imports back unchanged: the importer drops the quote it added.
"""

import datetime
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from chuyende.accounts.models import User
from chuyende.campaigns.models import Campaign
from chuyende.events.models import Event
from chuyende.imports import annotate, dump, engine, spec
from chuyende.members.models import Member
from chuyende.organisation.models import Unit
from chuyende.organisation.services import unit_update
from chuyende.reports.models import Report
from chuyende.reports.services import report_create
from tests.builders import nothing_written
from tests.exports.test_export_access import EXPORTS, IDS, query

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://x","y")'
QUOTED = "'" + EVIL


@pytest.fixture
def planted(scenario) -> Campaign:
    """Hòa Bình (through the service, so the change log carries it too), one of its members, the
    campaign and an event renamed to a formula."""
    hb = Unit.objects.get(code="BN.HA.HB")
    unit_update(actor=None, unit=hb, code=hb.code, name=EVIL, kind=hb.kind, tracking=hb.tracking,
                parent=hb.parent, opened_on=hb.opened_on, closed_on=hb.closed_on)
    member = Member.objects.filter(unit__path__startswith=hb.path).order_by("code").first()
    assert member is not None
    Member.objects.filter(pk=member.pk).update(full_name=EVIL)
    Campaign.objects.filter(pk=scenario.pk).update(title=EVIL)
    event = Event.objects.filter(campaign=scenario, organiser=hb).order_by("held_on").first()
    assert event is not None
    Event.objects.filter(pk=event.pk).update(title=EVIL)
    return scenario


@pytest.fixture
def district(planted) -> User:
    return User.objects.create(username="t.ha.admin", unit=Unit.objects.get(code="BN.HA"), role="admin")


def cells(data: bytes) -> Iterator[Any]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def assert_quoted(data: bytes, *, planted: bool = True) -> None:
    """No cell is a formula; every text holding the planted formula is quoted (and is there)."""
    found = 0
    for cell in cells(data):
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
            assert cell.value.startswith(QUOTED) or not cell.value.lstrip().startswith("="), cell.value
            found += cell.value == QUOTED
    if planted:
        assert found, "the planted text is in none of the cells"


def body(response: Any) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


LISTS_WITH_THE_PLANTED_TEXT = {"members:list", "events:list", "organisation:tree", "audit:list"}


@pytest.mark.parametrize(("name", "table"), EXPORTS, ids=IDS)
def test_list_exports(client, district, planted, name, table):
    client.force_login(district)
    params = query(table, "xlsx", campaign=planted.pk, on="2024-12-31", as_of="2024-12-31")
    assert_quoted(body(client.get(reverse(name), params)), planted=name in LISTS_WITH_THE_PLANTED_TEXT)


def test_report_appendix(client, district, planted):
    report = report_create(actor=None, campaign=planted, unit=Unit.objects.get(code="BN.HA"),
                           as_of=datetime.date(2024, 3, 31), signer_name="Nguyễn Văn An")
    client.force_login(district)
    assert_quoted(body(client.get(reverse("reports:xlsx", args=[report.pk]))))
    for sent in Report.objects.filter(unit__code="BN.HA.HB"):  # frozen before the renaming
        assert_quoted(body(client.get(reverse("reports:xlsx", args=[sent.pk]))), planted=False)


@pytest.mark.parametrize("kind", list(spec.KINDS))
def test_import_templates(client, district, kind):
    client.force_login(district)
    assert_quoted(body(client.get(reverse("imports:template", args=[kind]))), planted=False)


@pytest.mark.parametrize("kind", ["units", "members", "events"])
def test_dumps_written_by_export_data_import_back_unchanged(district, tmp_path: Path, kind):
    output = tmp_path / f"{kind}.xlsx"
    call_command("export_data", kind, user=district.username, output=str(output), stdout=io.StringIO())
    data = output.read_bytes()
    assert_quoted(data)
    with nothing_written():
        result = engine.run_import(actor=district, kind=kind, file=data, filename=output.name)
    assert result.problems == []
    assert (result.created, result.updated) == (0, 0)


def test_every_dump_is_quoted(district):
    for kind in spec.KINDS:
        assert_quoted(dump.dump_workbook(kind, actor=district), planted=False)


def test_annotated_copies_of_an_upload(district):
    data = dump.dump_workbook("members", actor=district)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    sheet["D2"] = "năm"  # a problem, so the file is refused and annotated
    sheet["F2"] = EVIL  # an uploaded formula
    stream = io.BytesIO()
    workbook.save(stream)
    result = engine.run_import(actor=district, kind="members", file=stream.getvalue(), filename="f.xlsx")
    assert result.problems
    copy = annotate.annotated_copy(stream.getvalue(), "f.xlsx", result.problems)
    assert copy is not None
    assert_quoted(copy)

    csv = f'Mã đảng viên,Họ và tên\r\nX1,"{EVIL.replace(chr(34), chr(34) * 2)}"\r\n'.encode()
    result = engine.run_import(actor=district, kind="members", file=csv, filename="f.csv")
    assert result.problems
    copy = annotate.annotated_copy(csv, "f.csv", result.problems)
    assert copy is not None
    assert_quoted(copy)
