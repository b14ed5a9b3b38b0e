"""Forms of the materials pages. They only shape input; every rule is checked by the services."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.selectors import campaigns_for
from chuyende.core.forms import PreselectsOnlyChoice
from chuyende.core.numbers import format_number
from chuyende.events.forms import CampaignChoiceField
from chuyende.materials.models import MaterialTransfer
from chuyende.materials.services import ALLOWED_UPLOADS
from chuyende.members.forms import DateInput, UnitChoiceField, field_of
from chuyende.organisation.models import Unit
from chuyende.organisation.selectors import subtree


class TreeUnitChoiceField(UnitChoiceField):
    """A unit of the user's subtree, indented by its depth so the tree shows in a plain select."""

    top_depth = 1

    def label_from_instance(self, obj: Unit) -> str:  # type: ignore[override]
        return "\u2003" * max(obj.depth - self.top_depth, 0) + obj.name


class MaterialFilterForm(forms.Form):
    campaign = CampaignChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False,
                                   empty_label=None)
    unit = TreeUnitChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False,
                               empty_label=None)
    on = forms.DateField(label=_("As of"), required=False, widget=DateInput())

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        root = scope_root(actor)
        campaign = field_of(self, "campaign", CampaignChoiceField)
        campaign.queryset = campaigns_for(actor=actor)
        unit = field_of(self, "unit", TreeUnitChoiceField)
        unit.queryset = subtree(root=root).order_by("path")
        unit.top_depth = root.depth
        # Choices read once: a select widget otherwise runs its query twice when rendered.
        campaign.choices = [(row.pk, campaign.label_from_instance(row)) for row in campaign.queryset]
        unit.choices = [(row.pk, unit.label_from_instance(row)) for row in unit.queryset]


class MaterialTransferForm(PreselectsOnlyChoice, forms.Form):
    campaign = CampaignChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())
    sender = TreeUnitChoiceField(label=_("From unit"), queryset=Unit.objects.none())
    recipient = TreeUnitChoiceField(
        label=_("To unit"), queryset=Unit.objects.none(),
        help_text=_("The sending unit itself (copies it printed, bought or received from outside) or a "
                    "unit below it."),
    )
    item = forms.ChoiceField(label=_("Item"), choices=MaterialTransfer.Item.choices)
    quantity = forms.IntegerField(label=_("Quantity"),
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    sent_on = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    link = forms.URLField(
        label=_("Link"), required=False, max_length=500, assume_scheme="https",
        help_text=_("For a digital item: the address of the document or video."),
    )
    attachment = forms.FileField(
        label=_("File"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{ext}" for ext in ALLOWED_UPLOADS)}),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        root = scope_root(actor)
        field_of(self, "campaign", CampaignChoiceField).queryset = campaigns_for(actor=actor)
        sender = field_of(self, "sender", TreeUnitChoiceField)
        sender.top_depth = root.depth
        sender.offer_editable(actor, subtree(root=root))
        recipient = field_of(self, "recipient", TreeUnitChoiceField)
        recipient.top_depth = root.depth
        recipient.queryset = subtree(root=root).order_by("path")
        limit = format_number(settings.MATERIAL_UPLOAD_MAX_BYTES // 1_048_576)
        self.fields["attachment"].help_text = _(
            "For a digital item, instead of a link. Accepted types: %(types)s; at most %(limit)s MB."
        ) % {"types": ", ".join(ALLOWED_UPLOADS), "limit": limit}
