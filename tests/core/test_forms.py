"""The scoped choice fields: a well-formed id outside the actor's scope is a 404 whether its record lies in
another subtree or does not exist; an empty or malformed value is a form error."""

import pytest
from django import forms

from chuyende.core.exceptions import NotInScope
from chuyende.core.forms import ScopedModelChoiceField, ScopedMultipleChoiceField
from chuyende.organisation.models import Unit

pytestmark = pytest.mark.django_db

UNKNOWN_ID = 987654321


class OneUnitForm(forms.Form):
    unit = ScopedModelChoiceField(queryset=Unit.objects.none())


class UnitsForm(forms.Form):
    units = ScopedMultipleChoiceField(queryset=Unit.objects.none())


def hoa_binh() -> list[int]:
    return list(Unit.objects.filter(path__startswith=Unit.objects.get(code="BN.HA.HB").path)
                .values_list("pk", flat=True))


def form_of(kind: type[forms.Form], value: object) -> forms.Form:
    form = kind(data={"unit": value} if kind is OneUnitForm else {"units": value})
    field = form.fields["unit" if kind is OneUnitForm else "units"]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = Unit.objects.filter(pk__in=hoa_binh())
    return form


def test_single_field_accepts_a_unit_of_the_scope(scenario_module, db):
    form = form_of(OneUnitForm, Unit.objects.get(code="BN.HA.HB.DONG").pk)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["unit"].code == "BN.HA.HB.DONG"


def test_single_field_raises_not_in_scope_for_an_existing_foreign_unit(scenario_module, db):
    with pytest.raises(NotInScope):
        form_of(OneUnitForm, Unit.objects.get(code="BN.HA.HP").pk).is_valid()


def test_single_field_raises_not_in_scope_for_an_id_of_no_unit(scenario_module, db):
    with pytest.raises(NotInScope):
        form_of(OneUnitForm, UNKNOWN_ID).is_valid()


@pytest.mark.parametrize("value", ["not-a-number", ""])
def test_single_field_gives_a_form_error_for_a_malformed_or_empty_id(value, scenario_module, db):
    form = form_of(OneUnitForm, value)
    assert not form.is_valid()
    assert form.errors["unit"]


def test_multiple_field_accepts_units_of_the_scope(scenario_module, db):
    wanted = [Unit.objects.get(code=code).pk for code in ("BN.HA.HB.DONG", "BN.HA.HB.TAY")]
    form = form_of(UnitsForm, wanted)
    assert form.is_valid(), form.errors
    assert {unit.code for unit in form.cleaned_data["units"]} == {"BN.HA.HB.DONG", "BN.HA.HB.TAY"}


def test_multiple_field_raises_not_in_scope_if_any_unit_is_foreign(scenario_module, db):
    mixed = [Unit.objects.get(code="BN.HA.HB.DONG").pk, UNKNOWN_ID, Unit.objects.get(code="BN.HA.HP.PM").pk]
    with pytest.raises(NotInScope):
        form_of(UnitsForm, mixed).is_valid()


def test_multiple_field_raises_not_in_scope_for_an_id_of_no_unit(scenario_module, db):
    with pytest.raises(NotInScope):
        form_of(UnitsForm, [Unit.objects.get(code="BN.HA.HB.DONG").pk, UNKNOWN_ID]).is_valid()


def test_multiple_field_gives_a_form_error_for_a_malformed_id(scenario_module, db):
    form = form_of(UnitsForm, [Unit.objects.get(code="BN.HA.HB.DONG").pk, "not-a-number"])
    assert not form.is_valid()
    assert form.errors["units"]

