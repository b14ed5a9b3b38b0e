from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from chuyende.accounts.permissions import actor_of, can_edit, require_edit, scope_root
from chuyende.campaigns.forms import (
    CampaignEditForm,
    CampaignForm,
    GuidingDocumentEditFormSet,
    GuidingDocumentFormSet,
)
from chuyende.campaigns.selectors import campaigns_for, reports_frozen_for
from chuyende.campaigns.services import (
    GuidingDocumentData,
    campaign_create,
    campaign_update,
    require_campaign_edit,
)
from chuyende.core.submissions import submitted_once
from chuyende.members.forms import apply_service_errors
from chuyende.members.models import MemberStatusChoices

DOCUMENT_FIELDS = ("number", "issued_on", "issuer", "title")
EDITABLE_FIELDS = (
    "title", "starts", "ends", "study_deadline", "report_deadline", "target_rate", "rate_precision",
    "excluded_statuses", "non_party_categories",
)


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    campaigns = campaigns_for(actor=user).select_related("owner")
    return render(request, "campaigns/list.html", {
        "rows": [(campaign, can_edit(user, campaign.owner)) for campaign in campaigns],
        "can_create": can_edit(user, scope_root(user)),
    })


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    campaign = get_object_or_404(campaigns_for(actor=user).select_related("owner"), pk=pk)
    return render(request, "campaigns/detail.html", {
        "campaign": campaign,
        "can_edit": can_edit(user, campaign.owner),
        "documents": campaign.guiding_documents.all(),
        "excluded_labels": [MemberStatusChoices(s).label for s in campaign.excluded_statuses],
    })


@login_required
@submitted_once
def campaign_create_page(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    owner = scope_root(user)
    require_edit(user, owner)
    form = CampaignForm(request.POST or None)
    documents = GuidingDocumentFormSet(request.POST or None, prefix="doc")
    if request.method == "POST" and form.is_valid() and documents.is_valid():
        guiding = [
            GuidingDocumentData(**{k: d[k] for k in DOCUMENT_FIELDS})
            for d in documents.cleaned_data
            if d.get("number")
        ]
        try:
            campaign = campaign_create(actor=user, owner=owner, guiding_documents=guiding,
                                       **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The campaign has been created."))
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "campaigns/form.html", {"form": form, "documents": documents, "owner": owner})


@login_required
def campaign_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor_of(request)
    campaign = get_object_or_404(campaigns_for(actor=user).select_related("owner"), pk=pk)
    require_campaign_edit(user, campaign)
    frozen = list(reports_frozen_for(campaign=campaign))
    form = CampaignEditForm(
        request.POST or None, frozen_reports=bool(frozen),
        initial={name: getattr(campaign, name) for name in EDITABLE_FIELDS},
    )
    documents = GuidingDocumentEditFormSet(
        request.POST or None, prefix="doc",
        initial=[{"id": d.pk, **{k: getattr(d, k) for k in DOCUMENT_FIELDS}}
                 for d in campaign.guiding_documents.all()],
    )
    if request.method == "POST" and form.is_valid() and documents.is_valid():
        try:
            campaign_update(actor=user, campaign=campaign, guiding_documents=_documents_of(documents),
                            **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The campaign has been saved."))
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "campaigns/edit.html", {
        "campaign": campaign, "form": form, "documents": documents, "frozen_reports": frozen,
    })


def _documents_of(formset: BaseFormSet) -> list[GuidingDocumentData]:
    """The rows kept: filled in and not marked for removal."""
    return [
        GuidingDocumentData(id=row.get("id"), **{k: row[k] for k in DOCUMENT_FIELDS})
        for row in formset.cleaned_data
        if row.get("number") and not row.get("DELETE")
    ]
