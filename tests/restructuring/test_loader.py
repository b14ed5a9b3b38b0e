"""The reform file loaded through the services: a malformed plan is refused with its path, whole."""

import datetime
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from chuyende.demo.scenario import ScenarioError, load_scenario
from chuyende.organisation.models import Unit
from tests.builders import nothing_written

pytestmark = pytest.mark.usefixtures("db")


def reform_with(tmp_path, change) -> Path:
    document = yaml.safe_load(settings.DEMO_REFORM.read_text(encoding="utf-8"))
    change(document)
    path = tmp_path / "reform.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def unknown_unit(document) -> None:
    document["restructure"]["operations"][1]["units"][1] = "BN.HA.HP.NOPE"


def cycle(document) -> None:
    document["restructure"]["operations"][3]["parent"] = "BN.HA.YT"


def missing_tracking_unit(document) -> None:
    document["tracking_changes"][2]["unit"] = "BN.NOPE"


@pytest.mark.parametrize(("change", "where", "said"), [
    (unknown_unit, "restructure.operations[1]", "BN.HA.HP.NOPE"),
    (cycle, "restructure.operations[3]", "trực thuộc chính nó"),
    (missing_tracking_unit, "tracking_changes[2].unit", "BN.NOPE"),
], ids=["unknown-unit", "cycle", "tracking"])
def test_a_malformed_plan_is_refused_with_its_path_and_nothing_written(scenario, tmp_path, change, where,
                                                                        said):
    path = reform_with(tmp_path, change)
    with pytest.raises(ScenarioError) as caught, nothing_written():
        load_scenario(path)
    assert caught.value.path == where
    assert said in caught.value.message


def test_the_reform_loads_on_the_2024_scenario(scenario):
    load_scenario(settings.DEMO_REFORM)
    assert Unit.objects.get(code="BN.HA").closed_on == datetime.date(2025, 7, 1)


def test_rollup_json_after_the_reform_prints_both_years(scenario):
    import io
    import json

    from django.core.management import call_command

    load_scenario(settings.DEMO_REFORM)

    def figures(*arguments: str) -> dict:
        out = io.StringIO()
        call_command("rollup_json", *arguments, stdout=out)
        return json.loads(out.getvalue())["party_members"]

    merged = figures("--unit", "BN.HBP", "--campaign", "NQ14", "--as-of", "2026-03-31")
    district = figures("--unit", "BN.HA", "--campaign", "CD2024", "--as-of", "2024-03-31")
    assert (merged["studied"], merged["eligible"]) == (106, 108)
    assert (district["studied"], district["eligible"]) == (256, 263)
