"""The checker page: any report (a file or pasted text), its claims and their verdicts; and, once
an officer confirms the figures read from it, that unit's returns.

Reading and judging are `reports.checker.check_report`; saving returns is
`reports.services.returns_from_checked_report`. Nothing is stored by a check.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chuyende.accounts.models import User
from chuyende.accounts.permissions import actor_of, can_edit, scope_root
from chuyende.campaigns.models import Campaign
from chuyende.core.forms import ScopedModelChoiceField
from chuyende.figures.selectors import campaign_choices
from chuyende.members.forms import DateInput, apply_service_errors
from chuyende.organisation.models import Unit
from chuyende.organisation.selectors import subtree
from chuyende.reports.checker import CheckedReport, check_report, returns_from_claims
from chuyende.reports.reading import MAX_BYTES, UnreadableDocument
from chuyende.reports.services import returns_from_checked_report


class CheckerForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Report file (.docx, .pdf or .txt)"), required=False)
    text = forms.CharField(
        label=gettext_lazy("Or paste the report's text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    precision = forms.IntegerField(required=False, min_value=0, max_value=4, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload, text = cleaned.get("file"), (cleaned.get("text") or "").strip()
        if upload is None and not text:
            raise ValidationError(_("Choose a report file or paste its text."))
        if upload is not None and upload.size > MAX_BYTES:
            self.add_error("file", _("The file is larger than 20 MB."))
        cleaned["text"] = text
        return cleaned


class _UnitField(ScopedModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:  # type: ignore[override]
        return obj.name


class ReturnsForm(forms.Form):
    """The figures read from a checked report, as the officer confirms them for a unit."""

    unit = _UnitField(label=gettext_lazy("Unit the report is from"), queryset=Unit.objects.none())
    campaign = ScopedModelChoiceField(label=gettext_lazy("Campaign"), queryset=Campaign.objects.none())
    as_of = forms.DateField(
        label=gettext_lazy("Figures as of"), widget=DateInput(), input_formats=["%Y-%m-%d", "%d/%m/%Y"]
    )
    members_total = forms.IntegerField(label=gettext_lazy("Party members in total"), min_value=0)
    exempt = forms.IntegerField(label=gettext_lazy("Exempt from work and party activities"), min_value=0)
    away = forms.IntegerField(label=gettext_lazy("Away for work"), min_value=0)
    studied = forms.IntegerField(label=gettext_lazy("Members who studied"), min_value=0)
    non_members_expected = forms.IntegerField(
        label=gettext_lazy("Non-members expected to study"), min_value=0, required=False
    )
    non_members_studied = forms.IntegerField(
        label=gettext_lazy("Non-members who studied"), min_value=0, required=False
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = subtree(root=scope_root(actor)).order_by("path")
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, _UnitField)
        unit_field.queryset = units
        campaigns = campaign_choices(actor=actor)
        campaign_field = self.fields["campaign"]
        assert isinstance(campaign_field, ScopedModelChoiceField)
        campaign_field.queryset = Campaign.objects.filter(pk__in=[c.pk for c in campaigns])
        campaign_field.choices = [(c.pk, str(c)) for c in campaigns]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        expected, studied = cleaned.get("non_members_expected"), cleaned.get("non_members_studied")
        if (expected is None) != (studied is None):
            raise ValidationError(_("Give both figures of non-members, or neither."))
        return cleaned


def _may_save_returns(actor: User) -> bool:
    return actor.unit is not None and can_edit(actor, actor.unit)


@login_required
def checker_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = CheckerForm(request.POST or None, request.FILES or None)
    checked: CheckedReport | None = None
    returns_form: ReturnsForm | None = None
    error = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            checked = check_report(data=upload.read() if upload else None, text=form.cleaned_data["text"])
        except UnreadableDocument as unreadable:
            error = str(unreadable)
        if checked is not None and _may_save_returns(actor):
            returns_form = ReturnsForm(actor=actor, initial=returns_from_claims(checked.claims))
    return render(
        request,
        "reports/checker.html",
        {
            "form": form,
            "checked": checked,
            "error": error,
            "returns_form": returns_form,
        },
    )


@login_required
def checker_returns_page(request: HttpRequest) -> HttpResponse:
    """Saves the confirmed figures as the unit's returns; on a refusal the form comes back with the
    reason beside the field, and nothing is saved."""
    actor = actor_of(request)
    if request.method != "POST":
        return redirect("reports:checker")
    form = ReturnsForm(request.POST, actor=actor)
    if form.is_valid():
        data = form.cleaned_data
        try:
            returns_from_checked_report(actor=actor, **data)
        except ValidationError as refusal:
            apply_service_errors(form, refusal)
        else:
            messages.success(
                request,
                _("The figures of %(unit)s as of the report's date were saved as its returns.")
                % {"unit": data["unit"].name},
            )
            return redirect("reports:checker")
    return render(
        request,
        "reports/checker.html",
        {
            "form": CheckerForm(),
            "checked": None,
            "error": "",
            "returns_form": form,
        },
        status=400,
    )
