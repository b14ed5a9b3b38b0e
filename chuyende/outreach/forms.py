"""Forms of the outreach pages. They only shape input; the services check every figure."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.selectors import campaigns_for
from chuyende.core.forms import PreselectsOnlyChoice
from chuyende.events.forms import CampaignChoiceField
from chuyende.members.forms import DateInput, UnitChoiceField, field_of
from chuyende.organisation.models import Unit
from chuyende.organisation.selectors import subtree
from chuyende.outreach.models import Outreach


def _count(label: Any, *, required: bool = True, help_text: Any = "") -> forms.IntegerField:
    return forms.IntegerField(label=label, required=required, help_text=help_text,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class OutreachFilterForm(forms.Form):
    campaign = CampaignChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False,
                                   empty_label=None)
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False,
                           empty_label=_("All units"))
    as_of = forms.DateField(label=_("As of"), required=False, widget=DateInput())

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "campaign", CampaignChoiceField).queryset = campaigns_for(actor=actor)
        # Any unit of the subtree; one outside it is a 404 (ScopedModelChoiceField).
        field_of(self, "unit", UnitChoiceField).queryset = subtree(root=scope_root(actor)).order_by("path")


class OutreachForm(PreselectsOnlyChoice, forms.Form):
    campaign = CampaignChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    channel = forms.ChoiceField(label=_("Channel"), choices=Outreach.Channel.choices)
    sessions = _count(_("Sessions"))
    reach = _count(
        _("Person-times reached"), required=False,
        help_text=_("Leave empty if not known: the sessions are then counted apart, never guessed."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, actor: User, fixed_campaign: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "unit", UnitChoiceField).offer_editable(actor, subtree(root=scope_root(actor)))
        if fixed_campaign:
            # The campaign of saved outreach stays; everything else may change.
            del self.fields["campaign"]
        else:
            field_of(self, "campaign", CampaignChoiceField).queryset = campaigns_for(actor=actor)
