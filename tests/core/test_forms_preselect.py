"""PreselectsOnlyChoice: a required choice with one sensible record shows it selected."""

import pytest
from django import forms
from django.urls import reverse

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.accounts.services import user_create
from chuyende.core.forms import PreselectsOnlyChoice, ScopedModelChoiceField
from chuyende.members.forms import UnitChoiceField
from chuyende.organisation.models import Unit
from chuyende.organisation.selectors import subtree
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db


class PreselectingForm(PreselectsOnlyChoice, forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none())
    optional = ScopedModelChoiceField(queryset=Unit.objects.none(), required=False)


def cell_reporter() -> User:
    return user_create(actor=None, username="t.dong.reporter", password=TEST_PASSWORD,
                       unit=Unit.objects.get(code="BN.HA.HB.DONG"), role="reporter", full_name="t")


def preselecting_form(actor: User, **initial: object) -> PreselectingForm:
    form = PreselectingForm(initial=initial)
    field = form.fields["unit"]
    assert isinstance(field, UnitChoiceField)
    field.offer_editable(actor, subtree(root=scope_root(actor)))
    optional = form.fields["optional"]
    assert isinstance(optional, ScopedModelChoiceField)
    optional.queryset = Unit.objects.filter(code="BN.HA.HB")
    return form


def test_the_only_editable_unit_is_preselected(users):
    form = preselecting_form(cell_reporter())
    dong = Unit.objects.get(code="BN.HA.HB.DONG")
    assert form["unit"].initial == dong.pk
    assert f'<option value="{dong.pk}" selected>' in str(form["unit"])
    assert form["optional"].initial is None  # not required: left to the user


def test_nothing_preselected_among_several_units_and_a_given_unit_kept(users):
    assert preselecting_form(users.owner)["unit"].initial is None
    hb = Unit.objects.get(code="BN.HA.HB")
    assert preselecting_form(users.owner, unit=hb)["unit"].initial == hb


def test_an_initial_unit_not_offered_is_dropped(users):
    form = preselecting_form(cell_reporter(), unit=Unit.objects.get(code="BN.HA.HB"))
    assert form["unit"].initial == Unit.objects.get(code="BN.HA.HB.DONG").pk


def test_the_event_form_of_a_cell_user_starts_with_their_cell_and_the_campaign(users, client_for, scenario):
    page = client_for(cell_reporter()).get(reverse("events:create"))
    form = page.context["form"]
    assert form["organiser"].value() == Unit.objects.get(code="BN.HA.HB.DONG").pk
    assert form["campaign"].value() == scenario.pk
