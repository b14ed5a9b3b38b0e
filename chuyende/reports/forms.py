"""Forms of the report pages. They only shape input; the services check every rule."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import can_manage_templates, scope_root
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.selectors import campaigns_for
from chuyende.core.forms import PreselectsOnlyChoice
from chuyende.events.forms import CampaignChoiceField
from chuyende.members.forms import DateInput, UnitChoiceField, field_of
from chuyende.organisation.models import Unit
from chuyende.organisation.selectors import subtree
from chuyende.reports.drafting import OPTIONAL_PARAGRAPHS
from chuyende.reports.models import Report
from chuyende.reports.services import EDITABLE_FIELDS
from chuyende.reports.templating import TEMPLATE_MAX_BYTES


class ReportFilterForm(forms.Form):
    campaign = CampaignChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False,
                                   empty_label=None)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "campaign", CampaignChoiceField).queryset = campaigns_for(actor=actor)


class ReportCreateForm(PreselectsOnlyChoice, forms.Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    campaign = CampaignChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())
    as_of = forms.DateField(label=_("Figures as of"), widget=DateInput(),
                            help_text=_("Only records dated on or before this day are counted."))

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "campaign", CampaignChoiceField).queryset = campaigns_for(actor=actor)
        field_of(self, "unit", UnitChoiceField).offer_editable(actor, subtree(root=scope_root(actor)))


WIDGETS: dict[str, type[forms.Widget] | forms.Widget] = {
    "as_of": DateInput(),
    "issued_on": DateInput(),
    "number": forms.NumberInput(attrs={"inputmode": "numeric"}),
    "superior_body": forms.TextInput(),
    "issuing_body": forms.TextInput(),
    "summary": forms.Textarea(attrs={"rows": 2}),
    "leadership": forms.Textarea(attrs={"rows": 8}),
    "results_note": forms.Textarea(attrs={"rows": 4}),
    "strengths": forms.Textarea(attrs={"rows": 6}),
    "shortcomings": forms.Textarea(attrs={"rows": 6}),
    "tasks": forms.Textarea(attrs={"rows": 6}),
    "recipients": forms.Textarea(attrs={"rows": 4}),
    "signature_title": forms.Textarea(attrs={"rows": 2}),
}

GROUPS = (
    ("header", _("Header"), ("superior_body", "issuing_body", "number", "symbol", "term", "place",
                             "issued_on", "as_of", "summary")),
    ("leadership", _("I. Leadership, guidance and direction"), ("leadership",)),
    ("results", _("II. Results"), ("paragraphs", "results_note")),
    ("assessment", _("III. Assessment"), ("strengths", "shortcomings")),
    ("tasks", _("IV. Tasks ahead and recommendations"), ("tasks",)),
    ("signature", _("Recipients and signature"), ("recipients", "signature_title", "signer_name")),
)


@dataclass(frozen=True)
class FieldGroup:
    key: str
    legend: str
    fields: list[forms.BoundField]


class ReportForm(forms.Form):
    """Every field the user may change, with the version the edit started from, and the optional
    paragraphs of section II ticked to appear (`paragraphs`; `paragraphs_offered` says the boxes
    were on the page, so that a form posted without them leaves the choice as it was)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    paragraphs_offered = forms.BooleanField(widget=forms.HiddenInput, required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        initial = dict(kwargs.get("initial") or {})
        omitted = initial.pop("omitted_paragraphs", None)
        if omitted is not None:
            initial["paragraphs"] = [name for name in OPTIONAL_PARAGRAPHS if name not in omitted]
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Report, fields=EDITABLE_FIELDS, widgets=WIDGETS))
        self.fields["paragraphs"] = forms.MultipleChoiceField(
            label=_("Optional paragraphs of section II to include"), required=False,
            choices=list(OPTIONAL_PARAGRAPHS.items()), widget=forms.CheckboxSelectMultiple,
            initial=list(OPTIONAL_PARAGRAPHS),
            help_text=_("A ticked paragraph appears when there are figures for it; untick it to leave it out "
                        "of this report."),
        )
        # A draft may be saved before anyone signs; submitting asks for the signer.
        self.fields["signer_name"].required = False
        self.fields["results_note"].help_text = _(
            "The figures of section II are written by the system (see the preview); add here what "
            "they do not say."
        )
        self.fields["number"].help_text = _(
            "Numbers run from 01 per document type within the committee's term."
        )
        self.fields["recipients"].help_text = _("One recipient a line.")
        for name in EDITABLE_FIELDS:
            label = str(self.fields[name].label)
            self.fields[name].label = label[:1].upper() + label[1:]

    def groups(self) -> list[FieldGroup]:
        """The fields in the order of the document, under the headings of its parts."""
        return [FieldGroup(key=key, legend=str(legend), fields=[self[name] for name in names])
                for key, legend, names in GROUPS]

    def values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}
        if self.cleaned_data.get("paragraphs_offered"):
            chosen = set(self.cleaned_data.get("paragraphs") or [])
            values["omitted_paragraphs"] = [name for name in OPTIONAL_PARAGRAPHS if name not in chosen]
        return values


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("What must be corrected"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to return the report; the unit sees it on the report."),
    )


class ConfirmForm(forms.Form):
    """The box ticked to confirm a workflow step (send, accept, return); the page says what it does."""

    confirmed = forms.BooleanField(
        label=_("I have checked the report and confirm this step."),
        error_messages={"required": _("Tick the box to confirm this step; nothing was done.")},
    )

    def __init__(self, data: Any = None, *, step: str) -> None:
        super().__init__(data, prefix=step)


class ReportTemplateUploadForm(PreselectsOnlyChoice, forms.Form):
    """A unit's own report template: the unit, a name, the .docx file. The service checks the file."""

    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none(),
                           help_text=_("Its reports and those of the units below it use this template."))
    name = forms.CharField(label=_("Name"), max_length=200, required=False,
                           help_text=_("Left empty: the file's name."))
    file = forms.FileField(
        label=_("Template (.docx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx"}),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = subtree(root=scope_root(actor)).order_by("path")
        field = field_of(self, "unit", UnitChoiceField)
        field.queryset = units
        field.offered = [unit for unit in units if can_manage_templates(actor, unit)]
        field.choices = [(unit.pk, field.label_from_instance(unit)) for unit in field.offered]
        self.fields["file"].help_text = gettext(
            "A Word file made from the default template, at most %(limit)s MB."
        ) % {"limit": TEMPLATE_MAX_BYTES // 1_048_576}
