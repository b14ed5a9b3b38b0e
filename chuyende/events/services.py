import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import can_read, require_edit, require_read
from chuyende.audit.models import AuditEntry
from chuyende.audit.services import Change, record_change, record_changes, snapshot
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.services import require_in_campaign
from chuyende.core import bulk
from chuyende.core.exceptions import NotInScope, RowsInvalid
from chuyende.core.validation import require_free
from chuyende.events.models import Attendance, Event, Presenter, Site
from chuyende.events.study_records import refresh_study_records
from chuyende.figures import ledger
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
    *, actor: User | None, campaign: Campaign, organiser: Unit, number: int, site: SiteData,
    units: dict[int, Unit],
) -> None:
    label = _site_label(number, site)
    require_read(actor, site.unit)
    if not site.unit.path.startswith(organiser.path):
        raise ValidationError({"sites": _("%(site)s: the unit is not under the organising unit.")
                               % {"site": label}})
    _check_site_counts(campaign=campaign, site=site, label=label)
    for member in site.attendees:
        unit = units[member.unit_id]
        if not can_read(actor, unit):
            raise NotInScope
        if not unit.path.startswith(site.unit.path):
            raise ValidationError({"sites": _(
                "%(site)s: %(member)s is not a member of a unit under this bridge point."
            ) % {"site": label, "member": member}})


def _attendee_units(sites: list[SiteData]) -> dict[int, Unit]:
    """The units of the members listed at the bridge points, by id: those loaded with the members,
    the others in one query."""
    units: dict[int, Unit] = {}
    for data in sites:
        for member in data.attendees:
            if member.unit_id not in units and Member.unit.is_cached(member):
                units[member.unit_id] = member.unit
    missing = {member.unit_id for data in sites for member in data.attendees} - units.keys()
    if missing:
        units.update(Unit.objects.in_bulk(missing))
    return units


def _check_site_counts(*, campaign: Campaign, site: SiteData, label: str) -> None:
    for name, value in (
        (_("party members not listed by name"), site.other_members),
        (_("non-members"), site.non_members),
    ):
        if value < 0:
            raise ValidationError({"sites": _("%(site)s: %(field)s cannot be negative.")
                                   % {"site": label, "field": name}})
    _check_categories(campaign=campaign, site=site, label=label)


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
    units = _attendee_units(sites)
    for number, site in enumerate(sites, start=1):
        _check_site(actor=actor, campaign=campaign, organiser=organiser, number=number, site=site,
                    units=units)
        if site.unit.pk in seen_units:
            raise ValidationError({"sites": _("%(site)s: this unit already has a bridge point.")
                                   % {"site": _site_label(number, site)}})
        seen_units.add(site.unit.pk)
        for member in site.attendees:
            _list_once(seen_members, member.pk, member)


def _list_once(seen: set[int], member_id: int, label: object) -> None:
    """Adds a member to those listed at an event; a member is listed once at an event."""
    if member_id in seen:
        raise ValidationError({"sites": _("%(member)s is listed twice at this event.") % {"member": label}})
    seen.add(member_id)


def _write_sites(event: Event, sites: list[SiteData], *, previous_attendees: set[int]) -> None:
    """Writes the bridge points and attendances of an event that has none (one statement a kind,
    however many) and recomputes the first study days of the members taken off or put on its lists."""
    stored = Site.objects.bulk_create([
        Site(event=event, unit=data.unit, other_members=data.other_members, non_members=data.non_members,
             non_members_by_category=dict(data.non_members_by_category), listed_members=len(data.attendees))
        for data in sites
    ])
    bulk.insert_rows(Attendance, ("event", "site", "member"), [
        (event.pk, site.pk, member.pk) for site, data in zip(stored, sites, strict=True)
        for member in data.attendees
    ])
    attendees = {member.pk for data in sites for member in data.attendees}
    refresh_study_records(campaign_id=event.campaign_id, member_ids=attendees | previous_attendees)


def _delete_sites(event: Event) -> None:
    bulk.delete_rows(Attendance, "event", event.pk)
    bulk.delete_rows(Site, "event", event.pk)


