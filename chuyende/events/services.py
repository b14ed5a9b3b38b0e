import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import can_read, require_edit, require_read
from chuyende.audit.services import record_change, snapshot
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.services import require_in_campaign
from chuyende.core.exceptions import NotInScope
from chuyende.core.validation import require_free
from chuyende.events.models import Attendance, Event, Presenter, Site
from chuyende.events.study_records import refresh_study_records
from chuyende.members.models import Member
from chuyende.organisation.models import Unit


@dataclass(frozen=True)
class SiteData:
    unit: Unit
    other_members: int = 0
    non_members: int = 0
    non_members_by_category: dict[str, int] = field(default_factory=dict)
    attendees: tuple[Member, ...] = ()


@transaction.atomic
def presenter_create(
    *, actor: User | None, unit: Unit, code: str, full_name: str, title: str = ""
) -> Presenter:
    require_edit(actor, unit)
    require_free(Presenter.objects.filter(code=code), field="code",
                 message=_("A presenter with code %(code)s already exists.") % {"code": code})
    presenter = Presenter(unit=unit, code=code, full_name=full_name, title=title)
    presenter.full_clean(validate_unique=False)
    presenter.save()
    record_change(actor=actor, action="create", record=presenter, unit_path=unit.path, before=None,
                  after=snapshot(presenter))
    return presenter


def _site_label(number: int, site: SiteData) -> str:
    return _("Bridge point %(number)s (%(unit)s)") % {"number": number, "unit": site.unit.name}


def _check_site(
    *, actor: User | None, campaign: Campaign, organiser: Unit, number: int, site: SiteData
) -> None:
    label = _site_label(number, site)
    require_read(actor, site.unit)
    if not site.unit.path.startswith(organiser.path):
        raise ValidationError({"sites": _("%(site)s: the unit is not under the organising unit.")
                               % {"site": label}})
    for name, value in (
        (_("party members not listed by name"), site.other_members),
        (_("non-members"), site.non_members),
    ):
        if value < 0:
            raise ValidationError({"sites": _("%(site)s: %(field)s cannot be negative.")
                                   % {"site": label, "field": name}})
    _check_categories(campaign=campaign, site=site, label=label)
    for member in site.attendees:
        if not can_read(actor, member.unit):
            raise NotInScope
        if not member.unit.path.startswith(site.unit.path):
            raise ValidationError({"sites": _(
                "%(site)s: %(member)s is not a member of a unit under this bridge point."
            ) % {"site": label, "member": member}})


def _check_categories(*, campaign: Campaign, site: SiteData, label: str) -> None:
    by_category = site.non_members_by_category
    for category, count in by_category.items():
        if category not in campaign.non_party_categories:
            raise ValidationError({"sites": _(
                "%(site)s: the campaign does not count non-members of category %(category)s."
            ) % {"site": label, "category": category}})
        if count < 0:
            raise ValidationError({"sites": _("%(site)s: %(field)s cannot be negative.")
                                   % {"site": label, "field": category}})
    if sum(by_category.values()) > site.non_members:
        raise ValidationError({"sites": _(
            "%(site)s: non-members by category add up to more than the %(total)s non-members."
        ) % {"site": label, "total": site.non_members}})


def _check_event(
    *, actor: User | None, campaign: Campaign, organiser: Unit, held_on: datetime.date,
    sites: list[SiteData],
) -> None:
    require_edit(actor, organiser)
    require_in_campaign(campaign=campaign, day=held_on, field="held_on")
    if not sites:
        raise ValidationError({"sites": _("An event needs at least one bridge point.")})
    seen_units: set[int] = set()
    seen_members: set[int] = set()
    for number, site in enumerate(sites, start=1):
        _check_site(actor=actor, campaign=campaign, organiser=organiser, number=number, site=site)
        if site.unit.pk in seen_units:
            raise ValidationError({"sites": _("%(site)s: this unit already has a bridge point.")
                                   % {"site": _site_label(number, site)}})
        seen_units.add(site.unit.pk)
        for member in site.attendees:
            if member.pk in seen_members:
                raise ValidationError({"sites": _("%(member)s is listed twice at this event.")
                                       % {"member": member}})
            seen_members.add(member.pk)


