"""API: the roll-up figures of a unit's subtree for a campaign as of a date."""

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest

from chuyende.api.serializers_core import FiguresSerializer, LevelEventFigures
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.services import campaign_create
from chuyende.figures.snapshot import to_json
from chuyende.organisation.models import Unit
from chuyende.reports.figures import live_figures
from tests.api.conftest import api_url, errors_of

pytestmark = pytest.mark.django_db

URL = api_url("figures/")


def uid(code: str) -> int:
    return Unit.objects.get(code=code).pk


def test_district_figures_as_of_31_march(users, api_for, district, scenario):
    response = api_for(district).get(URL, {"campaign": scenario.pk, "as_of": "2024-03-31"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["unit"] == "BN.HA" and body["as_of"] == "2024-03-31"
    members = body["party_members"]
    assert (members["studied"], members["eligible"], members["rate"]) == (256, 263, "97.34")
    # The dict of the roll-up is the single source: the answer is that dict, as JSON.
    expected = live_figures(
        unit=Unit.objects.get(code="BN.HA"), campaign=scenario, as_of=datetime.date(2024, 3, 31)
    )
    assert body == json.loads(json.dumps(to_json(expected)))


def test_default_unit_is_the_callers_and_a_sub_unit_may_be_chosen(users, api_for, district, scenario):
    own = api_for(users.viewer).get(URL, {"campaign": scenario.pk, "as_of": "2024-03-31"})
    assert own.status_code == 200 and own.json()["unit"] == "BN.HA.HB"
    chosen = api_for(district).get(
        URL, {"campaign": scenario.pk, "as_of": "2024-03-31", "unit": uid("BN.HA.HB")}
    )
    assert chosen.json() == own.json()


def test_a_unit_of_another_subtree_is_404(users, api_for, scenario):
    client = api_for(users.outsiders["viewer"])
    for code in ("BN.HA.HB", "BN.HA", "BN.HA.HB.DONG"):
        assert client.get(URL, {"campaign": scenario.pk, "unit": uid(code)}).status_code == 404, code


def test_a_campaign_of_another_subtree_is_404(users, api_for, scenario):
    hb_campaign = campaign_create(
        actor=None,
        owner=Unit.objects.get(code="BN.HA.HB"),
        code="NQ-HB",
        kind="resolution",
        year=2024,
        title="Nghị quyết",
        starts=datetime.date(2024, 4, 1),
        ends=None,
        study_deadline=datetime.date(2024, 6, 1),
        report_deadline=datetime.date(2024, 6, 15),
        target_rate=Decimal(90),
        excluded_statuses=[],
        rate_precision=2,
        non_party_categories=[],
        guiding_documents=[],
    )
    assert api_for(users.outsiders["officer"]).get(URL, {"campaign": hb_campaign.pk}).status_code == 404
    assert api_for(users.owner).get(URL, {"campaign": hb_campaign.pk}).status_code == 200


def test_bad_parameters_name_the_parameter(users, api_for, scenario):
    client = api_for(users.owner)
    assert list(errors_of(client.get(URL))) == ["campaign"]
    assert list(errors_of(client.get(URL, {"campaign": "x"}))) == ["campaign"]
    missing = client.get(URL, {"campaign": Campaign.objects.count() + 100})
    assert missing.status_code == 404  # like a campaign of another subtree: existence is not revealed
    for as_of in ("31/03/2024", "2024-02-30", "9999-12-31"):
        assert list(errors_of(client.get(URL, {"campaign": scenario.pk, "as_of": as_of}))) == ["as_of"], as_of
    assert list(errors_of(client.get(URL, {"campaign": scenario.pk, "unit": "abc"}))) == ["unit"]


def _shape(value: Any) -> Any:
    """Keys of nested dicts (dict-valued maps keyed by data, like materials, reduced to one entry)."""
    if isinstance(value, dict):
        return {key: _shape(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value and isinstance(value[0], dict) else []
    return None


def _documented(serializer: Any) -> Any:
    from rest_framework import serializers

    if isinstance(serializer, serializers.ListSerializer):
        return [_documented(serializer.child)]
    if isinstance(serializer, serializers.Serializer):
        return {name: _documented(field) for name, field in serializer.fields.items()}
    if isinstance(serializer, serializers.ListField):
        return []
    return None


def test_the_schema_of_the_figures_documents_every_key(users, api_for, district, scenario):
    """FiguresSerializer only documents the dict: it must list the same keys, nested."""
    body = api_for(district).get(URL, {"campaign": scenario.pk, "as_of": "2024-03-31"}).json()
    documented = _documented(FiguresSerializer())
    actual = _shape(body)
    # maps keyed by data (formats, channels, items, ratings, depths) are documented as DictFields
    for key in ("events_by_format", "events_by_level", "level_names", "materials", "events_by_sector",
                "events_by_audience", "events_with_partners"):
        actual[key] = documented[key] = None
    actual["key_cadres"]["by_level"] = documented["key_cadres"]["by_level"] = None
    actual["outreach"]["by_channel"] = documented["outreach"]["by_channel"] = None
    actual["pledges"]["ratings"] = documented["pledges"]["ratings"] = None
    # no campaign of the year before in the scenario: the comparison is null
    assert body["comparison"] is None
    actual["comparison"] = documented["comparison"] = None
    assert actual == documented
    # each level of events_by_level has the documented keys
    level = _documented(LevelEventFigures())
    assert body["events_by_level"]
    for figures in body["events_by_level"].values():
        assert {**_shape(figures), "by_format": None} == {**level, "by_format": None}
