"""Stored records written into the import templates: what an import of the same kind would create.

`dump_workbook(kind, actor=...)` lists the records of the actor's subtree that the actor could
import (events organised in it, deliveries sent from it, ...), in the template's columns, choices as
their Vietnamese labels, unit columns with the drop-down of the actor's unit codes. Importing the file
back changes nothing; importing it into a database that has the units, campaign and people it refers
to recreates the records.

A member's status is the one in force now, from the day it started (earlier periods are not
written). Attendance lists only events with a code.
"""

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db.models import F, Prefetch, QuerySet
from django.utils import translation

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.campaigns.models import Campaign
from chuyende.events.models import Attendance, Event, Presenter, Site
from chuyende.imports.selectors import unit_codes_of
from chuyende.imports.spec import CATEGORY_HEADERS, YES, Sheet, sheet_of
from chuyende.imports.templates_xlsx import write_workbook
from chuyende.materials.models import MaterialTransfer
from chuyende.members.models import Member, MemberStatus
from chuyende.organisation.models import Unit
from chuyende.outreach.models import Outreach
from chuyende.pledges.models import Pledge, PledgeReturn
from chuyende.returns.models import MemberReturn, NonMemberReturn

CHUNK = 2000


class _Labels:
    """Stored value → Vietnamese label, per choice column of a sheet."""

    def __init__(self, sheet: Sheet) -> None:
        with translation.override("vi"):
            self.labels = {
                column.key: {value: str(label) for value, label in column.choices}
                for column in sheet.columns if column.choices
            }

    def __call__(self, key: str, value: str) -> str:
        return self.labels[key].get(value, value) if value else ""


def _campaign_filter(records: QuerySet[Any], campaign: Campaign | None) -> QuerySet[Any]:
    return records.filter(campaign=campaign) if campaign is not None else records


def _units(path: str, labels: _Labels, campaign: Campaign | None) -> Iterator[list[Any]]:
    units = Unit.objects.filter(path__startswith=path).select_related("parent").order_by("path")
    for unit in units.iterator(chunk_size=CHUNK):
        yield [unit.code, unit.name, labels("kind", unit.kind), unit.parent.code if unit.parent else "",
               labels("tracking", unit.tracking), unit.opened_on, unit.closed_on,
               labels("sector", unit.sector)]


def _members(path: str, labels: _Labels, campaign: Campaign | None) -> Iterator[list[Any]]:
    current = MemberStatus.objects.filter(valid_to__isnull=True)
    members = (Member.objects.filter(unit__path__startswith=path).select_related("unit")
               .prefetch_related(Prefetch("statuses", queryset=current, to_attr="open_periods"))
               .order_by("unit__path", "code"))
    for member in members.iterator(chunk_size=CHUNK):
        period = member.open_periods[0] if member.open_periods else None  # type: ignore[attr-defined]
        yield [member.code, member.full_name, labels("sex", member.sex), member.birth_year, member.unit.code,
               labels("membership", member.membership), labels("status", period.status) if period else "",
               period.valid_from if period else None]


def _returns(model: type[Any], counts: tuple[str, ...]) -> Callable[..., Iterator[list[Any]]]:
    def rows(path: str, labels: _Labels, campaign: Campaign | None) -> Iterator[list[Any]]:
        records = _campaign_filter(model.objects.filter(unit__path__startswith=path), campaign)
        records = records.select_related("campaign", "unit").order_by("campaign__code", "unit__path", "as_of")
        for record in records.iterator(chunk_size=CHUNK):
            yield [record.campaign.code, record.unit.code, record.as_of,
                   *(getattr(record, name) for name in counts)]
    return rows


def _presenters(path: str, labels: _Labels, campaign: Campaign | None) -> Iterator[list[Any]]:
    presenters = Presenter.objects.filter(unit__path__startswith=path).select_related("unit").order_by("code")
    for presenter in presenters:
        yield [presenter.code, presenter.full_name, presenter.title, presenter.unit.code]


def _partner_labels() -> dict[str, str]:
    with translation.override("vi"):
        return {value: str(label) for value, label in Event.Partner.choices}


