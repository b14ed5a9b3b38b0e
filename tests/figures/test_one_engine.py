"""One counting engine: every count, rate, leaf, "open on" and "in force" is the figures package's.

These tests read the source tree: the second ways of counting that were removed (issue 11) cannot
come back unnoticed, and the figures package depends on no app that depends on it.
"""

import ast
import datetime
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from chuyende.events.services import SiteData, event_create
from chuyende.figures.events import event_lines, report_events
from chuyende.figures.rules import in_force, in_force_ids, is_open_on, leaves_on, open_on
from chuyende.figures.snapshot import from_json, to_json
from chuyende.organisation.models import Unit
from chuyende.reports.figures import live_figures
from tests.conftest import unit

PACKAGE = Path(__file__).resolve().parents[2] / "chuyende"
FIGURES = PACKAGE / "figures"
MARCH_31 = datetime.date(2024, 3, 31)


def _sources() -> dict[str, str]:
    """{module name: source} of every module of the app but migrations."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        found[name] = path.read_text(encoding="utf-8")
    return found


def _outside_figures() -> dict[str, str]:
    return {name: text for name, text in _sources().items() if not name.startswith("chuyende.figures")}


# What each removed way of counting looked like, and why it may only live in the figures package.
SECOND_WAYS = {
    "unit open on a day (use figures.rules.open_on / is_open_on)":
        re.compile(r"opened_on__(?:lte|lt|gt|gte)\b|opened_on\s*(?:<=|<|>=|>)|opened_on is None or"),
    "a unit closed on a day (use figures.rules.open_on / is_open_on)":
        re.compile(r"closed_on__(?:gt|gte)\b.*\n?.*opened_on|unit\.closed_on\s*>"),
    "the return in force (use figures.rules.in_force / in_force_of)":
        re.compile(r"def in_force|order_by\(\"-as_of\"\)\s*\.first\(\)|\.as_of\s*>\s*latest\["),
    "counting or summing records (ask the figures package)":
        re.compile(r"\b(?:Count|Sum|Avg)\("),
    "parsing a rate back from text (read the typed figures, or figures.snapshot.from_json)":
        re.compile(r"Decimal\(str\(|InvalidOperation"),
    "a roster by status (use figures.roster)":
        re.compile(r"def roster_counts"),
    "event lines or per-level sums built from the figures dict (use figures.events)":
        re.compile(r"[\"']organised_here[\"']|(?:get\(|\[)[\"']organiser_depth[\"']"),
}

# Modules that may match a pattern above for another reason than counting, with the reason.
ALLOWED = {
    # The claim reader checks the arithmetic of any report's text ("97,34%"), parsing its numbers.
    ("chuyende.reports.claims", "parsing a rate back from text (read the typed figures, or "
                                    "figures.snapshot.from_json)"),
    # The import reader parses a decimal typed in a spreadsheet cell.
    ("chuyende.imports.reading", "parsing a rate back from text (read the typed figures, or "
                                 "figures.snapshot.from_json)"),
    # Printing a number: any int, float or Decimal given to the formatter.
    ("chuyende.core.numbers", "parsing a rate back from text (read the typed figures, or "
                              "figures.snapshot.from_json)"),
    # The change log prints a value stored in a record's snapshot (a decimal kept as text) as pages do.
    ("chuyende.audit.display", "parsing a rate back from text (read the typed figures, or "
                               "figures.snapshot.from_json)"),
    # The top bar's badge: how many of the user's notifications are unread, not a figure of a campaign.
    ("chuyende.notifications.selectors", "counting or summing records (ask the figures package)"),
    # The demo scenario's target rate, read from its YAML file.
    ("chuyende.demo.scenario", "parsing a rate back from text (read the typed figures, or "
                               "figures.snapshot.from_json)"),
}


def test_no_second_way_of_counting_outside_the_figures_package():
    found = []
    for name, text in _outside_figures().items():
        for what, pattern in SECOND_WAYS.items():
            if (name, what) in ALLOWED:
                continue
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{name}:{line}: {what}: {match.group()!r}")
    assert found == [], "\n".join(found)


def test_the_patterns_still_find_what_they_were_written_for():
    """The check above is not vacuous: each pattern finds the code it forbids."""
    samples = {
        "unit open on a day (use figures.rules.open_on / is_open_on)":
            "Q(opened_on__isnull=True) | Q(opened_on__lte=day)",
        "a unit closed on a day (use figures.rules.open_on / is_open_on)": "unit.closed_on > day",
        "the return in force (use figures.rules.in_force / in_force_of)":
            'MemberReturn.objects.filter(as_of__lte=day).order_by("-as_of").first()',
        "counting or summing records (ask the figures package)": '.annotate(n=Count("id"))',
        "parsing a rate back from text (read the typed figures, or figures.snapshot.from_json)":
            'Decimal(str(figures["rate"]))',
        "a roster by status (use figures.roster)": "def roster_counts(*, unit, day):",
        "event lines or per-level sums built from the figures dict (use figures.events)":
            'line.get("organised_here")',
    }
    assert samples.keys() == SECOND_WAYS.keys()
    for what, sample in samples.items():
        assert SECOND_WAYS[what].search(sample), what
    for name, what in ALLOWED:
        assert SECOND_WAYS[what].search(_sources()[name]), f"{name} no longer needs its exception"


def _imports(name: str, text: str) -> set[str]:
    """The chuyende modules a module imports (at any place in it)."""
    found = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {module for module in found if module.startswith("chuyende.")}


def _graph() -> dict[str, set[str]]:
    sources = _sources()
    return {name: {module for module in _imports(name, text) if module in sources and module != name}
            for name, text in sources.items()}


def _reaches(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for module in graph.get(todo.pop(), ()):
            if module not in seen:
                seen.add(module)
                todo.append(module)
    return seen


# The figures package's modules that serve pages or commands rather than count.
# Modules of the package that present the figures (pages, exports, the home's tasks) rather than count.
CONSUMERS = {"chuyende.figures.views", "chuyende.figures.urls", "chuyende.figures.forms",
             "chuyende.figures.selectors", "chuyende.figures.apps", "chuyende.figures.exports",
             "chuyende.figures.home"}


def test_no_import_cycle_through_the_figures_package():
    graph = _graph()
    cycles = sorted(module for module in graph
                    if module.startswith("chuyende.figures") and module in _reaches(graph, module))
    assert cycles == []


def test_the_engine_reads_models_only():
    """The counting modules import other apps' models (and core) only: never the reports app, and
    never a module that imports them back."""
    graph = _graph()
    wrong = {}
    for module, imported in graph.items():
        if not module.startswith("chuyende.figures") or module in CONSUMERS or ".management." in module:
            continue
        outside = {name for name in imported
                   if not name.startswith(("chuyende.figures", "chuyende.core"))
                   and not name.endswith(".models")}
        if outside:
            wrong[module] = sorted(outside)
    assert wrong == {}
    assert not any(name.startswith("chuyende.reports") for module in graph if module.startswith(
        "chuyende.figures") for name in graph[module])


def test_outreach_and_reports_need_the_engine_not_the_reverse():
    graph = _graph()
    for app in ("chuyende.reports", "chuyende.outreach"):
        back = {module for module in graph if module.startswith("chuyende.figures")
                for name in graph[module] if name.startswith(app + ".") and not name.endswith(".models")}
        assert back == set(), app


# --- the rules, written once ------------------------------------------------------------------


def test_open_on_a_day():
    day = datetime.date(2024, 3, 1)
    assert is_open_on(None, None, day)
    assert is_open_on(day, None, day)  # opened that day
    assert not is_open_on(None, day, day)  # closed that day
    assert not is_open_on(day + datetime.timedelta(days=1), None, day)
    assert is_open_on(None, day + datetime.timedelta(days=1), day)
    opened, leaves = leaves_on([(1, None, None, None), (2, 1, None, day), (3, 1, None, None),
                                (4, 3, None, day)], day)
    assert (opened, leaves) == ({1, 3}, {3})  # 3's only sub-unit has closed: it reports itself


@pytest.mark.django_db
def test_open_on_filters_as_is_open_on_decides(scenario_module):
    for day in (datetime.date(2023, 12, 31), MARCH_31, datetime.date(2025, 1, 1)):
        by_query = set(Unit.objects.filter(open_on(day)).values_list("pk", flat=True))
        by_value = {pk for pk, opened, closed in Unit.objects.values_list("pk", "opened_on", "closed_on")
                    if is_open_on(opened, closed, day)}
        assert by_query == by_value


class _Return:
    def __init__(self, pk: int, unit_id: int, as_of: datetime.date) -> None:
        self.pk, self.campaign_id, self.unit_id, self.as_of = pk, 1, unit_id, as_of


def test_the_return_in_force_is_the_latest_on_or_before_the_day():
    returns = [_Return(1, 10, datetime.date(2024, 2, 29)), _Return(2, 10, MARCH_31),
               _Return(3, 11, datetime.date(2024, 4, 30))]
    assert in_force_ids(returns, datetime.date(2024, 3, 30)) == {1}
    assert in_force_ids(returns, MARCH_31) == {2}
    assert {r.pk for r in in_force(returns, datetime.date(2024, 5, 1)).values()} == {2, 3}


# --- the frozen snapshot -----------------------------------------------------------------------


def _flat_keys(value: object, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        return {key for name, inner in value.items() for key in _flat_keys(inner, f"{prefix}.{name}")}
    if isinstance(value, list):
        return {key for index, inner in enumerate(value) for key in _flat_keys(inner, f"{prefix}[{index}]")}
    return {prefix}


@pytest.mark.django_db
def test_the_snapshot_does_not_grow_with_the_number_of_events(scenario_module):
    district = unit("BN.HA")
    before = to_json(live_figures(unit=district, campaign=scenario_module, as_of=MARCH_31))
    cell = unit("BN.HA.HB.DONG")
    for day in range(1, 29):
        event_create(actor=None, campaign=scenario_module, organiser=cell,
                     held_on=datetime.date(2024, 2, day), format="cell_meeting",
                     title=f"Sinh hoạt chi bộ {day}", sites=[SiteData(unit=cell, other_members=3)])
    after = to_json(live_figures(unit=district, campaign=scenario_module, as_of=MARCH_31))
    assert after["events_held"] == before["events_held"] + 28
    assert len(event_lines(unit=district, campaign=scenario_module, as_of=MARCH_31)) == after["events_held"]
    # The same figures, with larger numbers: no line per event.
    assert _flat_keys(after) == _flat_keys(before)
    assert len(json.dumps(after)) - len(json.dumps(before)) < 40


@pytest.mark.django_db
def test_levels_count_each_event_where_its_bridge_points_are(scenario_module):
    """Every event counts once at each level hosting its bridge points (the province's conference at
    the district and at the communes), so the levels' person-times add up to the subtree's and each
    level's parts add up to the level."""
    events = report_events(unit=unit("BN.HA"), campaign=scenario_module, as_of=MARCH_31)
    lines = event_lines(unit=unit("BN.HA"), campaign=scenario_module, as_of=MARCH_31)
    assert sum(level.events for level in events.levels) == sum(len(line.host_depths) for line in lines) == 10
    assert sum(level.attendance_person_times for level in events.levels) == sum(
        line.attendance_person_times for line in lines) == 605
    for level in events.levels:
        assert sum(part.events for part in level.parts) == level.events
        assert sum(part.attendance_person_times for part in level.parts) == level.attendance_person_times
    assert [(level.depth, level.events, level.attendance_person_times) for level in events.levels] == [
        (2, 2, 158), (3, 5, 428), (4, 3, 19)]
    assert [line.code for line in events.attended] == ["E1"]
    assert [line.code for line in events.conferences] == ["E1", "E2"]
    assert events.by_kind == {"conferences": 5, "cell_meetings": 3, "self_study": 1, "other": 0}
    assert sum(events.by_kind.values()) == len(lines) == 9


