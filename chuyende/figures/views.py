from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuyende.accounts.permissions import actor_of, require_read, scope_root
from chuyende.exports.tables import export_response, requested_format
from chuyende.figures import selectors
from chuyende.figures.comparison import change_sentence, comparisons
from chuyende.figures.completeness import FirstSubmitted, report_completeness
from chuyende.figures.exports import comparison_columns
from chuyende.figures.forms import ComparisonForm, DashboardForm
from chuyende.figures.home import home_tasks
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
        completeness = report_completeness(unit=unit, campaign=campaign, as_of=as_of,
                                           first_submitted=first_submitted)
        points = selectors.campaign_progress(unit=unit, campaign=campaign, as_of=as_of)
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
            below_target=selectors.below_target(rollup),
            progress=points,
            progress_chart=selectors.worth_a_chart(points),
            charts=selectors.chart_data(rollup, points),
            materials=selectors.materials(rollup),
            ratings=selectors.pledge_ratings(rollup.tally),
            completeness=completeness,
        )
        if unit.pk == user.unit_id:  # the user's home: their everyday tasks, what is due and missing
            context["tasks"] = home_tasks(
                actor=user, unit=unit, campaign=campaign, as_of=as_of, today=timezone.localdate(),
                rollup=rollup, completeness=completeness, first_submitted=first_submitted)
    return render(request, "figures/dashboard.html", context)


@login_required
def comparison(request: HttpRequest) -> HttpResponseBase:
    """An earlier campaign's coverage on today's tree beside a later one's, for a unit and the units
    under it (query: unit, earlier, earlier_as_of, later, later_as_of; `export=xlsx|csv` for a file)."""
    user = actor_of(request)
    campaigns = selectors.campaign_choices(actor=user)
    form = ComparisonForm(request.GET, campaigns=campaigns)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    unit = get_object_or_404(Unit, pk=data["unit"]) if data.get("unit") else scope_root(user)
    require_read(user, unit)
    context: dict[str, object] = {"errors": form.errors, "unit": unit,
                                  "breadcrumb": selectors.breadcrumb(unit=unit, actor=user)}
    if len(campaigns) < 2:
        return render(request, "figures/comparison.html", context)
    today = timezone.localdate()
    later = data.get("later") or campaigns[0]
    earlier = data.get("earlier") or next(c for c in campaigns if c.pk != later.pk)
    later_as_of = data.get("later_as_of") or selectors.default_as_of(campaign=later, today=today)
    earlier_as_of = data.get("earlier_as_of") or selectors.default_as_of(campaign=earlier, today=today)
    units = [unit, *selectors.units_below_on(unit=unit, day=later_as_of)]
    rows = comparisons(units=units, earlier=earlier, earlier_as_of=earlier_as_of, later=later,
                       later_as_of=later_as_of)
    fmt = requested_format(request)
    if fmt is not None:
        return export_response(rows=rows, columns=comparison_columns(earlier, later), fmt=fmt,
                               filename_stem="so-sanh", sheet_title=_("Comparison"))
    context.update(
        form=ComparisonForm(campaigns=campaigns, initial={
            "unit": unit.pk, "earlier": earlier.pk, "earlier_as_of": earlier_as_of, "later": later.pk,
            "later_as_of": later_as_of}),
        earlier=earlier, later=later, earlier_as_of=earlier_as_of, later_as_of=later_as_of,
        whole=rows[0], rows=rows[1:],
        sentence=change_sentence(rows[0], year=earlier.year, precision=later.rate_precision),
        query=request.GET.urlencode(),
    )
    return render(request, "figures/comparison.html", context)
