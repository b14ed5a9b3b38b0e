"""The organisation tree: codes, moves (paths and depths), cycles, scope and roles, audit."""

import pytest

from chuyende.audit.models import AuditEntry
from chuyende.core.exceptions import NotAllowed, NotInScope
from chuyende.figures.rollup import unit_figures
from chuyende.organisation.models import PATH_SEGMENT_WIDTH, Unit, path_segment
from chuyende.organisation.selectors import ancestors, subtree
from chuyende.organisation.services import unit_create, unit_update
from tests.builders import D, forbidden, refused
from tests.conftest import unit

pytestmark = pytest.mark.usefixtures("scenario_module", "db")


def update_kwargs(target: Unit, **changes):
    values = {
        "unit": target, "code": target.code, "name": target.name, "kind": target.kind,
        "tracking": target.tracking, "parent": target.parent, "opened_on": target.opened_on,
        "closed_on": target.closed_on,
    }
    return {**values, **changes}


def new_cell(parent: Unit, code: str = "BN.HA.HB.NEW", **extra):
    return {"code": code, "name": "Chi bộ mới", "kind": "cell", "parent": parent, **extra}


# Bad input

def test_duplicate_unit_code_is_refused_on_create():
    refused("code", unit_create, actor=None, **new_cell(unit("BN.HA.HB"), code="BN.HA.HB.DONG"))


def test_duplicate_unit_code_is_refused_on_update():
    target = unit("BN.HA.HB.TAY")
    refused("code", unit_update, actor=None, **update_kwargs(target, code="BN.HA.HB.DONG"))
    assert unit("BN.HA.HB.TAY").name == target.name


def test_closing_before_opening_is_refused():
    refused("closed_on", unit_create, actor=None,
            **new_cell(unit("BN.HA.HB"), opened_on=D(2024, 3, 1), closed_on=D(2024, 2, 1)))


def test_unknown_kind_is_refused():
    refused("kind", unit_create, actor=None, **{**new_cell(unit("BN.HA.HB")), "kind": "club"})


@pytest.mark.parametrize(
    "new_parent", ["BN.HA.HB.DONG", "BN.HA.HB"], ids=["under-descendant", "under-itself"]
)
def test_a_cycle_in_the_tree_is_refused(new_parent):
    commune = unit("BN.HA.HB")
    refused("parent", unit_update, actor=None, **update_kwargs(commune, parent=unit(new_parent)))
    commune.refresh_from_db()
    assert commune.parent is not None and commune.parent.code == "BN.HA"


def test_a_unit_cannot_lose_its_parent():
    commune = unit("BN.HA.HB")
    refused("parent", unit_update, actor=None, **update_kwargs(commune, parent=None))


# Moves

def test_a_move_rewrites_paths_and_depths_of_the_whole_subtree(scenario_module):
    commune, town = unit("BN.HA.HB"), unit("BN.HA.TT")
    old = {u.code: (u.path, u.depth) for u in subtree(root=commune)}
    assert len(old) == 4

    unit_update(actor=None, **update_kwargs(commune, parent=town))

    moved = {u.code: u for u in Unit.objects.filter(code__in=old)}
    new_prefix = town.path + path_segment(commune.pk)
    for code, (old_path, old_depth) in old.items():
        assert moved[code].path == new_prefix + old_path[len(commune.path):]
        assert moved[code].depth == old_depth + 1
        assert moved[code].depth == len(moved[code].path) // PATH_SEGMENT_WIDTH
    assert moved["BN.HA.HB"].parent_id == town.pk
    assert {u.code for u in subtree(root=unit("BN.HA.TT"))} >= set(old)
    assert [u.code for u in ancestors(unit=moved["BN.HA.HB.DONG"])] == ["BN", "BN.HA", "BN.HA.TT", "BN.HA.HB"]
    # Nothing else moved.
    assert unit("BN.HA.HP.PM").path.startswith(unit("BN.HA.HP").path)
    # The roll-up follows: the district total is unchanged, the town now holds Hòa Bình.
    district = unit_figures(unit=unit("BN.HA"), campaign=scenario_module, as_of=D(2024, 3, 31))
    assert district.tally.eligible == 263
    assert [c.unit.code for c in district.children] == ["BN.HA.HP", "BN.HA.TT", "BN.HA.YT", "BN.HA.THPT"]
    town_figures = next(c for c in district.children if c.unit.code == "BN.HA.TT")
    assert town_figures.tally.eligible == 109 + 36