def _stored_snapshot(event: Event) -> tuple[dict[str, object], set[int]]:
    """The audit snapshot of the event as stored (_StoredEvents.snapshot), and the members listed at
    it, in a few queries."""
    stored = _StoredEvents([event.pk])
    attendees = {member_id for site in stored.sites.get(event.pk, ())
                 for member_id, _code, _label in stored.attendees.get(site.id, ())}
    return stored.snapshot(event), attendees


def _written_snapshot(event: Event, sites: list[SiteData], presenters: list[Presenter]) -> dict[str, object]:
    """The audit snapshot (_StoredEvents.snapshot) of the event just written with these bridge points
    and presenters, made without reading them back."""
    values = snapshot(event)
    values["presenters"] = sorted(presenter.code for presenter in presenters)
    values["sites"] = [
        {
            "unit": data.unit.code,
            "other_members": data.other_members,
            "non_members": data.non_members,
            "non_members_by_category": dict(data.non_members_by_category),
            "attendees": sorted(member.code for member in data.attendees),
        }
        for data in sorted(sites, key=lambda data: data.unit.path)
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
    audience: str | None = None,
    partners: Sequence[str] | None = None,
) -> Event:
    """Records an event (`audience` None: the general public and party members; `partners` None:
    none) with its bridge points and their attendees."""
    event = Event(campaign=campaign)
    _save_event(actor=actor, event=event, organiser=organiser, held_on=held_on, format=format,
                title=title, sites=sites, presenters=presenters, is_make_up=is_make_up, code=code,
                audience=audience or Event.Audience.GENERAL, partners=partners or [],
                previous_attendees=None)
    record_change(actor=actor, action="create", record=event, unit_path=organiser.path,
                  before=None, after=_written_snapshot(event, sites, presenters or []))
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
    audience: str,
    partners: Sequence[str],
    previous_attendees: set[int] | None,
) -> None:
    """Checks and writes an event with its presenters, bridge points and attendees; a stored event
    (its members listed so far given) has them replaced."""
    _check_event(actor=actor, campaign=event.campaign, organiser=organiser, held_on=held_on, sites=sites)
    _check_event_code(campaign=event.campaign, code=code, exclude_pk=event.pk)
    event.organiser, event.held_on, event.format, event.title = organiser, held_on, format, title
    event.is_make_up, event.code = is_make_up, code
    event.audience, event.partners = audience, list(partners)
    event.full_clean(validate_constraints=False)
    counters = ledger.track(events=[event.pk] if event.pk else [], members={
        *(previous_attendees or ()), *(member.pk for site in sites for member in site.attendees)})
    if previous_attendees is None:
        event.save()
        if presenters:
            event.presenters.add(*presenters)
    else:
        event.save(update_fields=["organiser", "held_on", "format", "title", "is_make_up", "code", "audience",
                                  "partners"])
        event.presenters.set(presenters or [])
        _delete_sites(event)
    _write_sites(event, sites, previous_attendees=previous_attendees or set())
    counters.also(events=[event.pk])
    counters.finish()


def _check_event_code(*, campaign: Campaign, code: str, exclude_pk: int | None = None) -> None:
    if not code:
        return
    # The "not empty" term lets SQLite use the partial unique index on (campaign, code).
    taken = Event.objects.filter(campaign=campaign, code=code).exclude(code="")
    require_free(taken, field="code", exclude_pk=exclude_pk,
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
    audience: str | None = None,
    partners: Sequence[str] | None = None,
) -> Event:
    """Replaces the event's fields and bridge points; `audience` and `partners` None keep theirs."""
    require_edit(actor, event.organiser)
    before, previous = _stored_snapshot(event)
    _save_event(actor=actor, event=event, organiser=organiser, held_on=held_on, format=format,
                title=title, sites=sites, presenters=presenters, is_make_up=is_make_up, code=code,
                audience=event.audience if audience is None else audience,
                partners=list(event.partners) if partners is None else partners,
                previous_attendees=previous)
    record_change(actor=actor, action="update", record=event, unit_path=organiser.path,
                  before=before, after=_written_snapshot(event, sites, presenters or []))
    return event


