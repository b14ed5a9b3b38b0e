"""Aggregate returns: bad input (checked against the campaign's exclusions), scope and roles, audit."""

from typing import Any

import pytest

from chuyende.audit.models import AuditEntry
from chuyende.core.exceptions import NotAllowed, NotInScope
from chuyende.returns.models import MemberReturn, NonMemberReturn
from chuyende.returns.services import member_return_save, non_member_return_save
from tests.builders import D, forbidden, make_campaign, refused
from tests.conftest import unit

pytestmark = pytest.mark.usefixtures("db")


def member_counts(campaign, unit_code: str = "BN.HA.HP.PM", **changes: Any):
    # Phú Mỹ's scenario return: 40 members, 3 exempt, 2 away, 34 studied (35 expected).
    values = {"campaign": campaign, "unit": unit(unit_code), "as_of": D(2024, 3, 20), "members_total": 40,
              "exempt": 3, "away": 2, "studied": 34}
    return {**values, **changes}


def non_member_counts(campaign, unit_code: str = "BN.HA.HP", **changes: Any):
    values = {"campaign": campaign, "unit": unit(unit_code), "as_of": D(2024, 3, 20), "expected": 16,
              "studied": 15}
    return {**values, **changes}


# Bad input

def test_studied_cannot_exceed_the_members_the_campaign_expects(scenario_module):
    # 36 <= 40 members, but the campaign excludes exempt and away: only 35 are expected.
    refused("studied", member_return_save, actor=None, **member_counts(scenario_module, studied=36))
    saved = member_return_save(actor=None, **member_counts(scenario_module, studied=35))
    assert saved.studied == 35


def test_without_exclusions_every_member_is_expected(scenario_module):
    campaign = make_campaign(unit("BN"), excluded=(), code="NOEXCL")
    saved = member_return_save(actor=None, **member_counts(campaign, studied=40))
    assert saved.studied == 40
    refused("studied", member_return_save, actor=None, **member_counts(campaign, studied=41))


def test_exempt_and_away_cannot_exceed_the_total(scenario_module):
    refused("exempt", member_return_save, actor=None,
            **member_counts(scenario_module, members_total=10, exempt=6, away=5, studied=0))


@pytest.mark.parametrize("field", ["members_total", "exempt", "away", "studied"])
def test_negative_member_counts_are_refused(scenario_module, field):
    negative: dict[str, Any] = {field: -1}
    refused(field, member_return_save, actor=None, **member_counts(scenario_module, **negative))


@pytest.mark.parametrize("field", ["expected", "studied"])
def test_negative_non_member_counts_are_refused(scenario_module, field):
    negative: dict[str, Any] = {field: -1}
    refused(field, non_member_return_save, actor=None, **non_member_counts(scenario_module, **negative))


def test_non_members_who_studied_cannot_exceed_those_expected(scenario_module):
    refused("studied", non_member_return_save, actor=None, **non_member_counts(scenario_module, studied=17))


@pytest.mark.parametrize("day", [D(2024, 1, 9), D(2025, 1, 1)], ids=["before-start", "after-end"])
def test_a_return_dated_outside_the_campaign_is_refused(scenario_module, day):
    refused("as_of", member_return_save, actor=None, **member_counts(scenario_module, as_of=day))
    refused("as_of", non_member_return_save, actor=None, **non_member_counts(scenario_module, as_of=day))


@pytest.mark.parametrize("unit_code", ["BN.HA.HB.DONG", "BN.HA.HP"], ids=["kept-by-name", "has-sub-units"])
def test_a_member_return_only_for_a_leaf_that_reports_counts(scenario_module, unit_code):
    refused("unit", member_return_save, actor=None, **member_counts(scenario_module, unit_code))


def test_non_members_are_not_reported_twice_in_one_branch(scenario_module):
    # Hòa Phú already reports non-members; neither its cell nor the district may add their own.
    refused("unit", non_member_return_save, actor=None, **non_member_counts(scenario_module, "BN.HA.HP.PM"))
    refused("unit", non_member_return_save, actor=None, **non_member_counts(scenario_module, "BN.HA"))


# Latest return

def test_a_second_return_on_the_same_day_replaces_the_first(scenario_module):
    first = member_return_save(actor=None, **member_counts(scenario_module, studied=30))
    count = MemberReturn.objects.count()
    second = member_return_save(actor=None, **member_counts(scenario_module, studied=33))
    assert second.pk == first.pk
    assert MemberReturn.objects.count() == count
    assert MemberReturn.objects.get(pk=first.pk).studied == 33


# Scope and roles

def test_an_outsider_naming_a_foreign_unit_is_not_in_scope(scenario_module, actors):
    forbidden(NotInScope, member_return_save, actor=actors.owner, **member_counts(scenario_module))
    forbidden(NotInScope, non_member_return_save, actor=actors.owner, **non_member_counts(scenario_module))


def test_a_viewer_changes_nothing(scenario_module, actors):
    viewer = actors.outsiders["viewer"]  # Hòa Phú's viewer, in scope of Phú Mỹ
    forbidden(NotAllowed, member_return_save, actor=viewer, **member_counts(scenario_module))
    forbidden(NotAllowed, non_member_return_save, actor=viewer, **non_member_counts(scenario_module))


def test_a_reporter_reports_for_their_cells_not_for_the_sibling_commune(scenario_module, actors):
    reporter = actors.outsiders["reporter"]  # Hòa Phú's reporter
    member_return_save(actor=reporter, **member_counts(scenario_module))
    non_member_return_save(actor=reporter, **non_member_counts(scenario_module))
    forbidden(NotInScope, member_return_save, actor=actors.reporter, **member_counts(scenario_module))


# Audit

def test_create_and_replace_each_leave_one_audit_entry(scenario_module, actors):
    reporter = actors.outsiders["reporter"]
    count = AuditEntry.objects.count()
    record = member_return_save(actor=reporter, **member_counts(scenario_module, studied=30))
    entry = AuditEntry.objects.latest("id")
    assert AuditEntry.objects.count() == count + 1
    assert (entry.action, entry.record_type, entry.before) == ("create", "returns.MemberReturn", None)
    assert entry.after is not None
    assert entry.after["studied"] == 30 and entry.after["as_of"] == "2024-03-20"
    assert entry.unit_path == unit("BN.HA.HP.PM").path

    member_return_save(actor=reporter, **member_counts(scenario_module, studied=33))
    entry = AuditEntry.objects.latest("id")
    assert AuditEntry.objects.count() == count + 2
    assert (entry.action, entry.record_id) == ("update", str(record.pk))
    assert entry.before is not None and entry.after is not None
    assert (entry.before["studied"], entry.after["studied"]) == (30, 33)

    non_member_return_save(actor=reporter, **non_member_counts(scenario_module))
    entry = AuditEntry.objects.latest("id")
    assert AuditEntry.objects.count() == count + 3
    assert (entry.action, entry.record_type) == ("create", "returns.NonMemberReturn")
    assert NonMemberReturn.objects.filter(unit=unit("BN.HA.HP"), as_of=D(2024, 3, 20)).exists()
