"""The scenario loader: the demo loads; a malformed file is refused at the entry at fault, all or nothing."""

import copy

import pytest
import yaml
from django.conf import settings

from chuyende.audit.models import AuditEntry
from chuyende.campaigns.models import Campaign
from chuyende.demo.scenario import ScenarioError, load_scenario
from chuyende.events.models import Event, Site
from chuyende.members.models import Member
from chuyende.organisation.models import Level, Unit
from chuyende.returns.models import MemberReturn

pytestmark = pytest.mark.django_db

SOURCE = yaml.safe_load(settings.DEMO_SCENARIO.read_text(encoding="utf-8"))


def event_index(code: str) -> int:
    return next(i for i, e in enumerate(SOURCE["events"]) if e["code"] == code)


def test_the_demo_loads():
    campaign = load_scenario(settings.DEMO_SCENARIO)
    assert campaign.code == SOURCE["campaign"]["code"]
    assert Unit.objects.count() == len(SOURCE["units"])
    assert Member.objects.count() == len(SOURCE["members"])
    assert Event.objects.count() == len(SOURCE["events"])
    assert Site.objects.count() == sum(len(e["sites"]) for e in SOURCE["events"])
    assert set(Unit.objects.filter(tracking=Unit.Tracking.INDIVIDUAL).values_list("code", flat=True)) == {
        u["code"] for u in SOURCE["units"]
        if any(u["code"] == t or u["code"].startswith(t + ".") for t in SOURCE["individually_tracked"])
    }
    # The superseded return of Phú Lộc is kept: the roll-up picks the latest by date.
    assert MemberReturn.objects.count() == len(SOURCE["aggregate_returns"])
    assert Event.objects.get(code="E7").is_make_up


def _break_missing_key(doc):
    del doc["units"][2]["name"]


def _break_wrong_type(doc):
    doc["members"][0]["birth_year"] = "1946"


def _break_wrong_type_of_count(doc):
    doc["aggregate_returns"][1]["studied"] = 29.5


def _break_unknown_site_unit(doc):
    doc["events"][0]["sites"][1]["unit"] = "BN.HA.XX"


def _break_unknown_attendee(doc):
    doc["events"][event_index("E2")]["sites"][0]["attendees"][0] = "NOBODY-01"


def _break_attendee_not_under_site(doc):
    doc["events"][event_index("E4a")]["sites"][0]["attendees"].append("HB-TAY-04")


def _break_studied_over_eligible(doc):
    entry = doc["aggregate_returns"][0]  # Phú Mỹ: 40 members, 3 exempt, 2 away -> 35 expected
    entry["studied"] = entry["members_total"] - entry["exempt"] - entry["away"] + 1


def _break_unknown_parent(doc):
    doc["units"][3]["parent"] = "BN.HA.ZZ"


def _break_bad_date(doc):
    doc["events"][event_index("E3")]["date"] = "27/02/2024"


def _break_event_outside_campaign(doc):
    doc["events"][event_index("E8")]["date"] = "2023-12-01"


def _break_not_a_list(doc):
    doc["events"][0]["sites"] = {"unit": "BN.HA"}


@pytest.mark.parametrize(
    ("breaker", "path"),
    [
        (_break_missing_key, "units[2].name"),
        (_break_wrong_type, "members[0].birth_year"),
        (_break_wrong_type_of_count, "aggregate_returns[1].studied"),
        (_break_unknown_site_unit, "events[0].sites[1].unit"),
        (_break_unknown_attendee, f"events[{event_index('E2')}].sites[0].attendees[0]"),
        (_break_attendee_not_under_site, f"events[{event_index('E4a')}]"),
        (_break_studied_over_eligible, "aggregate_returns[0]"),
        (_break_unknown_parent, "units[3].parent"),
        (_break_bad_date, f"events[{event_index('E3')}].date"),
        (_break_event_outside_campaign, f"events[{event_index('E8')}]"),
        (_break_not_a_list, "events[0].sites"),
    ],
    ids=lambda value: value.__name__.removeprefix("_break_") if callable(value) else None,
)
def test_a_malformed_scenario_is_refused_at_the_entry_and_nothing_is_written(tmp_path, breaker, path):
    document = copy.deepcopy(SOURCE)
    breaker(document)
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")

    with pytest.raises(ScenarioError) as caught:
        load_scenario(broken)

    assert caught.value.path == path
    assert str(caught.value).startswith(f"{path}: ")
    for model in (Level, Unit, Campaign, Member, Event, MemberReturn, AuditEntry):
        assert model.objects.count() == 0, model.__name__


@pytest.mark.parametrize(
    "text", ["units: [unclosed", "- just\n- a list\n"], ids=["not-yaml", "not-a-mapping"]
)
def test_a_file_that_is_not_a_scenario_is_refused(tmp_path, text):
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(broken)
    assert caught.value.path == str(broken)
    assert Unit.objects.count() == 0