# Scope and roles

def test_an_officer_creates_and_renames_in_their_subtree(actors):
    cell = unit_create(actor=actors.owner, **new_cell(unit("BN.HA.HB")))
    assert cell.path.startswith(unit("BN.HA.HB").path) and cell.depth == 4
    unit_update(actor=actors.owner, **update_kwargs(cell, name="Chi bộ thôn Mới"))
    assert unit("BN.HA.HB.NEW").name == "Chi bộ thôn Mới"


def test_an_outsider_naming_a_foreign_unit_is_not_in_scope(actors):
    outsider = actors.outsiders["officer"]
    forbidden(NotInScope, unit_create, actor=outsider, **new_cell(unit("BN.HA.HB")))
    forbidden(NotInScope, unit_update, actor=outsider, **update_kwargs(unit("BN.HA.HB.DONG"), name="X"))
    # Moving one's own cell under a foreign unit names that unit.
    forbidden(NotInScope, unit_update, actor=outsider,
              **update_kwargs(unit("BN.HA.HP.PM"), parent=unit("BN.HA.HB")))
    parent = unit("BN.HA.HP.PM").parent
    assert parent is not None and parent.code == "BN.HA.HP"


@pytest.mark.parametrize("role", ["viewer", "reporter"])
def test_viewers_and_reporters_do_not_change_the_structure(actors, role):
    actor = actors.viewer if role == "viewer" else actors.reporter
    forbidden(NotAllowed, unit_create, actor=actor, **new_cell(unit("BN.HA.HB")))
    forbidden(NotAllowed, unit_update, actor=actor, **update_kwargs(unit("BN.HA.HB.DONG"), name="X"))


def test_an_officer_cannot_move_their_own_unit(actors):
    hb = unit("BN.HA.HB")
    forbidden(NotAllowed, unit_update, actor=actors.owner, **update_kwargs(hb, parent=unit("BN.HA.HB.TH")))


def test_only_the_system_creates_a_top_unit(actors):
    forbidden(NotAllowed, unit_create, actor=actors.owner, code="TOP", name="Tỉnh khác",
              kind="party_committee", parent=None)


# Audit

def test_create_and_update_each_leave_one_audit_entry(actors):
    hb = unit("BN.HA.HB")
    before = AuditEntry.objects.count()
    cell = unit_create(actor=actors.owner, **new_cell(hb))
    entry = AuditEntry.objects.latest("id")
    assert AuditEntry.objects.count() == before + 1
    assert (entry.action, entry.actor_id, entry.record_type, entry.record_id) == (
        "create", actors.owner.pk, "organisation.Unit", str(cell.pk))
    assert entry.before is None and entry.after is not None
    assert entry.after["code"] == "BN.HA.HB.NEW"
    assert entry.unit_path == cell.path

    unit_update(actor=actors.owner, **update_kwargs(cell, name="Chi bộ đổi tên"))
    entry = AuditEntry.objects.latest("id")
    assert AuditEntry.objects.count() == before + 2
    assert entry.action == "update"
    assert entry.before is not None and entry.after is not None
    assert (entry.before["name"], entry.after["name"]) == ("Chi bộ mới", "Chi bộ đổi tên")
    assert [name for name, _old, _new in entry.changed_fields()] == ["name"]


def test_a_move_is_audited_with_the_old_and_new_path():
    commune, town = unit("BN.HA.HB"), unit("BN.HA.TT")
    unit_update(actor=None, **update_kwargs(commune, parent=town))
    entry = AuditEntry.objects.latest("id")
    assert entry.before is not None and entry.after is not None
    assert entry.before["path"] == commune.path
    assert entry.after["path"] == town.path + path_segment(commune.pk)
    assert entry.after["parent_id"] == town.pk
