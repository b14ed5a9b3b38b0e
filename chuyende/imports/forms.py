"""The upload form of the import page. It only shapes input; services.check_import_upload checks the file."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chuyende.accounts.models import User
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.selectors import campaigns_for
from chuyende.core.numbers import format_number
from chuyende.events.forms import CampaignChoiceField
from chuyende.imports import spec
from chuyende.members.forms import field_of


def kind_label(kind: str) -> str:
    return str(spec.KINDS[kind].label)


def kind_choices() -> list[tuple[str, str]]:
    """The kinds of data that can be imported, in the order of the templates."""
    return [(kind, kind_label(kind)) for kind in spec.KINDS]


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file contains"), choices=())
    campaign = CampaignChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False,
        help_text=_("Used for the rows whose campaign code is left empty."),
    )
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )

    def __init__(
        self, *args: Any, actor: User, refused: ValidationError | None = None, **kwargs: Any,
    ) -> None:
        """`refused`: the service's refusal of a file stopped while it was uploaded (too large)."""
        super().__init__(*args, **kwargs)
        self.refused = refused
        if refused is not None:
            self.fields["file"].required = False  # the file is missing because it was refused
        field_of(self, "campaign", CampaignChoiceField).queryset = campaigns_for(actor=actor)
        field_of(self, "kind", forms.ChoiceField).choices = [("", "---------"), *kind_choices()]
        self.fields["file"].help_text = _(
            "A workbook made from the template (Excel .xlsx or .xls, LibreOffice .ods), or a CSV file in "
            "UTF-8 (.csv); at most %(limit)s MB."
        ) % {"limit": format_number(settings.IMPORT_UPLOAD_MAX_BYTES // 1_048_576)}

    def clean_file(self) -> Any:
        if self.refused is not None:
            raise ValidationError(self.refused.messages)
        return self.cleaned_data["file"]
