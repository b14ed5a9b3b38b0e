"""Forms of the aggregate returns. They only shape input; the services check every count."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.campaigns.models import Campaign, NonPartyCategory
from chuyende.campaigns.selectors import campaigns_for
from chuyende.core.forms import PreselectsOnlyChoice
from chuyende.events.forms import CampaignChoiceField
from chuyende.members.forms import DateInput, UnitChoiceField, field_of
from chuyende.organisation.models import Unit
from chuyende.organisation.selectors import subtree
from chuyende.returns.models import PartialReturn


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


def member_return_units(actor: User) -> QuerySet[Unit]:
    """Leaf units of the actor's subtree that report counts."""
    return subtree(root=scope_root(actor)).filter(tracking=Unit.Tracking.AGGREGATE, children__isnull=True)


def non_member_return_units(actor: User) -> QuerySet[Unit]:
    return subtree(root=scope_root(actor))


class ReturnFilterForm(forms.Form):
    campaign = CampaignChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False,
                                   empty_label=None)
    on = forms.DateField(label=_("In force on"), required=False, widget=DateInput())

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "campaign", CampaignChoiceField).queryset = campaigns_for(actor=actor)


class _ReturnForm(PreselectsOnlyChoice, forms.Form):
    campaign = CampaignChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    as_of = forms.DateField(label=_("Figures as of"), widget=DateInput())

    def __init__(self, *args: Any, actor: User, units: QuerySet[Unit], fixed: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed:
            # Editing a saved return: its campaign, unit and date stay; only the counts change.
            for name in ("campaign", "unit", "as_of"):
                del self.fields[name]
        else:
            field_of(self, "campaign", CampaignChoiceField).queryset = campaigns_for(actor=actor)
            field_of(self, "unit", UnitChoiceField).offer_editable(actor, units)


class MemberReturnForm(_ReturnForm):
    members_total = _count(_("Party members in total"))
    exempt = _count(_("Exempt from work and party activities"))
    away = _count(_("Away for work"))
    studied = _count(_("Members who studied"))

    field_order = ["campaign", "unit", "as_of", "members_total", "exempt", "away", "studied"]

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, units=member_return_units(actor), **kwargs)
        self.fields["studied"].help_text = _(
            "Only members the campaign expects to study; excluded members who studied anyway are not "
            "counted here."
        )


class NonMemberReturnForm(_ReturnForm):
    expected = _count(_("Non-members expected to study"))
    studied = _count(_("Non-members who studied"))

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, units=non_member_return_units(actor), **kwargs)


class PartialReturnForm(_ReturnForm):
    """What a unit knows and no more: one of the number who studied, a lower bound of it, or a lower
    bound of the rate (the service refuses anything else, naming the field)."""

    who = forms.ChoiceField(label=_("Who"), choices=PartialReturn.Who.choices,
                            initial=PartialReturn.Who.NON_MEMBERS)
    category = forms.ChoiceField(label=_("Category of non-members"), required=False,
                                 choices=[("", _("All non-members")), *NonPartyCategory.choices])
    studied = forms.IntegerField(label=_("Number who studied"), required=False,
                                 widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                                 help_text=_("When the number expected to study is not known."))
    studied_above = forms.IntegerField(label=_("More than this many studied"), required=False,
                                       widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                                       help_text=_("For “more than 60 people”."))
    rate_above = forms.DecimalField(label=_("Rate above (%)"), required=False, max_digits=6, decimal_places=2,
                                    localize=True, help_text=_("For “grasped it, more than 95%”."))

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, units=non_member_return_units(actor), **kwargs)
