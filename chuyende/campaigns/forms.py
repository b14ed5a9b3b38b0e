from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from chuyende.campaigns.models import Campaign, NonPartyCategory
from chuyende.core.forms import DateInput
from chuyende.members.models import MemberStatusChoices

DATE_WIDGET = DateInput()


class CampaignForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    kind = forms.ChoiceField(label=_("Kind"), choices=Campaign.Kind.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), widget=forms.Textarea(attrs={"rows": 3}))
    starts = forms.DateField(label=_("Start"), widget=DATE_WIDGET)
    ends = forms.DateField(label=_("End"), widget=DATE_WIDGET, required=False,
                           help_text=_("Leave empty for the end of the year."))
    study_deadline = forms.DateField(label=_("Study deadline"), widget=DATE_WIDGET)
    report_deadline = forms.DateField(label=_("Report deadline"), widget=DATE_WIDGET)
    target_rate = forms.DecimalField(label=_("Target rate (%)"), min_value=0, max_value=100,
                                     decimal_places=2, localize=True)
    rate_precision = forms.TypedChoiceField(
        label=_("Decimals in rates"), choices=[(1, "1"), (2, "2")], coerce=int, initial=2
    )
    excluded_statuses = forms.MultipleChoiceField(
        label=_("Members left out of those expected to study"), required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(s.value, s.label) for s in (MemberStatusChoices.EXEMPT, MemberStatusChoices.AWAY)],
    )
    non_party_categories = forms.MultipleChoiceField(
        label=_("Non-members the campaign counts"), required=False,
        widget=forms.CheckboxSelectMultiple, choices=NonPartyCategory.choices,
    )


class CampaignEditForm(CampaignForm):
    """The campaign's correctable fields; code, kind, year and owner stay as created."""

    confirm_after_submission = forms.BooleanField(
        label=_("I confirm the change although reports of this campaign were already sent"), required=False,
        help_text=_("Sent reports keep the figures they froze and show which figures changed since."),
    )

    def __init__(self, *args: Any, frozen_reports: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("code", "kind", "year"):
            del self.fields[name]
        if not frozen_reports:
            del self.fields["confirm_after_submission"]


class GuidingDocumentForm(forms.Form):
    number = forms.CharField(label=_("Number and symbol"), max_length=64, required=False)
    issued_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET, required=False)
    issuer = forms.CharField(label=_("Issuer"), max_length=255, required=False)
    title = forms.CharField(label=_("Title"), required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        filled = [name for name in ("number", "issued_on", "issuer", "title") if data.get(name)]
        if filled and len(filled) < 4:
            raise forms.ValidationError(_("Fill in the number, date, issuer and title of the document."))
        return data


GuidingDocumentFormSet = formset_factory(GuidingDocumentForm, extra=3, max_num=10)


class GuidingDocumentEditForm(GuidingDocumentForm):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)


GuidingDocumentEditFormSet = formset_factory(
    GuidingDocumentEditForm, extra=2, max_num=10, absolute_max=20, can_delete=True
)
