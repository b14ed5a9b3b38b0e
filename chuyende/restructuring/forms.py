from django import forms
from django.utils.translation import gettext_lazy as _

from chuyende.core.forms import DateInput
from chuyende.restructuring.models import Decision

DATE_WIDGET = DateInput()


class DecisionForm(forms.ModelForm):
    """A new decision and its plan, a filled-in copy of the template."""

    plan = forms.FileField(label=_("Plan (Excel file)"),
                           help_text=_("The template filled in: one row an operation, in the order "
                                       "they apply."))

    class Meta:
        model = Decision
        fields = ["number", "issued_on", "issuer", "title", "effective_on"]
        widgets = {"issued_on": DATE_WIDGET, "effective_on": DATE_WIDGET}
