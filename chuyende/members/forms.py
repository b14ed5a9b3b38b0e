"""Forms of the member roster. They only shape input; every rule is checked by the services."""

import datetime
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import can_edit, scope_root
from chuyende.core.forms import DateInput, PreselectsOnlyChoice, ScopedModelChoiceField
from chuyende.members.models import Member, MemberStatusChoices
from chuyende.organisation.models import Unit
from chuyende.organisation.selectors import subtree

FieldT = TypeVar("FieldT", bound=forms.Field)


def field_of(form: forms.BaseForm, name: str, kind: type[FieldT]) -> FieldT:
    """A form's field with its own type (for setting a queryset, reading offered units)."""
    field = form.fields[name]
    assert isinstance(field, kind)
    return field


def offered_units(form: forms.BaseForm, name: str = "unit") -> list[Unit]:
    return field_of(form, name, UnitChoiceField).offered


def apply_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Shows a service's ValidationError on the form: on the named field if the form has it."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def editable_units(actor: User, units: QuerySet[Unit]) -> QuerySet[Unit]:
    """The units of `units` the actor may change (permission rules live in accounts.permissions)."""
    allowed = [unit.pk for unit in units if can_edit(actor, unit)]
    return Unit.objects.filter(pk__in=allowed).order_by("path")


def roster_units(actor: User) -> QuerySet[Unit]:
    """Units of the actor's subtree that keep their members one by one."""
    return subtree(root=scope_root(actor)).filter(tracking=Unit.Tracking.INDIVIDUAL)


class UnitChoiceField(ScopedModelChoiceField):
    """A unit of the user's subtree. Ids outside the subtree are a 404 (ScopedModelChoiceField)."""

    offered: list[Unit]

    def label_from_instance(self, obj: Unit) -> str:  # type: ignore[override]
        return obj.name

    def offer_editable(self, actor: User, offer: QuerySet[Unit]) -> None:
        """Accepts any unit of the actor's subtree but offers only those of `offer` they may change.

        A unit outside the subtree is refused by this field (404), whatever the actor's role; a
        unit of the subtree they may not change, or of the wrong kind, by the service (403 or a
        message on the form).
        """
        self.queryset = subtree(root=scope_root(actor)).order_by("path")
        self.offered = [unit for unit in offer.order_by("path") if can_edit(actor, unit)]
        empty = [("", self.empty_label)] if self.empty_label is not None else []
        self.choices = [*empty, *((unit.pk, self.label_from_instance(unit)) for unit in self.offered)]


def _year_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Birth year"), widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )


class MemberFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name or code"), required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Search by name or code")}),
    )
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False,
                           empty_label=_("All units"))
    status = forms.ChoiceField(label=_("Status today"), required=False)

    def __init__(self, *args: object, actor: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field_of(self, "unit", UnitChoiceField).queryset = subtree(root=scope_root(actor)).order_by("path")
        field_of(self, "status", forms.ChoiceField).choices = [
            ("", _("All statuses")), *MemberStatusChoices.choices,
        ]


class MemberForm(PreselectsOnlyChoice, forms.Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    code = forms.CharField(label=_("Member code"), max_length=64)
    full_name = forms.CharField(label=_("Full name"), max_length=255)
    sex = forms.ChoiceField(label=_("Sex"), choices=Member.Sex.choices)
    birth_year = _year_field()
    membership = forms.ChoiceField(label=_("Membership"), choices=Member.Membership.choices)

    def __init__(self, *args: object, actor: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field_of(self, "unit", UnitChoiceField).offer_editable(actor, roster_units(actor))


class MemberCreateForm(MemberForm):
    status = forms.ChoiceField(label=_("Status"), choices=MemberStatusChoices.choices,
                               initial=MemberStatusChoices.ACTIVE)
    status_since = forms.DateField(label=_("Status since"), required=False, widget=DateInput(),
                                   help_text=_("Leave empty if the member has always had this status."))


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=MemberStatusChoices.choices)
    since = forms.DateField(label=_("Since"), widget=DateInput(), initial=datetime.date.today)


class MoveForm(forms.Form):
    """A member's move to another unit from a day on (the figures before it stay where they were)."""

    unit = UnitChoiceField(label=_("New unit"), queryset=Unit.objects.none())
    on = forms.DateField(label=_("From"), widget=DateInput(), initial=datetime.date.today)

    def __init__(self, *args: object, actor: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        units = subtree(root=scope_root(actor)).filter(kind__in=[Unit.Kind.CELL, Unit.Kind.GRASSROOTS_CELL])
        field_of(self, "unit", UnitChoiceField).offer_editable(actor, units)


class TransferForm(MoveForm):
    """Several members moved to one unit from one day: their codes, one a line or separated by commas."""

    codes = forms.CharField(label=_("Member codes"), widget=forms.Textarea(attrs={"rows": 6}),
                            help_text=_("One code a line, or separated by commas."))

    field_order = ["codes", "unit", "on"]

    def clean_codes(self) -> list[str]:
        text = self.cleaned_data["codes"]
        codes = [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]
        if not codes:
            raise ValidationError(_("Give at least one member code."))
        return codes