def _write_sites(event: Event, sites: list[SiteData], *, previous_attendees: set[int]) -> None:
    event.sites.all().delete()
    for data in sites:
        site = Site.objects.create(
            event=event, unit=data.unit, other_members=data.other_members,
            non_members=data.non_members, non_members_by_category=dict(data.non_members_by_category),
            listed_members=len(data.attendees),
        )
        Attendance.objects.bulk_create(
            [Attendance(event=event, site=site, member=member) for member in data.attendees]
        )
    attendees = {member.pk for data in sites for member in data.attendees}
    refresh_study_records(campaign_id=event.campaign_id, member_ids=attendees | previous_attendees)


def _event_snapshot(event: Event) -> dict[str, object]:
    values = snapshot(event)
    values["presenters"] = sorted(event.presenters.values_list("code", flat=True))
    values["sites"] = [
        {
            "unit": site.unit.code,
            "other_members": site.other_members,
            "non_members": site.non_members,
            "non_members_by_category": site.non_members_by_category,
            "attendees": sorted(site.attendances.values_list("member__code", flat=True)),
        }
        for site in event.sites.select_related("unit").order_by("unit__path")
    ]
    return values


@transaction.atomic
def event_create(
    *,
    actor: User | None,
    campaign: Campaign,
    organiser: Unit,
    held_on: datetime.date,
    format: str,
    title: str,
    sites: list[SiteData],
    presenters: list[Presenter] | None = None,
    is_make_up: bool = False,
    code: str = "",
) -> Event:
    event = Event(campaign=campaign)
    _save_event(actor=actor, event=event, organiser=organiser, held_on=held_on, format=format,
                title=title, sites=sites, presenters=presenters, is_make_up=is_make_up, code=code)
    record_change(actor=actor, action="create", record=event, unit_path=organiser.path,
                  before=None, after=_event_snapshot(event))
    return event


def _save_event(
    *,
    actor: User | None,
    event: Event,
    organiser: Unit,
    held_on: datetime.date,
    format: str,
    title: str,
    sites: list[SiteData],
    presenters: list[Presenter] | None,
    is_make_up: bool,
    code: str,
) -> None:
    """Checks and writes an event with its presenters, bridge points and attendees."""
    _check_event(actor=actor, campaign=event.campaign, organiser=organiser, held_on=held_on, sites=sites)
    _check_event_code(campaign=event.campaign, code=code, exclude_pk=event.pk)
    event.organiser, event.held_on, event.format, event.title = organiser, held_on, format, title
    event.is_make_up, event.code = is_make_up, code
    event.full_clean(validate_constraints=False)
    previous = set(event.attendances.values_list("member_id", flat=True)) if event.pk else set()
    if event.pk is None:
        event.save()
    else:
        event.save(update_fields=["organiser", "held_on", "format", "title", "is_make_up", "code"])
    event.presenters.set(presenters or [])
    _write_sites(event, sites, previous_attendees=previous)


def _check_event_code(*, campaign: Campaign, code: str, exclude_pk: int | None = None) -> None:
    if not code:
        return
    require_free(Event.objects.filter(campaign=campaign, code=code), field="code", exclude_pk=exclude_pk,
                 message=_("An event with code %(code)s already exists in this campaign.") % {"code": code})


@transaction.atomic
def event_update(
    *,
    actor: User | None,
    event: Event,
    organiser: Unit,
    held_on: datetime.date,
    format: str,
    title: str,
    sites: list[SiteData],
    presenters: list[Presenter] | None = None,
    is_make_up: bool = False,
    code: str = "",
) -> Event:
    require_edit(actor, event.organiser)
    before = _event_snapshot(event)
    _save_event(actor=actor, event=event, organiser=organiser, held_on=held_on, format=format,
                title=title, sites=sites, presenters=presenters, is_make_up=is_make_up, code=code)
    record_change(actor=actor, action="update", record=event, unit_path=organiser.path,
                  before=before, after=_event_snapshot(event))
    return event


@transaction.atomic
def event_delete(*, actor: User | None, event: Event) -> None:
    require_edit(actor, event.organiser)
    before = _event_snapshot(event)
    path = event.organiser.path
    record_change(actor=actor, action="delete", record=event, unit_path=path, before=before, after=None)
    attendees = set(event.attendances.values_list("member_id", flat=True))
    campaign_id = event.campaign_id
    event.delete()
    refresh_study_records(campaign_id=campaign_id, member_ids=attendees)
