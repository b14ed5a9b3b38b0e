"""What a report groups by: the unit's sector (dated like its kind: services, restructuring, import,
API, pages) and the event's audience and partners (service, API, import, pages). Bad input is refused
naming the field, with nothing written."""

import datetime

import pytest

from chuyende.demo.scenario import sector_from_name
from chuyende.events.models import Event
from chuyende.events.services import event_create, event_update
from chuyende.figures import tree
from chuyende.imports import engine
from chuyende.organisation.models import Unit
from chuyende.organisation.services import unit_update
from chuyende.restructuring.plan import read_plan
from chuyende.restructuring.services import OperationData, decision_apply, decision_create, decision_undo
from tests.builders import D, make_campaign, make_unit, refused, site
from tests.conftest import unit
from tests.imports.fixtures import template_with

pytestmark = pytest.mark.usefixtures("db")


# --- the demo's sectors, read from the names --------------------------------------------------------------


@pytest.mark.parametrize(("name", "sector"), [
    ("Chi bộ Trường Tiểu học Hòa Bình", "school"),
    ("Chi bộ Trạm Y tế xã Hòa Phú", "health"),
    ("Chi bộ Trung tâm Y tế huyện", "health"),
    ("Chi bộ Cơ quan thị trấn", "agency"),
    ("Đảng bộ xã Hòa Bình", "commune"),
    ("Chi bộ thôn Đông", "commune"),
    ("Đảng bộ thị trấn Hòa An", "commune"),
    ("Chi bộ Khu phố 1", "commune"),
    ("Đảng bộ huyện Hòa An", "other"),
    ("Đảng bộ tỉnh Bình Nguyên", "other"),
])
def test_the_demo_reads_the_sector_from_the_name(name, sector):
    assert sector_from_name(name) == sector


def test_the_scenario_units_have_their_sectors(scenario_module):
    assert {u.code: u.sector for u in Unit.objects.filter(code__in=[
        "BN", "BN.HA.HB", "BN.HA.HB.TH", "BN.HA.HP.YT", "BN.HA.TT.CQ"])} == {
        "BN": "other", "BN.HA.HB": "commune", "BN.HA.HB.TH": "school", "BN.HA.HP.YT": "health",
        "BN.HA.TT.CQ": "agency"}


# --- sector: dated like the kind ----------------------------------------------------------------------------


def test_a_unit_keeps_its_sector_in_its_periods_and_a_correction_changes_it():
    root = make_unit("R")
    cell = make_unit("R.A", root, sector=Unit.Sector.SCHOOL)
    assert (cell.sector, cell.periods.get().sector) == ("school", "school")
    unit_update(actor=None, unit=cell, code="R.A", name=cell.name, kind=cell.kind, tracking=cell.tracking,
                parent=root, opened_on=None, closed_on=None, sector=Unit.Sector.HEALTH)
    cell.refresh_from_db()
    assert (cell.sector, cell.periods.get().sector) == ("health", "health")
    # Left out, the sector is kept.
    unit_update(actor=None, unit=cell, code="R.A", name="Chi bộ mới", kind=cell.kind, tracking=cell.tracking,
                parent=root, opened_on=None, closed_on=None)
    cell.refresh_from_db()
    assert cell.sector == "health"


def test_an_unknown_sector_is_refused_and_nothing_is_written():
    root = make_unit("R")
    from chuyende.organisation.services import unit_create

    refused("sector", unit_create, actor=None, code="R.B", name="B", kind="cell", parent=root, sector="moon")


def test_a_restructuring_changes_the_sector_from_its_day_and_undo_puts_it_back(scenario_module):
    cell = unit("BN.HA.TT.CQ")
    made = decision_apply(actor=None, decision=decision_create(
        actor=None, unit=unit("BN"), number="02-QĐ/TU", issued_on=D(2025, 6, 1), issuer="Ban Thường vụ",
        title="Đổi loại hình", effective_on=D(2025, 7, 1),
        operations=[OperationData(kind="change", data={"unit": "BN.HA.TT.CQ", "sector": "enterprise"}),
                    OperationData(kind="merge", data={
                        "units": ["BN.HA.HB", "BN.HA.HP"],
                        "into": {"code": "BN.HBP", "name": "Đảng bộ xã Hòa Bình Phú", "parent": "BN.HA",
                                 "kind": "party_committee"}})]))
    assert tree.position_on(cell, D(2024, 3, 31)).sector == "agency"
    assert tree.position_on(cell, D(2025, 9, 1)).sector == "enterprise"
    assert unit("BN.HA.TT.CQ").sector == "enterprise"
    assert unit("BN.HBP").sector == "commune"  # the merged communes' common sector
    assert [u.sector for u in tree.units_on(root=unit("BN.HA.TT"), day=D(2024, 3, 31))
            if u.code == "BN.HA.TT.CQ"] == ["agency"]
    decision_undo(actor=None, decision=made)
    assert unit("BN.HA.TT.CQ").sector == "agency"


