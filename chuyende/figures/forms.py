from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuyende.campaigns.models import Campaign
from chuyende.core.forms import DateInput, ScopedModelChoiceField

DATE_WIDGET = DateInput()


class DashboardForm(forms.Form):
    """The dashboard's filters, read from the query string. Every field may be left out."""

    unit = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    campaign = ScopedModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False, empty_label=None
    )
    as_of = forms.DateField(
        label=_("As of"), required=False, widget=DATE_WIDGET, input_formats=["%d/%m/%Y", "%Y-%m-%d"]
    )

    def __init__(self, *args: Any, campaigns: list[Campaign], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["campaign"]
        assert isinstance(field, ScopedModelChoiceField)
        field.queryset = Campaign.objects.filter(pk__in=[c.pk for c in campaigns])
        # The select lists the campaigns already loaded instead of querying again.
        field.choices = [(c.pk, str(c)) for c in campaigns]
        self._campaigns = {c.pk: c for c in campaigns}


class ComparisonForm(forms.Form):
    """The comparison's choices, read from the query string: two campaigns and their dates."""

    unit = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    earlier = ScopedModelChoiceField(
        label=_("Earlier campaign"), queryset=Campaign.objects.none(), required=False, empty_label=None
    )
    earlier_as_of = forms.DateField(
        label=_("As of"), required=False, widget=DATE_WIDGET, input_formats=["%d/%m/%Y", "%Y-%m-%d"]
    )
    later = ScopedModelChoiceField(
        label=_("Later campaign"), queryset=Campaign.objects.none(), required=False, empty_label=None
    )
    later_as_of = forms.DateField(
        label=_("As of"), required=False, widget=DATE_WIDGET, input_formats=["%d/%m/%Y", "%Y-%m-%d"]
    )

    def __init__(self, *args: Any, campaigns: list[Campaign], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("earlier", "later"):
            field = self.fields[name]
            assert isinstance(field, ScopedModelChoiceField)
            field.queryset = Campaign.objects.filter(pk__in=[c.pk for c in campaigns])
            field.choices = [(c.pk, str(c)) for c in campaigns]
