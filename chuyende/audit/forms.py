"""The change log's filters: a unit of the subtree, a user of it, an action, a kind of record, dates."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuyende.accounts.models import User
from chuyende.core.forms import DateInput
from chuyende.members.forms import field_of
from chuyende.organisation.models import Unit

UNIT_LEVELS_OFFERED = 2  # the unit of the user and the two levels below it (a province's communes)


class AuditFilterForm(forms.Form):
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    actor = forms.ChoiceField(label=_("By"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    type = forms.ChoiceField(label=_("Record type"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args: Any, root: Unit, types: list[tuple[str, str]], actions: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = (Unit.objects.filter(path__startswith=root.path, depth__lte=root.depth + UNIT_LEVELS_OFFERED)
                 .order_by("path").values_list("code", "name", "depth"))
        field_of(self, "unit", forms.ChoiceField).choices = [("", _("All units")), *(
            (code, "\u2003" * (depth - root.depth) + name) for code, name, depth in units)]
        users = (User.objects.filter(unit__path__startswith=root.path).order_by("username")
                 .values_list("pk", "username", "first_name", "last_name"))
        field_of(self, "actor", forms.ChoiceField).choices = [("", _("Everyone")), *(
            (str(pk), " ".join(part for part in (first, last) if part) or username)
            for pk, username, first, last in users)]
        field_of(self, "action", forms.ChoiceField).choices = [("", _("All actions")), *actions]
        field_of(self, "type", forms.ChoiceField).choices = [("", _("All record types")), *types]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