def _events(path: str, labels: _Labels, campaign: Campaign | None) -> Iterator[list[Any]]:
    partner_labels = _partner_labels()
    events = _campaign_filter(Event.objects.filter(organiser__path__startswith=path), campaign)
    events = (events.select_related("campaign", "organiser")
              .prefetch_related("presenters", Prefetch("sites", Site.objects.select_related("unit")
                                                       .order_by("unit__path")))
              .order_by("campaign__code", "held_on", "code", "id"))
    for event in events.iterator(chunk_size=CHUNK):
        presenters = ", ".join(sorted(presenter.code for presenter in event.presenters.all()))
        partners = "; ".join(partner_labels.get(partner, partner) for partner in event.partners)
        for site in event.sites.all():
            categories = site.non_members_by_category or {}
            yield [event.campaign.code, event.code, event.organiser.code, event.held_on,
                   labels("format", event.format), event.title,
                   labels("is_make_up", YES if event.is_make_up else ""),
                   presenters, site.unit.code, site.other_members, site.non_members,
                   *(categories.get(str(category)) for category in CATEGORY_HEADERS),
                   labels("audience", event.audience), partners]


def _attendance(path: str, labels: _Labels, campaign: Campaign | None) -> Iterator[list[Any]]:
    attendances = Attendance.objects.filter(event__organiser__path__startswith=path).exclude(event__code="")
    if campaign is not None:
        attendances = attendances.filter(event__campaign=campaign)
    rows = (attendances.order_by("event__campaign__code", "event__held_on", "event__code", "site__unit__path",
                                 "member__code")
            .values_list("event__campaign__code", "event__code", "site__unit__code", "member__code"))
    for values in rows.iterator(chunk_size=CHUNK):
        yield list(values)


def _outreach(path: str, labels: _Labels, campaign: Campaign | None) -> Iterator[list[Any]]:
    records = _campaign_filter(Outreach.objects.filter(unit__path__startswith=path), campaign)
    records = records.select_related("campaign", "unit").order_by(
        "campaign__code", "held_on", "unit__path", "id")
    for record in records.iterator(chunk_size=CHUNK):
        yield [record.campaign.code, record.unit.code, record.held_on, labels("channel", record.channel),
               record.sessions, record.reach, record.note]


def _materials(path: str, labels: _Labels, campaign: Campaign | None) -> Iterator[list[Any]]:
    records = _campaign_filter(MaterialTransfer.objects.filter(sender__path__startswith=path), campaign)
    records = records.select_related("campaign", "sender", "recipient").order_by(
        "campaign__code", "sent_on", "sender__path", "recipient__path", "id")
    for record in records.iterator(chunk_size=CHUNK):
        yield [record.campaign.code, record.sender.code, record.recipient.code, labels("item", record.item),
               record.quantity, record.sent_on, record.note, record.link]


def _pledges(path: str, labels: _Labels, campaign: Campaign | None) -> Iterator[list[Any]]:
    records = _campaign_filter(Pledge.objects.filter(member__unit__path__startswith=path), campaign)
    records = records.select_related("campaign", "member").order_by(
        "campaign__code", F("member__unit__path"), "member__code")
    for record in records.iterator(chunk_size=CHUNK):
        yield [record.campaign.code, record.member.code, record.registered_on, record.text,
               labels("rating", record.rating), record.rated_on, record.rating_note]


ROWS: dict[str, Callable[[str, _Labels, Campaign | None], Iterable[list[Any]]]] = {
    "units": _units,
    "members": _members,
    "member_returns": _returns(MemberReturn, ("members_total", "exempt", "away", "studied")),
    "non_member_returns": _returns(NonMemberReturn, ("expected", "studied")),
    "pledge_returns": _returns(PledgeReturn, ("registered", "excellent", "good", "not_met")),
    "presenters": _presenters,
    "events": _events,
    "attendance": _attendance,
    "outreach": _outreach,
    "materials": _materials,
    "pledges": _pledges,
}


def dump_rows(kind: str, *, actor: User | None, campaign: Campaign | None = None) -> Iterator[list[Any]]:
    """The rows `dump_workbook` writes, as values in template column order."""
    path = scope_root(actor).path if actor is not None else ""
    sheet = sheet_of(kind)
    yield from ROWS[kind](path, _Labels(sheet), campaign)


def dump_workbook(kind: str, *, actor: User | None, campaign: Campaign | None = None) -> bytes:
    """The records of `kind` in the actor's subtree (of one campaign, if given) as a filled template,
    its unit columns offering the actor's units like the empty template."""
    rows = dump_rows(kind, actor=actor, campaign=campaign)
    return write_workbook(kind, rows, units=unit_codes_of(actor=actor))

