from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from chuyende.accounts.permissions import actor_of, require_read, scope_root
from chuyende.figures import selectors
from chuyende.figures.completeness import FirstSubmitted, report_completeness
from chuyende.figures.forms import DashboardForm
from chuyende.figures.rollup import unit_figures
from chuyende.organisation.models import Unit


@login_required
def dashboard(request: HttpRequest, *, first_submitted: FirstSubmitted) -> HttpResponse:
    """Figures of one unit's subtree for one campaign as of one date (query: unit, campaign, as_of).

    `first_submitted` is the reports app's reading of submissions, passed in by the root URLconf
    (the figures package does not import the reports app)."""
    user = actor_of(request)
    campaigns = selectors.campaign_choices(actor=user)
    form = DashboardForm(request.GET, campaigns=campaigns)
    form.is_valid()  # a bad value is shown as an error and replaced by its default
    data = getattr(form, "cleaned_data", {})

    unit_id = data.get("unit")
    if unit_id:
        unit = get_object_or_404(Unit, pk=unit_id)
        require_read(user, unit)
    else:
        unit = scope_root(user)

    campaign = data.get("campaign") or (campaigns[0] if campaigns else None)
    context: dict[str, object] = {
        "errors": form.errors,
        "unit": unit,
        "campaign": campaign,
        "breadcrumb": selectors.breadcrumb(unit=unit, actor=user),
    }
    if campaign is not None:
        as_of = data.get("as_of") or selectors.default_as_of(
            campaign=campaign, today=timezone.localdate()
        )
        rollup = unit_figures(unit=unit, campaign=campaign, as_of=as_of)
        context.update(
            form=DashboardForm(
                campaigns=campaigns, initial={"unit": unit.pk, "campaign": campaign.pk, "as_of": as_of}
            ),
            as_of=as_of,
            rollup=rollup,
            exclusions=selectors.exclusions(rollup),
            formats=selectors.events_by_format(rollup.tally),
            organised=rollup.units_organised_study,
            reached=rollup.units_reached_target,
            materials=selectors.materials(rollup),
            ratings=selectors.pledge_ratings(rollup.tally),
            completeness=report_completeness(unit=unit, campaign=campaign, as_of=as_of,
                                             first_submitted=first_submitted),
        )
    return render(request, "figures/dashboard.html", context)
