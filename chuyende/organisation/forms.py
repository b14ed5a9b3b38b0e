from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from chuyende.core.forms import DateInput, PreselectsOnlyChoice, ScopedModelChoiceField
from chuyende.organisation.models import Unit

DATE_WIDGET = DateInput()


class UnitForm(PreselectsOnlyChoice, forms.Form):
    """Fields of a unit for unit_create / unit_update. The parent is limited to the user's subtree:
    a parent id from elsewhere raises NotInScope (404)."""

    parent = ScopedModelChoiceField(label=_("Parent unit"), queryset=Unit.objects.none())
    code = forms.CharField(label=_("Code"), max_length=64,
                           help_text=_("Unique, for example BN.HA.HB.DONG."))
    name = forms.CharField(label=_("Name"), max_length=255)
    kind = forms.ChoiceField(label=_("Kind"), choices=Unit.Kind.choices)
    sector = forms.ChoiceField(
        label=_("Sector"), choices=Unit.Sector.choices, initial=Unit.Sector.OTHER, required=False,
        help_text=_("Where the party organisation sits (commune, agency, school, ...): reports group "
                    "classes by it."),
    )
    tracking = forms.ChoiceField(
        label=_("How figures are kept"), choices=Unit.Tracking.choices, initial=Unit.Tracking.AGGREGATE,
        help_text=_("Per person: a roster and attendance by name. Aggregate returns: counts reported "
                    "per period."),
    )
    opened_on = forms.DateField(label=_("Opened on"), required=False, widget=DATE_WIDGET)
    closed_on = forms.DateField(label=_("Closed on"), required=False, widget=DATE_WIDGET,
                                help_text=_("Leave empty while the unit is active."))

    def __init__(self, *args: Any, parents: QuerySet[Unit] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if parents is None:
            # The unit at the top of the user's scope keeps its parent, which the user cannot see.
            del self.fields["parent"]
        else:
            field = self.fields["parent"]
            assert isinstance(field, ScopedModelChoiceField)
            field.queryset = parents
            top = min((unit.depth for unit in parents), default=1)
            field.label_from_instance = lambda unit: f"{'— ' * (unit.depth - top)}{unit.name} ({unit.code})"  # type: ignore[method-assign,assignment]

    def clean_sector(self) -> str | None:
        """Left empty: "other" for a new unit, the stored one kept for a unit changed."""
        return self.cleaned_data.get("sector") or None

    def add_service_error(self, error: ValidationError) -> None:
        """Puts a service's ValidationError on the matching fields, the rest on the form."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error)


class TreeDateForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), required=False, widget=DATE_WIDGET,
                            input_formats=["%d/%m/%Y", "%Y-%m-%d"])
