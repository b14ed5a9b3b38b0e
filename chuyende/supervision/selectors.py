"""Reads of supervision, limited to the user's subtree.

Scope rule: a visit or an assignment is visible to a user when its unit (the supervised unit) OR its
officer's home unit lies in the user's subtree. So a district officer's visit to a commune is seen by
the commune's users (the unit is theirs) as well as by the district's (the officer is theirs). An
officer visits only units below their home unit (supervision.services), so the first half alone
normally decides; the second keeps an officer's past visits visible to their own unit after the
visited unit has moved elsewhere in the tree.

Officers listed on the page: those of the user's subtree, and officers from above with an assignment
or a visit in the campaign to a unit of the subtree (the commune sees who supervises it). Of an
officer from above, only the assignments and visits inside the user's subtree are shown.
"""

import datetime

from django.db.models import BooleanField, Case, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.campaigns.models import Campaign
from chuyende.supervision.models import Assignment, Supervisor, Visit


def _in_scope(root_path: str) -> Q:
    return Q(unit__path__under=root_path) | Q(supervisor__unit__path__under=root_path)


def supervisors_of_subtree(*, actor: User) -> QuerySet[Supervisor]:
    """Officers whose home unit lies in the user's subtree (those the forms may name)."""
    return Supervisor.objects.filter(unit__path__under=scope_root(actor).path).select_related("unit")


def assignments_visible_to(*, actor: User, campaign: Campaign) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(_in_scope(scope_root(actor).path), campaign=campaign)
        .select_related("unit")
        .order_by("unit__path")
    )


def visits_visible_to(*, actor: User, campaign: Campaign | None = None) -> QuerySet[Visit]:
    visits = Visit.objects.filter(_in_scope(scope_root(actor).path))
    if campaign is not None:
        visits = visits.filter(campaign=campaign)
    return visits.select_related("unit", "supervisor", "supervisor__unit", "campaign")


def visits_for_list(*, actor: User, campaign: Campaign, on: datetime.date) -> QuerySet[Visit]:
    """Visits made on or before `on`; those whose follow-up is still open on that day first
    (annotated `open_on_day`), then the newest."""
    still_open = Q(closed_on__isnull=True) | Q(closed_on__gt=on)
    return (
        visits_visible_to(actor=actor, campaign=campaign)
        .filter(visited_on__lte=on)
        .annotate(open_on_day=Case(
            When(Q(still_open) & ~Q(follow_up=""), then=Value(True)),
            default=Value(False), output_field=BooleanField(),
        ))
        .order_by("-open_on_day", "-visited_on", "-id")
    )


def supervisors_for_list(*, actor: User, campaign: Campaign) -> QuerySet[Supervisor]:
    """Officers of the subtree and officers from above at work in it during the campaign, each with
    `visible_assignments` (the campaign's assignments the user may see) prefetched."""
    root = scope_root(actor)
    assigned_here = Assignment.objects.filter(
        supervisor=OuterRef("pk"), campaign=campaign, unit__path__under=root.path
    )
    visited_here = Visit.objects.filter(
        supervisor=OuterRef("pk"), campaign=campaign, unit__path__under=root.path
    )
    return (
        Supervisor.objects.filter(
            Q(unit__path__under=root.path) | Exists(assigned_here) | Exists(visited_here)
        )
        .select_related("unit")
        .prefetch_related(Prefetch(
            "assignments", queryset=assignments_visible_to(actor=actor, campaign=campaign),
            to_attr="visible_assignments",
        ))
        .order_by("unit__path", "full_name")
    )
