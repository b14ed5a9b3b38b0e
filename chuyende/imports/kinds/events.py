"""Presenters, events with their bridge points, and attendance lists (all through the events service).

An event takes one row per bridge point; the rows of one event (same code in the campaign, or for
an event without a code the same organiser, date, format and title) must agree on the event's own
columns. Attendance rows list, per event and bridge point, the members there by name; each bridge
point named in the file gets exactly that list.
"""

import re
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from chuyende.campaigns.models import Campaign, NonPartyCategory
from chuyende.core.exceptions import RowsInvalid
from chuyende.events.models import Attendance, Event, Presenter
from chuyende.events.services import (
    AttendanceList,
    SiteData,
    attendance_lists_replace,
    event_create,
    event_update,
    presenter_create,
)
from chuyende.imports.kinds.base import (
    CREATED,
    LOOKUP_CHUNK,
    UNCHANGED,
    UPDATED,
    Importer,
    Operation,
    Outcome,
    ParsedRow,
    members_by_code,
    no_member,
)
from chuyende.imports.reading import CellError, choice_lookup, parse_choice
from chuyende.imports.spec import CATEGORY_PREFIX, YES, Column
from chuyende.members.models import Member
from chuyende.organisation.models import Unit

EVENT_COLUMNS = ("organiser", "held_on", "format", "title", "is_make_up", "presenters", "audience",
                 "partners")
PARTNERS = Column("partners", "Phối hợp với", "choice", choices=tuple(Event.Partner.choices))
CATEGORY_KEYS = {f"{CATEGORY_PREFIX}{category}": str(category) for category in NonPartyCategory.values}
SEPARATORS = re.compile(r"[,;\n]")


def split_codes(text: str) -> list[str]:
    return [code.strip() for code in SEPARATORS.split(text or "") if code.strip()]


def _in_or_above(unit: Unit, scope_path: str) -> bool:
    """The unit is in the scope or one of the units above its top."""
    return unit.path.startswith(scope_path) or scope_path.startswith(unit.path)


class PresenterImporter(Importer):
    """Presenters are only created: a stored presenter must be repeated as it is."""

    kind = "presenters"

    def check(self, rows: list[ParsedRow]) -> None:
        ctx = self.ctx
        ctx.duplicates(rows, lambda row: row.get("code"), "code")
        codes = [row.get("code") for row in rows if row.get("code")]
        stored = {p.code: p for p in Presenter.objects.filter(code__in=codes).select_related("unit")}
        self.rows: list[tuple[ParsedRow, Presenter | None]] = []
        for row in rows:
            unit = ctx.unit(row, "unit")
            editable = unit is not None and ctx.editable(row, "unit", unit)
            presenter = stored.get(row.get("code", ""))
            if presenter is not None and not _same_presenter(row, presenter, unit):
                ctx.problem(row, "code", _(
                    "A presenter with code %(code)s is already stored with other details; an import "
                    "does not change presenters. Repeat the stored details or use another code."
                ) % {"code": presenter.code})
                continue
            if editable:
                row.values["unit"] = unit
                self.rows.append((row, presenter))

    def operations(self) -> Iterator[Operation]:
        for row, presenter in self.rows:
            yield Operation(rows=[row], run=lambda row=row, p=presenter: self._write(row, p))  # type: ignore[misc]

    def _write(self, row: ParsedRow, presenter: Presenter | None) -> Outcome:
        if presenter is not None:
            return UNCHANGED
        presenter_create(actor=self.ctx.actor, unit=row.values["unit"], code=row.values["code"],
                         full_name=row.values["full_name"], title=row.get("title", ""))
        return CREATED


def _same_presenter(row: ParsedRow, presenter: Presenter, unit: Unit | None) -> bool:
    """The row repeats the stored presenter, as far as its cells and unit are known."""
    stored = {"full_name": presenter.full_name, "title": presenter.title}
    if any(row.intact(key) and row.keep(key, value) != value for key, value in stored.items()):
        return False
    return unit is None or unit.pk == presenter.unit_id


@dataclass
class _EventGroup:
    """The rows of one event in the file, and the stored event they update (if any)."""

    key: Hashable
    campaign: Campaign
    code: str
    rows: list[ParsedRow] = field(default_factory=list)
    event: Event | None = None


def _site_values(row: ParsedRow, stored: Any) -> dict[str, Any]:
    """Counts of a bridge point: the row's, or the stored site's for columns not in the file."""
    other = row.keep("other_members", stored.other_members if stored else 0)
    non_members = row.keep("non_members", stored.non_members if stored else 0)
    if any(key in row.values for key in CATEGORY_KEYS):
        by_category = {category: row.values[key] for key, category in CATEGORY_KEYS.items()
                       if row.values.get(key) is not None}
    else:
        by_category = dict(stored.non_members_by_category) if stored else {}
    return {"other_members": other or 0, "non_members": non_members or 0,
            "non_members_by_category": by_category}


