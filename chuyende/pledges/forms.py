"""Forms of the pledge pages. They only shape input; the services check every rule."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.selectors import campaigns_for
from chuyende.core.forms import PreselectsOnlyChoice, ScopedModelChoiceField
from chuyende.events.forms import CampaignChoiceField
from chuyende.members.forms import DateInput, UnitChoiceField, field_of
from chuyende.members.models import Member
from chuyende.members.selectors import members_visible_to
from chuyende.organisation.models import Unit
from chuyende.organisation.selectors import subtree
from chuyende.pledges.models import Pledge, Rating
from chuyende.pledges.selectors import pledge_return_units


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


def _text_field() -> forms.CharField:
    return forms.CharField(
        label=_("Pledge"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the member will do to follow the example, in their own words."),
    )


class PledgeFilterForm(forms.Form):
    campaign = CampaignChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False,
                                   empty_label=None)
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=None)
    on = forms.DateField(label=_("As of"), required=False, widget=DateInput())

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "campaign", CampaignChoiceField).queryset = campaigns_for(actor=actor)
        field_of(self, "unit", UnitChoiceField).queryset = subtree(root=scope_root(actor)).order_by("path")


class MemberChoiceField(ScopedModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:  # type: ignore[override]
        return f"{obj.full_name} ({obj.code})"


class PledgeRegisterForm(forms.Form):
    """A new pledge of a member of one cell, for the campaign chosen on the page.

    Any member of the user's subtree is accepted by the field (one outside it is a 404); one of
    another cell is refused here with a message, the member's status by the service."""

    member = MemberChoiceField(label=_("Party member"), queryset=Member.objects.none())
    registered_on = forms.DateField(label=_("Registered on"), widget=DateInput())
    text = _text_field()

    def __init__(self, *args: Any, actor: User, cell: Unit, offered: list[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cell = cell
        member = field_of(self, "member", MemberChoiceField)
        member.queryset = members_visible_to(actor=actor)
        member.choices = [("", member.empty_label), *((m.pk, member.label_from_instance(m)) for m in offered)]

    def clean_member(self) -> Member:
        member: Member = self.cleaned_data["member"]
        if member.unit_id != self.cell.pk:
            raise forms.ValidationError(
                _("%(member)s is not a member of %(unit)s."),
                params={"member": member.full_name, "unit": self.cell.name}, code="other_cell",
            )
        return member


class PledgeEditForm(forms.Form):
    registered_on = forms.DateField(label=_("Registered on"), widget=DateInput())
    text = _text_field()


class CellRatingForm(forms.Form):
    """The year-end rating of a cell: one date, and per pledge a rating and an optional note.

    Fields are named after the member (`member-<id>`, `note-<id>`) so the service's errors,
    keyed `member-<id>`, land next to their row."""

    rated_on = forms.DateField(label=_("Rated on"), widget=DateInput())

    def __init__(self, *args: Any, pledges: list[Pledge], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pledges = pledges
        for pledge in pledges:
            key = pledge.member_id
            self.fields[f"member-{key}"] = forms.ChoiceField(
                label=pledge.member.full_name, choices=Rating.choices, required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"note-{key}"] = forms.CharField(
                label=_("Note"), required=False,
                widget=forms.TextInput(attrs={"placeholder": _("Note (optional)")}),
            )
            self.initial.setdefault(f"member-{key}", pledge.rating)
            self.initial.setdefault(f"note-{key}", pledge.rating_note)

    def rows(self) -> list[tuple[Pledge, forms.BoundField, forms.BoundField]]:
        return [(pledge, self[f"member-{pledge.member_id}"], self[f"note-{pledge.member_id}"])
                for pledge in self.pledges]

    def ratings(self) -> list[tuple[Member, str, str]]:
        return [(pledge.member, self.cleaned_data.get(f"member-{pledge.member_id}") or "",
                 self.cleaned_data.get(f"note-{pledge.member_id}") or "")
                for pledge in self.pledges]


class PledgeReturnForm(PreselectsOnlyChoice, forms.Form):
    campaign = CampaignChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    as_of = forms.DateField(label=_("Figures as of"), widget=DateInput())
    registered = _count(_("Members who registered a pledge"))
    excellent = _count(_("Rated excellent"))
    good = _count(_("Rated good"))
    not_met = _count(_("Rated not met"))

    def __init__(self, *args: Any, actor: User, fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed:
            # Changing a saved return: its campaign, unit and date stay; only the counts change.
            for name in ("campaign", "unit", "as_of"):
                del self.fields[name]
        else:
            field_of(self, "campaign", CampaignChoiceField).queryset = campaigns_for(actor=actor)
            field_of(self, "unit", UnitChoiceField).offer_editable(actor, pledge_return_units(actor))
        self.fields["registered"].help_text = _(
            "Only members the campaign expects; the pledges of excluded members are not counted."
        )
        for name in ("excellent", "good", "not_met"):
            self.fields[name].help_text = _("Leave 0 until the cell has rated the pledges at year end.")
            self.fields[name].initial = 0

