"""Events by the organiser's sector, by audience (key cadres by level) and by partner, and the
returns that know only part: totals are sums of their parts, and partial facts never reach a rate."""

import dataclasses
from decimal import Decimal

import pytest

from chuyende.events.models import Event
from chuyende.events.services import event_create
from chuyende.figures.breakdowns import event_groups
from chuyende.figures.known import known_only
from chuyende.figures.rollup import unit_figures
from chuyende.figures.snapshot import from_json, to_json
from chuyende.organisation.models import Unit
from chuyende.organisation.services import unit_create
from chuyende.reports.figures import live_figures
from chuyende.returns.services import member_return_save, non_member_return_save, partial_return_save
from tests.builders import D, make_campaign, site

pytestmark = pytest.mark.django_db

MARCH_31 = D(2024, 3, 31)


def _unit(code: str, parent: Unit | None, sector: str, name: str = "") -> Unit:
    return unit_create(actor=None, code=code, name=name or f"Đơn vị {code}",
                       kind="party_committee" if parent is None or code.count(".") < 2 else "cell",
                       parent=parent, sector=sector)


def _event(campaign, organiser, day, *sites, audience="general", partners=(), format="in_person"):
    return event_create(actor=None, campaign=campaign, organiser=organiser, held_on=day, format=format,
                        title="Lớp học tập", sites=list(sites), audience=audience, partners=list(partners))


@pytest.fixture
def district():
    """A province R, its district R.D (sector other) with a commune, a school and a health unit."""
    province = _unit("R", None, Unit.Sector.OTHER, "Đảng bộ tỉnh")
    district = _unit("R.D", province, Unit.Sector.OTHER, "Đảng bộ huyện")
    commune = _unit("R.D.X", district, Unit.Sector.COMMUNE, "Đảng bộ xã Xuân")
    school = _unit("R.D.S", district, Unit.Sector.SCHOOL, "Chi bộ Trường THPT")
    health = _unit("R.D.Y", district, Unit.Sector.HEALTH, "Chi bộ Trung tâm Y tế")
    campaign = make_campaign(province)
    _event(campaign, commune, D(2024, 2, 1), site(commune, other_members=30, non_members=10))
    _event(campaign, commune, D(2024, 2, 2), site(commune, other_members=20, non_members=30),
           audience="workers", partners=["trade_union"])
    _event(campaign, commune, D(2024, 2, 3), site(commune, non_members=60), audience="religious",
           partners=["women_union", "fatherland_front"])
    _event(campaign, school, D(2024, 2, 4), site(school, other_members=10, non_members=40), audience="youth",
           partners=["youth_union"])
    _event(campaign, health, D(2024, 2, 5), site(health, other_members=15))
    _event(campaign, district, D(2024, 2, 6), site(district, other_members=315),
           audience="key_cadres_district")
    # Organised by the province, followed at the district's bridge point: counted where held.
    _event(campaign, province, D(2024, 1, 15), site(district, other_members=95),
           audience="key_cadres_province", format="online")
    return campaign, district, {"commune": commune, "school": school, "health": health}


def test_events_by_sector_audience_and_partner_add_up(district):
    campaign, unit, _units = district
    groups = event_groups(unit=unit, campaign=campaign, as_of=MARCH_31)
    rollup = unit_figures(unit=unit, campaign=campaign, as_of=MARCH_31)

    assert {s: (g.events, g.person_times) for s, g in groups.by_sector.items()} == {
        "commune": (3, 150), "school": (1, 50), "health": (1, 15)}
    # Sectors concern the events the sub-units organised: the roll-up's, less the district's own class
    # (a level line of its own report, not a kind of unit below it).
    assert sum(g.events for g in groups.by_sector.values()) == rollup.tally.events_organised - 1 == 5
    # Audiences: every event held in the subtree, with the person-times counted in it.
    assert sum(g.events for g in groups.by_audience.values()) == rollup.events_held == 7
    assert sum(g.person_times for g in groups.by_audience.values()) == rollup.attendance_person_times
    assert groups.key_cadres == {"province": 95, "district": 315}
    assert groups.key_cadres_total == 410
    assert {p: (g.events, dict(g.by_audience)) for p, g in groups.by_partner.items()} == {
        "trade_union": (1, {"workers": 1}), "women_union": (1, {"religious": 1}),
        "fatherland_front": (1, {"religious": 1}), "youth_union": (1, {"youth": 1})}