def test_a_plan_carries_the_sector_and_refuses_an_unknown_one(scenario_module):
    from chuyende.restructuring.plan import COLUMNS
    from tests.imports.fixtures import workbook

    headers = [header for _key, header, _help in COLUMNS]

    def row(**values: str) -> list[str]:
        return [values.get(key, "") for key, _header, _help in COLUMNS]

    operations = read_plan(workbook([headers, row(kind="change", unit="BN.HA.TT.CQ", sector="school")]),
                           filename="plan.xlsx")
    assert operations[0].data["sector"] == "school"
    with pytest.raises(Exception) as caught:
        read_plan(workbook([headers, row(kind="change", unit="BN.HA.TT.CQ", sector="moon")]),
                  filename="plan.xlsx")
    assert "Loại hình" in str(caught.value)


# --- sector in the unit import, the API and the pages ---------------------------------------------------


def test_the_unit_import_carries_the_sector(actors):
    new = {"code": "BN.HA.HB.NEW", "name": "Chi bộ Trường Mầm non", "kind": "cell", "parent": "BN.HA.HB",
           "tracking": "individual", "sector": "school"}
    result = engine.run_import(actor=actors.owner, kind="units", file=template_with("units", new),
                               filename="units.xlsx")
    assert result.problems == []
    assert unit("BN.HA.HB.NEW").sector == "school"
    # An empty cell keeps the stored sector; the same file again changes nothing.
    again = engine.run_import(actor=actors.owner, kind="units",
                              file=template_with("units", {**new, "sector": ""}), filename="units.xlsx")
    assert (again.updated, again.problems, unit("BN.HA.HB.NEW").sector) == (0, [], "school")
    bad = engine.run_import(actor=actors.owner, kind="units",
                            file=template_with("units", {**new, "sector": "Mặt trăng"}),
                            filename="units.xlsx")
    assert bad.problems and unit("BN.HA.HB.NEW").sector == "school"



def test_the_unit_pages_show_and_save_the_sector(actors, client_for):
    client = client_for(actors.owner)
    target = unit("BN.HA.HB.TH")
    page = client.get(f"/don-vi/{target.pk}/").content.decode()
    assert "Trường học" in page
    form = client.get(f"/don-vi/{target.pk}/sua/")
    assert 'name="sector"' in form.content.decode()


# --- event audience and partners ------------------------------------------------------------------------


def test_an_event_keeps_its_audience_and_partners_in_order():
    root = make_unit("R")
    campaign = make_campaign(root)
    event = event_create(actor=None, campaign=campaign, organiser=root, held_on=D(2024, 2, 1),
                         format="in_person", title="Lớp", sites=[site(root, other_members=3)],
                         audience="workers", partners=["women_union", "trade_union"])
    event.refresh_from_db()
    assert (event.audience, event.partners) == ("workers", ["trade_union", "women_union"])
    # An update that does not name them keeps them.
    event_update(actor=None, event=event, organiser=root, held_on=D(2024, 2, 1), format="in_person",
                 title="Lớp mới", sites=[site(root, other_members=3)])
    event.refresh_from_db()
    assert (event.audience, event.partners) == ("workers", ["trade_union", "women_union"])


@pytest.mark.parametrize(("field", "changes"), [
    ("partners", {"partners": ["moon_club"]}),
    ("partners", {"partners": ["trade_union", "trade_union"]}),
    ("audience", {"audience": "aliens"}),
])
def test_bad_audience_or_partners_are_refused_and_nothing_is_written(field, changes):
    root = make_unit("R")
    campaign = make_campaign(root)
    refused(field, event_create, actor=None, campaign=campaign, organiser=root, held_on=D(2024, 2, 1),
            format="in_person", title="Lớp", sites=[site(root, other_members=3)], **changes)



def test_the_event_import_carries_audience_and_partners(actors):
    row = {"campaign": "CD2024", "code": "N1", "organiser": "BN.HA.HB", "held_on": datetime.date(2024, 3, 22),
           "format": "in_person", "title": "Lớp chức sắc", "site_unit": "BN.HA.HB", "non_members": 60,
           "audience": "religious", "partners": "Mặt trận Tổ quốc; Hội Liên hiệp Phụ nữ"}
    result = engine.run_import(actor=actors.owner, kind="events", file=template_with("events", row),
                               filename="events.xlsx")
    assert result.problems == []
    event = Event.objects.get(code="N1")
    assert (event.audience, event.partners) == ("religious", ["fatherland_front", "women_union"])
    again = engine.run_import(actor=actors.owner, kind="events", file=template_with("events", row),
                              filename="events.xlsx")
    assert (again.updated, again.created, again.problems) == (0, 0, [])
    bad = engine.run_import(actor=actors.owner, kind="events",
                            file=template_with("events", {**row, "partners": "Câu lạc bộ"}),
                            filename="events.xlsx")
    assert bad.problems


def test_the_event_pages_show_and_save_audience_and_partners(actors, client_for):
    client = client_for(actors.owner)
    event = Event.objects.get(code="E3")
    page = client.get(f"/hoi-nghi/{event.pk}/").content.decode()
    assert "Đối tượng" in page and "Cán bộ, đảng viên và nhân dân" in page
    form = client.get(f"/hoi-nghi/{event.pk}/sua/").content.decode()
    assert 'name="audience"' in form and 'name="partners"' in form