@transaction.atomic
def event_delete(*, actor: User | None, event: Event) -> None:
    require_edit(actor, event.organiser)
    before, attendees = _stored_snapshot(event)
    path = event.organiser.path
    record_change(actor=actor, action="delete", record=event, unit_path=path, before=before, after=None)
    campaign_id = event.campaign_id
    counters = ledger.track(events=[event.pk], members=attendees)
    _delete_sites(event)
    event.delete()
    refresh_study_records(campaign_id=campaign_id, member_ids=attendees)
    counters.finish()


# --- many attendance lists at once (imports) --------------------------------------------------------


class AttendanceList(NamedTuple):
    """The members listed at the bridge point of `unit` of a stored event, for attendance_lists_replace."""

    event: Event
    unit: Unit
    members: tuple[Member, ...]


class _StoredSite(NamedTuple):
    id: int
    unit_id: int
    unit_code: str
    unit_name: str
    unit_path: str
    other_members: int
    non_members: int
    non_members_by_category: dict[str, int]


class _StoredEvents:
    """The bridge points, their attendees (id, code, label) and the presenters' codes of events, in
    a few queries however many the events."""

    def __init__(self, event_ids: list[int]) -> None:
        self.sites: dict[int, list[_StoredSite]] = {}
        stored = Site.objects.filter(event_id__in=event_ids).order_by("unit__path").values_list(
            "event_id", "id", "unit_id", "unit__code", "unit__name", "unit__path", "other_members",
            "non_members", "non_members_by_category")
        for event_id, *values in stored:
            self.sites.setdefault(event_id, []).append(_StoredSite(*values))
        self.attendees: dict[int, list[tuple[int, str, str]]] = {}  # by site: (member id, code, label)
        for site_id, member_id, code, name in Attendance.objects.filter(event_id__in=event_ids).order_by(
                ).values_list("site_id", "member_id", "member__code", "member__full_name"):
            self.attendees.setdefault(site_id, []).append((member_id, code, f"{name} ({code})"))
        self.presenters: dict[int, list[str]] = {}
        through = Event.presenters.through.objects.filter(event_id__in=event_ids).order_by()
        for event_id, code in through.values_list("event_id", "presenter__code"):
            self.presenters.setdefault(event_id, []).append(code)

    def snapshot(self, event: Event, lists: dict[int, list[str]] | None = None) -> dict[str, object]:
        """The event's audit snapshot: its fields, its presenters' codes and its bridge points by
        unit path with their counts and attendees' codes; its named lists (by site id: members'
        codes) replaced."""
        values = snapshot(event)
        values["presenters"] = sorted(self.presenters.get(event.id, ()))
        values["sites"] = [
            {"unit": site.unit_code, "other_members": site.other_members, "non_members": site.non_members,
             "non_members_by_category": site.non_members_by_category,
             "attendees": sorted(lists[site.id] if lists is not None and site.id in lists
                                 else [code for _id, code, _label in self.attendees.get(site.id, ())])}
            for site in self.sites.get(event.id, ())
        ]
        return values


@transaction.atomic
def attendance_lists_replace(*, actor: User | None, lists: Sequence[AttendanceList]) -> int:
    """Gives each named bridge point of stored events exactly its list of members, as event_update
    does when called with the event as it is and those lists; the other bridge points of the events
    keep theirs. Returns how many events changed.

    Each organiser's editing right is asked once, then each event is checked by event_update's rules
    (its day in the campaign, every bridge point's counts, each member listed readable, in a unit
    under the bridge point, and listed once at the event), the lists kept counting for the last
    rule; a list for a unit without a bridge point of the event is refused. If any event breaks a
    rule, RowsInvalid lists, by the index of the first list of that event, the first error, and
    nothing is written. An event whose lists are all as stored writes nothing.

    The attendances of the changed lists are deleted and inserted many a statement, the bridge
    points' counts of listed members updated, the first study days (StudyRecord) recomputed once for
    every member taken off or put on a list, and each changed event gets event_update's audit entry.
    """
    events = {item.event.id: item.event for item in lists}
    for organiser in {event.organiser_id: event.organiser for event in events.values()}.values():
        require_edit(actor, organiser)
    stored = _StoredEvents(list(events))
    named: dict[int, dict[int, AttendanceList]] = {}  # event -> bridge point unit -> list
    first: dict[int, int] = {}
    for index, item in enumerate(lists):
        named.setdefault(item.event.id, {})[item.unit.id] = item
        first.setdefault(item.event.id, index)
    errors: dict[int, ValidationError] = {}
    changed: list[Event] = []
    for event_id, event in events.items():
        try:
            if _check_lists(actor, event, named[event_id], stored):
                changed.append(event)
        except ValidationError as refused:
            errors[first[event_id]] = refused
    if errors:
        raise RowsInvalid(errors)
    counters = ledger.track(events=[event.id for event in changed], members={
        *(member.id for item in lists for member in item.members),
        *(member_id for kept in stored.attendees.values() for member_id, _code, _label in kept)})
    _write_lists(actor, changed, named, stored)
    counters.finish()
    return len(changed)