def test_a_commune_report_sees_only_its_own_events(district):
    campaign, unit, units = district
    groups = event_groups(unit=units["commune"], campaign=campaign, as_of=MARCH_31)
    # The commune's own classes are its level line, not a kind of unit below it.
    assert {s: g.events for s, g in groups.by_sector.items()} == {}
    assert sum(g.events for g in groups.by_audience.values()) == 3
    assert groups.key_cadres == {}
    # Before the date, nothing: only events held on or before it count.
    early = event_groups(unit=unit, campaign=campaign, as_of=D(2024, 2, 1))
    assert {s: g.events for s, g in early.by_sector.items()} == {"commune": 1}


def test_partial_returns_are_reported_apart_and_never_reach_a_rate(district):
    campaign, unit, units = district
    member_return_save(actor=None, campaign=campaign, unit=units["commune"], as_of=D(2024, 3, 1),
                       members_total=40, exempt=0, away=0, studied=38)
    non_member_return_save(actor=None, campaign=campaign, unit=units["commune"], as_of=D(2024, 3, 1),
                           expected=100, studied=90)
    before = unit_figures(unit=unit, campaign=campaign, as_of=MARCH_31)

    partial_return_save(actor=None, campaign=campaign, unit=units["school"], as_of=D(2024, 3, 10),
                        who="non_members", category="civil_servants", rate_above=Decimal("95"))
    partial_return_save(actor=None, campaign=campaign, unit=units["health"], as_of=D(2024, 3, 10),
                        who="non_members", category="religious", studied_above=60)
    partial_return_save(actor=None, campaign=campaign, unit=units["health"], as_of=D(2024, 3, 12),
                        who="members", studied=12)
    after = unit_figures(unit=unit, campaign=campaign, as_of=MARCH_31)

    # The counting engine is untouched: the same tallies, rates and denominators.
    assert dataclasses.asdict(after.tally) == dataclasses.asdict(before.tally)
    assert (after.rate, after.non_member_rate) == (before.rate, before.non_member_rate) == (
        Decimal("95.00"), Decimal("90.00"))
    facts = known_only(unit=unit, campaign=campaign, as_of=MARCH_31)
    assert [(f.unit.code, f.who, f.category, f.kind, f.value) for f in facts] == [
        ("R.D.S", "non_members", "civil_servants", "rate_above", Decimal("95.00")),
        ("R.D.Y", "members", "", "studied", 12),
        ("R.D.Y", "non_members", "religious", "studied_above", 60),
    ]
    # Not yet in force before its date; gone once full figures dated on or after it arrive.
    assert [f.kind for f in known_only(unit=unit, campaign=campaign, as_of=D(2024, 3, 11))] == [
        "rate_above", "studied_above"]
    member_return_save(actor=None, campaign=campaign, unit=units["health"], as_of=D(2024, 3, 20),
                       members_total=14, exempt=0, away=0, studied=12)
    codes = [f.unit.code for f in known_only(unit=unit, campaign=campaign, as_of=MARCH_31)]
    assert codes == ["R.D.S", "R.D.Y"]
    assert [f.unit.code for f in known_only(unit=unit, campaign=campaign, as_of=D(2024, 3, 15))] == [
        "R.D.S", "R.D.Y", "R.D.Y"]


def test_report_figures_carry_the_groups_and_survive_a_json_round_trip(district):
    campaign, unit, units = district
    partial_return_save(actor=None, campaign=campaign, unit=units["school"], as_of=D(2024, 3, 10),
                        who="non_members", category="civil_servants", rate_above=Decimal("95.5"))
    figures = live_figures(unit=unit, campaign=campaign, as_of=MARCH_31)

    assert list(figures["events_by_sector"]) == ["commune", "school", "health"]
    assert figures["events_by_sector"]["commune"] == {"events": 3, "attendance_person_times": 150}
    assert figures["key_cadres"] == {"attendance_person_times": 410,
                                     "by_level": {"province": 95, "district": 315}}
    assert figures["events_with_partners"]["trade_union"] == {
        "events": 1, "attendance_person_times": 50, "by_audience": {"workers": 1}}
    assert figures["known_only"] == [{
        "code": "R.D.S/non_members/civil_servants", "unit": "R.D.S", "name": "Chi bộ Trường THPT",
        "who": "non_members", "category": "civil_servants", "kind": "rate_above", "as_of": "2024-03-10",
        "studied": None, "studied_above": None, "rate_above": Decimal("95.50")}]
    # The partial fact is in no rate's denominator.
    assert figures["non_party"] == {"eligible": 0, "studied": 0, "rate": None}
    assert from_json(to_json(figures)) == figures
    assert Event.objects.count() == 7