class EventImporter(Importer):
    kind = "events"

    def check(self, rows: list[ParsedRow]) -> None:
        ctx = self.ctx
        presenter_codes = {code for row in rows for code in split_codes(row.get("presenters", ""))}
        stored = Presenter.objects.filter(code__in=presenter_codes).select_related("unit")
        presenters = {presenter.code: presenter for presenter in stored}
        groups: dict[Hashable, _EventGroup] = {}
        for row in rows:
            campaign = ctx.campaign(row)
            organiser = ctx.unit(row, "organiser")
            site_unit = ctx.unit(row, "site_unit")
            editable = organiser is not None and ctx.editable(row, "organiser", organiser)
            if row.has("partners"):
                partners = self._partners(row)
                if partners is None:
                    del row.values["partners"]
                else:
                    row.values["partners"] = partners
            if row.has("presenters"):
                found = self._presenters(row, presenters)
                if found is None:
                    del row.values["presenters"]  # not compared with the event's other rows
                else:
                    row.values["presenters"] = found
            # The rows of one event are found by its code, or by its organiser, date, format and title.
            identified = row.intact("code", "held_on", "format", "title")
            if campaign is None or organiser is None or site_unit is None or not editable or not identified:
                continue
            row.values.update(campaign=campaign, organiser=organiser, site_unit=site_unit)
            code = row.get("code", "")
            key: Hashable = (campaign.pk, code) if code else (
                campaign.pk, "", organiser.pk, row.get("held_on"), row.get("format"), row.get("title"))
            group = groups.setdefault(key, _EventGroup(key=key, campaign=campaign, code=code))
            if group.rows:
                self._check_agrees(group.rows[0], row)
            group.rows.append(row)
        for group in groups.values():
            ctx.duplicates(group.rows, lambda row: row.values["site_unit"].pk, "site_unit",
                           describe=lambda row: row.values["site_unit"].code)
        self.groups = list(groups.values())
        self._find_stored()

    def _partners(self, row: ParsedRow) -> list[str] | None:
        """The partner organisations the row names, each once in the list's order; None when one is
        not a partner (reported)."""
        lookup = choice_lookup(PARTNERS)
        found: list[str] = []
        for text in split_codes(row.get("partners", "")):
            try:
                value = parse_choice(text, PARTNERS, lookup)
            except CellError as error:
                self.ctx.problem(row, "partners", str(error))
                return None
            if value in found:
                self.ctx.problem(row, "partners", _("“%(value)s” is named twice.") % {"value": text})
                return None
            found.append(value)
        order = Event.Partner.values
        return sorted(found, key=order.index)

    def _presenters(self, row: ParsedRow, presenters: dict[str, Presenter]) -> list[Presenter] | None:
        """The presenters the row names; None when a code names none (each such code reported)."""
        found = []
        unknown = False
        for code in split_codes(row.get("presenters", "")):
            presenter = presenters.get(code)
            if presenter is None or not _in_or_above(presenter.unit, self.ctx.scope_path):
                self.ctx.problem(row, "presenters", _(
                    "There is no presenter with code “%(code)s”; import the presenters first."
                ) % {"code": code})
                unknown = True
            else:
                found.append(presenter)
        return None if unknown else found

    def _check_agrees(self, first: ParsedRow, row: ParsedRow) -> None:
        for key in EVENT_COLUMNS:
            mine, theirs = row.values.get(key), first.values.get(key)
            if key == "presenters":
                mine = sorted(p.code for p in mine or [])
                theirs = sorted(p.code for p in theirs or [])
            if key in row.values and key in first.values and mine != theirs:
                self.ctx.problem(row, key, _(
                    "Row %(first)s has the same event with another value in this column; every row of "
                    "an event must repeat the event's values."
                ) % {"first": first.number})

    def _find_stored(self) -> None:
        ctx = self.ctx
        coded = [group for group in self.groups if group.code]
        by_code: dict[tuple[int, str], Event] = {}
        for start in range(0, len(coded), LOOKUP_CHUNK):
            chunk = coded[start:start + LOOKUP_CHUNK]
            events = Event.objects.filter(campaign_id__in={g.campaign.pk for g in chunk},
                                          code__in={g.code for g in chunk}).select_related("organiser")
            by_code.update(((event.campaign_id, event.code), event) for event in events)
        for group in self.groups:
            first = group.rows[0]
            if group.code:
                event = by_code.get((group.campaign.pk, group.code))
            else:
                matches = list(Event.objects.filter(
                    campaign=group.campaign, code="", organiser=first.values["organiser"],
                    held_on=first.get("held_on"), format=first.get("format"), title=first.get("title"),
                ).select_related("organiser")[:2])
                if len(matches) > 1:
                    ctx.problem(first, "code", _(
                        "Several stored events without a code have this organiser, date, format and title; "
                        "give them codes on the events page, then use the codes here."
                    ))
                    continue
                event = matches[0] if matches else None
            if event is not None:
                if not event.organiser.path.startswith(ctx.scope_path):
                    ctx.problem(first, "code", _(
                        "The event code %(code)s is already used in this campaign by an event you cannot "
                        "change; use another code."
                    ) % {"code": event.code})
                    continue
                if not ctx.editable(first, "code", event.organiser):
                    continue
            group.event = event

    def operations(self) -> Iterator[Operation]:
        for group in self.groups:
            yield Operation(rows=group.rows, run=lambda group=group: self._write(group))  # type: ignore[misc]

    def _write(self, group: _EventGroup) -> Outcome:
        first = group.rows[0]
        event = group.event
        stored_sites: dict[int, Any] = {}
        attendees: dict[int, list[Member]] = {}
        if event is not None:
            for site in event.sites.all():
                stored_sites[site.unit_id] = site
            for attendance in Attendance.objects.filter(event=event).select_related("site", "member__unit"):
                attendees.setdefault(attendance.site.unit_id, []).append(attendance.member)
        sites = []
        for row in group.rows:
            unit = row.values["site_unit"]
            values = _site_values(row, stored_sites.get(unit.pk))
            sites.append(SiteData(unit=unit, attendees=tuple(attendees.get(unit.pk, ())), **values))
        make_up = YES if event is not None and event.is_make_up else ""
        event_values = {
            "organiser": first.values["organiser"],
            "held_on": first.values["held_on"],
            "format": first.values["format"],
            "title": first.values["title"],
            "is_make_up": first.keep("is_make_up", make_up) == YES,
            "presenters": first.keep("presenters", list(event.presenters.all()) if event is not None else []),
            "code": first.get("code", ""),
            "audience": first.get("audience")
            or (event.audience if event is not None else Event.Audience.GENERAL),
            "partners": first.keep("partners", list(event.partners) if event is not None else []),
        }
        if event is None:
            event_create(actor=self.ctx.actor, campaign=group.campaign, sites=sites, **event_values)
            return CREATED
        if _same_event(event, event_values, sites, stored_sites):
            return UNCHANGED
        event_update(actor=self.ctx.actor, event=event, sites=sites, **event_values)
        return UPDATED