def _check_lists(actor: User | None, event: Event, named: dict[int, AttendanceList],
                 stored: _StoredEvents) -> bool:
    """event_update's checks of the event with its named lists; whether any list differs."""
    require_in_campaign(campaign=event.campaign, day=event.held_on, field="held_on")
    sites = stored.sites.get(event.id, [])
    missing = set(named) - {site.unit_id for site in sites}
    if missing:
        unit = next(item.unit for unit_id, item in named.items() if unit_id in missing)
        raise ValidationError({"sites": _(
            "Event %(event)s has no bridge point at %(unit)s; add the bridge point with the events "
            "template first."
        ) % {"event": event.code, "unit": unit.name}})
    seen: set[int] = set()
    differs = False
    for number, site in enumerate(sites, start=1):
        data = SiteData(unit=named[site.unit_id].unit if site.unit_id in named else Unit(name=site.unit_name),
                        other_members=site.other_members, non_members=site.non_members,
                        non_members_by_category=site.non_members_by_category)
        label = _site_label(number, data)
        _check_site_counts(campaign=event.campaign, site=data, label=label)
        kept = stored.attendees.get(site.id, [])
        if site.unit_id in named:
            members = named[site.unit_id].members
            for member in members:
                if not can_read(actor, member.unit):
                    raise NotInScope
                if not member.unit.path.startswith(site.unit_path):
                    raise ValidationError({"sites": _(
                        "%(site)s: %(member)s is not a member of a unit under this bridge point."
                    ) % {"site": label, "member": member}})
            listed = [(member.id, str(member)) for member in members]
            differs = differs or {member_id for member_id, _label in listed} != {
                member_id for member_id, _code, _label in kept}
        else:
            listed = [(member_id, member_label) for member_id, _code, member_label in kept]
        for member_id, member_label in listed:
            _list_once(seen, member_id, member_label)
    return differs


def _write_lists(actor: User | None, events: list[Event], named: dict[int, dict[int, AttendanceList]],
                 stored: _StoredEvents) -> None:
    """Replaces the changed lists of the events, with their study records and audit entries."""
    before = [stored.snapshot(event) for event in events]
    replaced: list[_StoredSite] = []
    moved: dict[int, set[int]] = {}  # campaign -> members taken off or put on a list
    new_codes: dict[int, list[str]] = {}
    rows: list[tuple[int, int, int]] = []
    for event in events:
        for site in stored.sites.get(event.id, []):
            item = named[event.id].get(site.unit_id)
            if item is None:
                continue
            replaced.append(site)
            members = moved.setdefault(event.campaign_id, set())
            members.update(member_id for member_id, _code, _label in stored.attendees.get(site.id, ()))
            members.update(member.id for member in item.members)
            new_codes[site.id] = [member.code for member in item.members]
            rows.extend((event.id, site.id, member.id) for member in item.members)
    Attendance.objects.filter(site_id__in=[site.id for site in replaced]).delete()
    bulk.insert_rows(Attendance, ("event", "site", "member"), rows)
    bulk.update_rows(Site, "id", ("listed_members",),
                     [(site.id, len(new_codes[site.id])) for site in replaced])
    for campaign_id, member_ids in moved.items():
        refresh_study_records(campaign_id=campaign_id, member_ids=member_ids)
    record_changes(actor=actor, action=AuditEntry.Action.UPDATE, changes=[
        Change(record=event, unit_path=event.organiser.path, before=values,
               after=stored.snapshot(event, new_codes))
        for event, values in zip(events, before, strict=True)])