@pytest.mark.django_db
def test_a_frozen_snapshot_reads_back_as_the_live_figures(scenario_module):
    live = live_figures(unit=unit("BN.HA"), campaign=scenario_module, as_of=MARCH_31)
    frozen = json.loads(json.dumps(to_json(live)))
    assert frozen["party_members"]["rate"] == "97.34"
    assert from_json(frozen) == live
    assert from_json(frozen)["party_members"]["rate"] == Decimal("97.34")


def test_a_snapshot_frozen_with_one_line_per_event_reads_back_per_level():
    old = {"events": [
        {"code": "E1", "title": "Hội nghị", "held_on": "2024-01-15", "format": "online", "organiser": "Tỉnh",
         "organiser_depth": 1, "organised_here": False, "sites": 5, "member_person_times": 300,
         "non_member_person_times": 74},
        {"code": "E2", "title": "Học bù", "held_on": "2024-02-01", "format": "video", "organiser": "Xã",
         "organiser_depth": 3, "organised_here": True, "sites": 1, "member_person_times": 20,
         "non_member_person_times": 1},
        {"code": "E3", "title": "Sinh hoạt", "held_on": "2024-02-02", "format": "video", "organiser": "Xã",
         "organiser_depth": 3, "organised_here": True, "sites": 1, "member_person_times": 9,
         "non_member_person_times": 0},
    ], "target_rate": "95.00"}
    thawed = from_json(old)
    assert "events" not in thawed
    assert [line["code"] for line in thawed["events_attended"]] == ["E1"]
    assert thawed["events_attended"][0]["attendance_person_times"] == 374
    assert thawed["events_by_level"] == {"3": {
        "events": 2, "by_format": {"video": 2}, "member_person_times": 29, "non_member_person_times": 1,
        "attendance_person_times": 30}}
    assert thawed["target_rate"] == Decimal("95.00")
