"""Pledges: registering, the cell's year-end rating (all or nothing) and pledge returns."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chuyende.audit.models import AuditEntry
from chuyende.core.exceptions import NotAllowed, NotInScope
from chuyende.members.models import Member
from chuyende.members.services import member_status_change
from chuyende.pledges.models import Pledge, PledgeReturn
from chuyende.pledges.services import (
    RatingData,
    cell_ratings_save,
    excluded_status_of,
    pledge_register,
    pledge_return_save,
    pledge_update,
)
from tests.builders import D
from tests.conftest import unit
from tests.pledges.helpers import nothing_written, pledge_values

pytestmark = pytest.mark.usefixtures("db")

TEXT = "Gương mẫu thực hiện nhiệm vụ, giúp đỡ hộ nghèo trong thôn"


def member(code: str) -> Member:
    return Member.objects.select_related("unit").get(code=code)


def pledge_of(code: str) -> Pledge:
    return Pledge.objects.select_related("member").get(member__code=code)


def refused(field: str, call: Any, /, **kwargs: Any) -> dict[str, list[str]]:
    """Calls a service expecting a ValidationError on `field` only, with nothing created or changed."""
    before = pledge_values()
    with pytest.raises(ValidationError) as caught, nothing_written():
        call(**kwargs)
    assert list(caught.value.message_dict) == [field], caught.value.message_dict
    assert all(caught.value.message_dict[field]), "an empty message"
    assert pledge_values() == before
    return caught.value.message_dict


def rating_refused(**kwargs: Any) -> dict[str, list[str]]:
    """cell_ratings_save refused as a whole: no pledge changed, nothing written."""
    before = pledge_values()
    with pytest.raises(ValidationError) as caught, nothing_written():
        cell_ratings_save(**kwargs)
    assert pledge_values() == before
    return caught.value.message_dict


REGISTERED = D(2024, 3, 20)
RATED = D(2024, 12, 27)


def register(campaign: Any, code: str, day: Any = REGISTERED, **changes: Any) -> dict[str, Any]:
    return {"actor": None, "campaign": campaign, "member": member(code), "registered_on": day, "text": TEXT,
            **changes}


def pledge_counts(campaign: Any, unit_code: str = "BN.HA.HP.PM", **changes: Any) -> dict[str, Any]:
    # Phú Mỹ's return of 31/03/2024: 40 members, 3 exempt, 2 away, so 35 expected.
    values = {"actor": None, "campaign": campaign, "unit": unit(unit_code), "as_of": D(2024, 12, 20),
              "registered": 35, "excellent": 10, "good": 20, "not_met": 5}
    return {**values, **changes}


# --- the scenario as loaded --------------------------------------------------------------------


def test_scenario_pledges_are_registered_and_rated(scenario_module):
    pledges = Pledge.objects.filter(campaign=scenario_module)
    assert pledges.count() == 48
    assert set(pledges.values_list("registered_on", flat=True)) == {D(2024, 3, 20)}
    assert set(pledges.values_list("rated_on", flat=True)) == {D(2024, 12, 20)}
    assert pledge_of("HB-DONG-07").rating == "not_met"
    assert not Pledge.objects.filter(member__code="HB-DONG-18").exists()


# --- registering --------------------------------------------------------------------------------


def test_a_member_registers_a_pledge_with_an_audit_entry(scenario_module):
    audits = AuditEntry.objects.count()
    pledge = pledge_register(**register(scenario_module, "HB-DONG-18", text=f"  {TEXT}  "))
    assert (pledge.member.code, pledge.text, pledge.rating, pledge.rated_on) == ("HB-DONG-18", TEXT, "", None)
    assert AuditEntry.objects.count() == audits + 1
    assert excluded_status_of(member=pledge.member, campaign=scenario_module, day=REGISTERED) is None


@pytest.mark.parametrize(("code", "status"), [("HB-DONG-01", "exempt"), ("HB-DONG-03", "away")])
def test_a_member_the_campaign_excludes_is_saved_and_the_status_reported(scenario_module, code, status):
    pledge = pledge_register(**register(scenario_module, code))
    assert Pledge.objects.filter(pk=pledge.pk).exists()
    assert excluded_status_of(member=pledge.member, campaign=scenario_module, day=D(2024, 3, 20)) == status


@pytest.mark.parametrize("status", ["transferred_out", "deceased"])
def test_a_member_who_left_before_the_day_cannot_register(scenario_module, status):
    member_status_change(actor=None, member=member("HB-DONG-18"), status=status, since=D(2024, 2, 1))
    errors = refused("member", pledge_register, **register(scenario_module, "HB-DONG-18"))
    assert "Trần Ngọc Hoa" in errors["member"][0]
    # Before leaving, the same member could register.
    assert pledge_register(**register(scenario_module, "HB-DONG-18", day=D(2024, 1, 31)))


def test_a_second_pledge_for_the_same_campaign_is_refused(scenario_module):
    errors = refused("member", pledge_register, **register(scenario_module, "HB-DONG-04"))
    assert "Lò Ngọc Nga" in errors["member"][0]


def test_an_empty_pledge_and_a_day_outside_the_campaign_are_refused(scenario_module):
    refused("text", pledge_register, **register(scenario_module, "HB-DONG-18", text="   "))
    refused("registered_on", pledge_register, **register(scenario_module, "HB-DONG-18", day=D(2025, 1, 2)))


def test_roles_and_scope(scenario_module, actors):
    with pytest.raises(NotAllowed), nothing_written():
        pledge_register(**register(scenario_module, "HB-DONG-18", actor=actors.viewer))
    with pytest.raises(NotInScope), nothing_written():
        pledge_register(**register(scenario_module, "HB-DONG-18", actor=actors.outsiders["officer"]))
    assert pledge_register(**register(scenario_module, "HB-DONG-18", actor=actors.reporter))


def test_update_refuses_a_day_after_the_rating_or_when_the_member_had_left(scenario_module):
    pledge = pledge_of("HB-DONG-05")  # rated on 20/12/2024
    refused("registered_on", pledge_update, actor=None, pledge=pledge, registered_on=D(2024, 12, 21),
            text=TEXT)
    member_status_change(actor=None, member=member("HB-DONG-05"), status="transferred_out",
                         since=D(2024, 6, 1))
    pledge = pledge_of("HB-DONG-05")
    refused("registered_on", pledge_update, actor=None, pledge=pledge, registered_on=D(2024, 7, 1),
            text=TEXT)
    updated = pledge_update(actor=None, pledge=pledge, registered_on=D(2024, 4, 1), text=TEXT)
    assert (updated.registered_on, updated.text) == (D(2024, 4, 1), TEXT)


# --- the cell's rating --------------------------------------------------------------------------


def dong(campaign: Any, *rows: RatingData, rated_on: Any = RATED) -> dict[str, Any]:
    return {"actor": None, "campaign": campaign, "unit": unit("BN.HA.HB.DONG"), "rated_on": rated_on,
            "ratings": list(rows)}


def test_a_whole_cell_is_rated_in_one_call(scenario_module):
    codes = [f"HB-DONG-{n:02}" for n in range(4, 18)]
    audits = AuditEntry.objects.count()
    changed = cell_ratings_save(**dong(scenario_module, *(
        RatingData(member=member(code), rating="good", note=" Hoàn thành tốt ") for code in codes
    )))
    # Every row changes: those already rated good on 20/12 get the new date.
    assert changed == 14
    assert AuditEntry.objects.count() == audits + 14
    rated = Pledge.objects.filter(member__unit__code="BN.HA.HB.DONG")
    assert {(p.rating, p.rated_on, p.rating_note) for p in rated} == {("good", RATED, "Hoàn thành tốt")}


def test_an_empty_rating_clears_it_and_an_unchanged_row_is_not_written(scenario_module):
    same = RatingData(member=member("HB-DONG-04"), rating="excellent")
    cleared = RatingData(member=member("HB-DONG-05"), rating="")
    assert cell_ratings_save(**dong(scenario_module, same, cleared, rated_on=D(2024, 12, 20))) == 1
    assert (pledge_of("HB-DONG-05").rating, pledge_of("HB-DONG-05").rated_on) == ("", None)


def test_rating_a_member_without_a_pledge_refuses_the_whole_cell(scenario_module):
    without = member("HB-DONG-18")
    errors = rating_refused(**dong(scenario_module, RatingData(member=member("HB-DONG-04"), rating="not_met"),
                                   RatingData(member=without, rating="good")))
    assert list(errors) == [f"member-{without.pk}"]
    assert "Trần Ngọc Hoa" in errors[f"member-{without.pk}"][0]


def test_rating_before_the_pledge_was_registered_is_refused(scenario_module):
    pledge_update(actor=None, pledge=pledge_of("HB-DONG-06"), registered_on=D(2024, 6, 1), text=TEXT)
    rows = [RatingData(member=member(code), rating="excellent") for code in ("HB-DONG-04", "HB-DONG-06")]
    errors = rating_refused(**dong(scenario_module, *rows, rated_on=D(2024, 5, 1)))
    key = f"member-{member('HB-DONG-06').pk}"
    assert list(errors) == [key]
    assert "Bùi Ngọc Linh" in errors[key][0]
    assert "01/06/2024" in errors[key][0]


def test_a_member_of_another_cell_is_refused(scenario_module):
    other = member("HB-TAY-04")
    errors = rating_refused(**dong(scenario_module, RatingData(member=other, rating="good")))
    assert list(errors) == [f"member-{other.pk}"]
    assert "Hoàng Thu Nga" in errors[f"member-{other.pk}"][0]


def test_an_unknown_rating_and_a_day_outside_the_campaign_are_refused(scenario_module):
    row = RatingData(member=member("HB-DONG-04"), rating="perfect")
    assert list(rating_refused(**dong(scenario_module, row))) == [f"member-{row.member.pk}"]
    good = RatingData(member=member("HB-DONG-04"), rating="good")
    assert list(rating_refused(**dong(scenario_module, good, rated_on=D(2025, 1, 5)))) == ["rated_on"]


def test_rating_roles_and_scope(scenario_module, actors):
    row = RatingData(member=member("HB-DONG-04"), rating="good")
    with pytest.raises(NotAllowed), nothing_written():
        cell_ratings_save(**{**dong(scenario_module, row), "actor": actors.viewer})
    with pytest.raises(NotInScope), nothing_written():
        cell_ratings_save(**{**dong(scenario_module, row), "actor": actors.outsiders["officer"]})


# --- pledge returns -----------------------------------------------------------------------------


def test_a_pledge_return_is_saved_and_replaced_on_the_same_day(scenario_module):
    first = pledge_return_save(**pledge_counts(scenario_module))
    again = pledge_return_save(**pledge_counts(scenario_module, good=21, not_met=4))
    assert first.pk == again.pk
    assert (again.registered, again.excellent, again.good, again.not_met, again.rated) == (35, 10, 21, 4, 35)


def test_more_rated_than_registered_is_refused(scenario_module):
    errors = refused("excellent", pledge_return_save, **pledge_counts(scenario_module, registered=30))
    assert "35" in errors["excellent"][0] and "30" in errors["excellent"][0]


@pytest.mark.parametrize("field", ["registered", "excellent", "good", "not_met"])
def test_negative_counts_are_refused(scenario_module, field):
    negative: dict[str, Any] = {field: -1}
    refused(field, pledge_return_save, **pledge_counts(scenario_module, **negative))


def test_more_registered_than_the_members_expected_is_refused(scenario_module):
    refused("registered", pledge_return_save, **pledge_counts(scenario_module, registered=36))


@pytest.mark.parametrize("unit_code", ["BN.HA.HB.DONG", "BN.HA.HP"])
def test_a_unit_kept_by_name_or_with_sub_units_sends_no_pledge_return(scenario_module, unit_code):
    refused("unit", pledge_return_save, **pledge_counts(scenario_module, unit_code, registered=5, excellent=0,
                                                         good=0, not_met=0))


def test_pledge_return_roles_and_scope(scenario_module, actors):
    with pytest.raises(NotAllowed), nothing_written():
        pledge_return_save(**pledge_counts(scenario_module, actor=actors.outsiders["viewer"]))
    with pytest.raises(NotInScope), nothing_written():
        pledge_return_save(**pledge_counts(scenario_module, actor=actors.owner))
    assert PledgeReturn.objects.filter(unit__code="BN.HA.HP.PM", as_of=D(2024, 12, 20)).count() == 0
