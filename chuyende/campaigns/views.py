from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from chuyende.accounts.permissions import actor_of, can_edit, require_edit, scope_root
from chuyende.campaigns.forms import CampaignForm, GuidingDocumentFormSet
from chuyende.campaigns.selectors import campaigns_for
from chuyende.campaigns.services import GuidingDocumentData, campaign_create
from chuyende.members.models import MemberStatusChoices


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    campaigns = campaigns_for(actor=user).select_related("owner")
    return render(request, "campaigns/list.html", {
        "campaigns": campaigns,
        "can_create": can_edit(user, scope_root(user)),
    })


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(campaigns_for(actor=actor_of(request)).select_related("owner"), pk=pk)
    return render(request, "campaigns/detail.html", {
        "campaign": campaign,
        "documents": campaign.guiding_documents.all(),
        "excluded_labels": [MemberStatusChoices(s).label for s in campaign.excluded_statuses],
    })


@login_required
def campaign_create_page(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    owner = scope_root(user)
    require_edit(user, owner)
    form = CampaignForm(request.POST or None)
    documents = GuidingDocumentFormSet(request.POST or None, prefix="doc")
    if request.method == "POST" and form.is_valid() and documents.is_valid():
        guiding = [
            GuidingDocumentData(**{k: d[k] for k in ("number", "issued_on", "issuer", "title")})
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