def _same_event(event: Event, values: dict[str, Any], sites: list[SiteData], stored: dict[int, Any]) -> bool:
    if (event.organiser_id, event.held_on, event.format, event.title, event.is_make_up, event.code,
            event.audience, list(event.partners)) != (
        values["organiser"].pk, values["held_on"], values["format"], values["title"], values["is_make_up"],
        values["code"], values["audience"], list(values["partners"]),
    ):
        return False
    if sorted(p.pk for p in values["presenters"]) != sorted(event.presenters.values_list("pk", flat=True)):
        return False
    if {site.unit.pk for site in sites} != set(stored):
        return False
    for site in sites:
        old = stored[site.unit.pk]
        if (old.other_members, old.non_members, old.non_members_by_category) != (
            site.other_members, site.non_members, site.non_members_by_category,
        ):
            return False
    return True


class AttendanceImporter(Importer):
    kind = "attendance"

    def check(self, rows: list[ParsedRow]) -> None:
        ctx = self.ctx
        members = self._members_by_code(rows)
        events = self._events(rows)
        self.by_event: dict[int, list[ParsedRow]] = {}
        self.events: dict[int, Event] = {}
        listed: dict[int, list[ParsedRow]] = {}  # rows whose event and member are known, by event
        for row in rows:
            before = len(ctx.problems)
            campaign = ctx.campaign(row)
            site_unit = ctx.unit(row, "site_unit")
            event = self._event(row, campaign, events)
            member = self._member(row, members)
            if site_unit is not None:
                self._check_site(row, site_unit, event, member)
            if event is None or member is None:
                continue
            row.values["member"] = member
            listed.setdefault(event.pk, []).append(row)
            if site_unit is not None and len(ctx.problems) == before:
                row.values.update(campaign=campaign, site_unit=site_unit)
                self.events[event.pk] = event
                self.by_event.setdefault(event.pk, []).append(row)
        for event_rows in listed.values():
            ctx.duplicates(event_rows, lambda row: row.values["member"].pk, "member",
                           describe=lambda row: row.values["member"].code)

    def _check_site(self, row: ParsedRow, site_unit: Unit, event: Event | None,
                    member: Member | None) -> None:
        """The bridge point is one of the event's, and the member belongs under it."""
        if event is not None and site_unit.pk not in self._site_units(event):
            self.ctx.problem(row, "site_unit", _(
                "Event %(event)s has no bridge point at %(unit)s; add the bridge point with the events "
                "template first."
            ) % {"event": event.code, "unit": site_unit.name})
        if member is not None and not member.unit.path.startswith(site_unit.path):
            self.ctx.problem(row, "member", _(
                "%(member)s is not a member of a unit under the bridge point %(unit)s."
            ) % {"member": member, "unit": site_unit.name})

    def _event(self, row: ParsedRow, campaign: Campaign | None,
               events: dict[tuple[int, str], Event]) -> Event | None:
        """The row's event, organised in the user's organisation and editable by them; its code is
        only unique in a campaign, so it is not looked up without one."""
        ctx = self.ctx
        if campaign is None or not row.get("event"):
            return None
        event = events.get((campaign.pk, row.values["event"]))
        if event is None:
            ctx.problem(row, "event", _(
                "There is no event with code “%(code)s” in this campaign organised in your organisation."
            ) % {"code": row.values["event"]})
            return None
        return event if ctx.editable(row, "event", event.organiser) else None

    def _member(self, row: ParsedRow, members: dict[str, Member]) -> Member | None:
        """The member the row lists, of the user's organisation."""
        if not row.intact("member"):
            return None
        member = members.get(row.get("member", ""))
        if member is None or not member.unit.path.startswith(self.ctx.scope_path):
            self.ctx.problem(row, "member", no_member(row.get("member", "")))
            return None
        return member

    def _members_by_code(self, rows: list[ParsedRow]) -> dict[str, Member]:
        return members_by_code(row.get("member") for row in rows if row.get("member"))

    def _events(self, rows: list[ParsedRow]) -> dict[tuple[int, str], Event]:
        codes = sorted({row.get("event") for row in rows if row.get("event")})
        events = Event.objects.filter(code__in=codes, organiser__path__startswith=self.ctx.scope_path)
        self._sites: dict[int, set[int]] = {}
        events = events.select_related("organiser", "campaign")
        return {(event.campaign_id, event.code): event for event in events}

    def _site_units(self, event: Event) -> set[int]:
        if event.pk not in self._sites:
            self._sites[event.pk] = set(event.sites.values_list("unit_id", flat=True))
        return self._sites[event.pk]

    def operations(self) -> Iterator[Operation]:
        rows = [row for event_rows in self.by_event.values() for row in event_rows]
        if rows:
            yield Operation(rows=rows, run=self._write)

    def _write(self) -> dict[int, Outcome]:
        """Replaces the lists of the bridge points named, every event in one call of
        attendance_lists_replace; a refusal goes on the first row of its event. A member newly
        listed is a created row; one already listed there is unchanged, or updated when others were
        taken off the same bridge point's list."""
        lists: dict[tuple[int, int], list[Member]] = {}
        first: dict[tuple[int, int], ParsedRow] = {}
        for event_id, rows in self.by_event.items():
            for row in rows:
                key = (event_id, row.values["site_unit"].pk)
                lists.setdefault(key, []).append(row.values["member"])
                first.setdefault(key, row)
        stored: dict[tuple[int, int], set[int]] = {}
        attendances = Attendance.objects.filter(event_id__in=list(self.by_event)).order_by()
        for event_id, unit_id, member_id in attendances.values_list("event_id", "site__unit_id", "member_id"):
            stored.setdefault((event_id, unit_id), set()).add(member_id)
        keys = list(lists)
        try:
            attendance_lists_replace(actor=self.ctx.actor, lists=[
                AttendanceList(self.events[event_id], first[event_id, unit_id].values["site_unit"],
                               tuple(lists[event_id, unit_id]))
                for event_id, unit_id in keys])
        except RowsInvalid as refused:
            for index, error in refused.errors.items():
                self.report_refusal(first[keys[index]], error)
            return {}
        outcomes: dict[int, Outcome] = {}
        for event_id, rows in self.by_event.items():
            if all({member.pk for member in lists[key]} == stored.get(key, set())
                   for key in keys if key[0] == event_id):
                continue
            for row in rows:
                key = (event_id, row.values["site_unit"].pk)
                before = stored.get(key, set())
                if row.values["member"].pk not in before:
                    outcomes[row.number] = CREATED
                elif before - {member.pk for member in lists[key]}:
                    outcomes[row.number] = UPDATED
        return outcomes


__all__ = ["AttendanceImporter", "EventImporter", "PresenterImporter"]
