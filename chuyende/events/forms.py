"""Forms of the study events: the event with its bridge points, and attendees per bridge point.

They only shape input; every rule (dates, subtree, counts, attendees) is checked by the services.
"""

import datetime
from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.campaigns.models import Campaign, NonPartyCategory
from chuyende.campaigns.selectors import campaigns_for
from chuyende.core.forms import PreselectsOnlyChoice, ScopedModelChoiceField, ScopedMultipleChoiceField
from chuyende.events.models import Event, Presenter
from chuyende.members.forms import DateInput, UnitChoiceField, field_of
from chuyende.members.models import Member
from chuyende.members.selectors import members_visible_to
from chuyende.organisation.models import Unit
from chuyende.organisation.selectors import ancestors, subtree


class CampaignChoiceField(ScopedModelChoiceField):
    def label_from_instance(self, obj: Campaign) -> str:  # type: ignore[override]
        return f"{obj.get_kind_display()} {obj.year} ({obj.code})"


def presenters_for(actor: User) -> QuerySet[Presenter]:
    """Presenters of the actor's subtree and of the units above it (who come down to present)."""
    root = scope_root(actor)
    above = ancestors(unit=root).values("pk")
    return Presenter.objects.filter(Q(unit__path__startswith=root.path) | Q(unit__in=above)).order_by(
        "full_name"
    )


def category_choices(campaigns: QuerySet[Campaign]) -> list[tuple[str, Any]]:
    """The non-member categories counted by any of these campaigns, in the standard order."""
    used: set[str] = set()
    for campaign in campaigns:
        used.update(campaign.non_party_categories)
    return [(value, label) for value, label in NonPartyCategory.choices if value in used]


class EventFilterForm(forms.Form):
    campaign = CampaignChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False,
                                   empty_label=_("All campaigns"))
    format = forms.ChoiceField(label=_("Format"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "campaign", CampaignChoiceField).queryset = campaigns_for(actor=actor)
        field_of(self, "format", forms.ChoiceField).choices = [("", _("All formats")), *Event.Format.choices]


class EventForm(PreselectsOnlyChoice, forms.Form):
    campaign = CampaignChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())
    organiser = UnitChoiceField(label=_("Organising unit"), queryset=Unit.objects.none())
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    format = forms.ChoiceField(label=_("Format"), choices=Event.Format.choices)
    title = forms.CharField(label=pgettext_lazy("event", "Title"), max_length=500)
    code = forms.CharField(label=_("Code"), max_length=64, required=False,
                           help_text=_("Optional; unique within the campaign."))
    presenters = ScopedMultipleChoiceField(
        label=_("Presenters"), queryset=Presenter.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_make_up = forms.BooleanField(label=_("Make-up session"), required=False)
    audience = forms.ChoiceField(label=_("Audience"), choices=Event.Audience.choices,
                                 initial=Event.Audience.GENERAL, required=False,
                                 help_text=_("Who the class is for: reports count the classes for key "
                                             "cadres, workers, religious dignitaries, ... apart."))
    partners = forms.MultipleChoiceField(
        label=_("Organised together with"), choices=Event.Partner.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, actor: User, event: Event | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "organiser", UnitChoiceField).offer_editable(actor, subtree(root=scope_root(actor)))
        field_of(self, "presenters", ScopedMultipleChoiceField).queryset = presenters_for(actor)
        if event is None:
            field_of(self, "campaign", CampaignChoiceField).queryset = campaigns_for(actor=actor)
        else:
            # The campaign of an event is fixed once created.
            del self.fields["campaign"]


class SiteForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit of the bridge point"), queryset=Unit.objects.none())
    other_members = forms.IntegerField(
        label=_("Party members not listed by name"), initial=0, required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    non_members = forms.IntegerField(
        label=_("Non-members"), initial=0, required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, actor: User, categories: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "unit", UnitChoiceField).queryset = subtree(root=scope_root(actor)).order_by("path")
        self.categories = categories
        for value, label in categories:
            self.fields[f"category_{value}"] = forms.IntegerField(
                label=label, required=False, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
            )

    def by_category(self) -> dict[str, int]:
        values = {value: self.cleaned_data.get(f"category_{value}") for value, _label in self.categories}
        return {key: value for key, value in values.items() if value}

    def category_fields(self) -> list[forms.BoundField]:
        return [self[f"category_{value}"] for value, _label in self.categories]


class BaseSiteFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, actor: User, categories: list[tuple[str, Any]], **kwargs: Any) -> None:
        self.actor = actor
        self.categories = categories
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"actor": self.actor, "categories": self.categories}


SiteFormSet = cast(
    type[BaseSiteFormSet],
    forms.formset_factory(SiteForm, formset=BaseSiteFormSet, extra=2, can_delete=True),
)


class AttendeesForm(forms.Form):
    """Members named at one bridge point: any member of the user's subtree (404 outside it).

    Whether the member belongs under the bridge point is checked by the service (form error).
    """

    members = ScopedMultipleChoiceField(
        queryset=Member.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "members", ScopedMultipleChoiceField).queryset = members_visible_to(actor=actor)


def meeting_campaigns(actor: User, today: datetime.date) -> list[Campaign]:
    """The topics a cell meeting is recorded for: the user's campaigns running today, or, when none
    runs, all of them (newest first; one query)."""
    campaigns = list(campaigns_for(actor=actor).order_by("-starts", "-pk"))
    running = [campaign for campaign in campaigns if campaign.covers(today)]
    return running or campaigns


class CellMeetingForm(PreselectsOnlyChoice, forms.Form):
    """A cell meeting in one screen: the day, the topic and who attended (ticked). It is recorded by
    the event service like any event, as a cell meeting with one bridge point: the cell."""

    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    campaign = CampaignChoiceField(label=_("Topic studied"), queryset=Campaign.objects.none())
    members = ScopedMultipleChoiceField(
        label=_("Who attended"), queryset=Member.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, actor: User, cell: Unit, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaigns = meeting_campaigns(actor, today)
        field = field_of(self, "campaign", CampaignChoiceField)
        field.queryset = Campaign.objects.filter(pk__in=[campaign.pk for campaign in campaigns])
        # The select lists the campaigns already loaded instead of querying again.
        field.choices = [("", field.empty_label), *((c.pk, field.label_from_instance(c)) for c in campaigns)]
        # Any member of the subtree is taken (404 outside it); the service refuses one from another cell.
        field_of(self, "members", ScopedMultipleChoiceField).queryset = members_visible_to(actor=actor)
        self.initial.setdefault("held_on", today)
        if len(campaigns) == 1:
            only = campaigns[0]
            field.choices = field.choices[1:]  # one topic: shown chosen, nothing to choose
            self.initial["campaign"] = only.pk
            if not only.covers(today):
                # The only topic has ended (or not begun): start from its nearest day rather than a
                # date the service would refuse.
                self.initial["held_on"] = min(max(today, only.starts), only.ends)
        self.cell = cell
