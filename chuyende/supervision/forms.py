"""Forms of the supervision pages. They only shape input; the services check every rule
(which units an officer may supervise, dates, findings)."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import can_edit, scope_root
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.selectors import campaigns_for
from chuyende.core.forms import PreselectsOnlyChoice, ScopedModelChoiceField, ScopedMultipleChoiceField
from chuyende.events.forms import CampaignChoiceField
from chuyende.members.forms import DateInput, UnitChoiceField, field_of
from chuyende.organisation.models import Unit
from chuyende.organisation.selectors import subtree
from chuyende.supervision.models import Supervisor
from chuyende.supervision.selectors import supervisors_of_subtree


def _text(label: Any, *, required: bool = True, message: Any = None, help_text: Any = "") -> forms.CharField:
    errors = {"required": message} if message else None
    return forms.CharField(label=label, required=required, error_messages=errors, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": 4}))


def _below_root(actor: User) -> QuerySet[Unit]:
    """Units an officer of the subtree could supervise: the subtree less its root (an officer
    supervises only units below their own)."""
    root = scope_root(actor)
    return subtree(root=root, include_root=False).order_by("path")


class SupervisorChoiceField(ScopedModelChoiceField):
    """An officer of the user's subtree (an id from another subtree is a 404); offers only the
    officers of units the user may change."""

    offered: list[Supervisor]

    def label_from_instance(self, obj: Supervisor) -> str:  # type: ignore[override]
        return f"{obj.full_name} ({obj.unit.name})"

    def offer_editable(self, actor: User) -> None:
        self.queryset = supervisors_of_subtree(actor=actor).order_by("unit__path", "full_name")
        self.offered = [officer for officer in self.queryset if can_edit(actor, officer.unit)]
        empty = [("", self.empty_label)] if self.empty_label is not None else []
        offered = ((officer.pk, self.label_from_instance(officer)) for officer in self.offered)
        self.choices = [*empty, *offered]


class UnitsChoiceField(ScopedMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:  # type: ignore[override]
        return obj.name


def offered_supervisors(form: forms.BaseForm) -> list[Supervisor]:
    return field_of(form, "supervisor", SupervisorChoiceField).offered


class SupervisionFilterForm(forms.Form):
    campaign = CampaignChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False,
                                   empty_label=None)
    on = forms.DateField(label=_("As of"), required=False, widget=DateInput())

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "campaign", CampaignChoiceField).queryset = campaigns_for(actor=actor)


class SupervisorForm(PreselectsOnlyChoice, forms.Form):
    unit = UnitChoiceField(label=_("Home unit"), queryset=Unit.objects.none(),
                           help_text=_("The unit whose commission the officer works for; they supervise "
                                       "the units below it."))
    full_name = forms.CharField(label=_("Full name"), max_length=255,
                                error_messages={"required": _("Enter the officer's full name.")})
    title = forms.CharField(label=_("Position"), max_length=255, required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only units with sub-units: an officer of a unit without any would have nothing to supervise.
        with_sub_units = subtree(root=scope_root(actor)).filter(children__isnull=False).distinct()
        field_of(self, "unit", UnitChoiceField).offer_editable(actor, with_sub_units)


class AssignmentForm(PreselectsOnlyChoice, forms.Form):
    campaign = CampaignChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())
    supervisor = SupervisorChoiceField(label=_("Supervising officer"), queryset=Supervisor.objects.none())
    units = UnitsChoiceField(label=_("Units to supervise"), queryset=Unit.objects.none(),
                             widget=forms.CheckboxSelectMultiple,
                             error_messages={"required": _("Tick at least one unit.")})

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "campaign", CampaignChoiceField).queryset = campaigns_for(actor=actor)
        field_of(self, "supervisor", SupervisorChoiceField).offer_editable(actor)
        # Any unit of the subtree is accepted (another subtree's is a 404); the root is not offered.
        units = field_of(self, "units", UnitsChoiceField)
        units.queryset = subtree(root=scope_root(actor)).order_by("path")
        units.choices = [(unit.pk, unit.name) for unit in _below_root(actor)]


class VisitEditForm(forms.Form):
    visited_on = forms.DateField(label=_("Visit date"), widget=DateInput())
    findings = _text(_("Findings"), message=_("Write what the visit found."))
    follow_up = _text(_("Follow-up required"), required=False,
                      help_text=_("What the unit must do after the visit; leave empty if nothing."))
    closed_on = forms.DateField(label=_("Follow-up closed on"), required=False, widget=DateInput(),
                                help_text=_("Fill in once the unit has done what was required."))


class VisitForm(PreselectsOnlyChoice, VisitEditForm):
    campaign = CampaignChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())
    supervisor = SupervisorChoiceField(label=_("Supervising officer"), queryset=Supervisor.objects.none())
    unit = UnitChoiceField(label=_("Supervised unit"), queryset=Unit.objects.none())

    field_order = ["campaign", "supervisor", "unit", "visited_on", "findings", "follow_up", "closed_on"]

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "campaign", CampaignChoiceField).queryset = campaigns_for(actor=actor)
        field_of(self, "supervisor", SupervisorChoiceField).offer_editable(actor)
        # Whether the unit lies below the chosen officer's unit is the service's rule (form error).
        unit = field_of(self, "unit", UnitChoiceField)
        unit.queryset = subtree(root=scope_root(actor)).order_by("path")
        unit.choices = [("", unit.empty_label), *((u.pk, u.name) for u in _below_root(actor))]
