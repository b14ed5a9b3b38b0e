"""Loads a scenario file (the Hòa An demo) through the same services the web pages use.

The whole file is checked entry by entry; the first problem stops the load with the path
of the entry (`events[3].sites[1].attendees[0]`) and nothing is written.
"""

import datetime
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from chuyende.campaigns.models import Campaign
from chuyende.campaigns.services import GuidingDocumentData, campaign_create
from chuyende.events.models import Presenter
from chuyende.events.services import SiteData, event_create, presenter_create
from chuyende.materials.services import material_transfer_create
from chuyende.members.models import Member
from chuyende.members.services import member_create, member_move
from chuyende.organisation.models import Unit
from chuyende.organisation.services import level_set, unit_create
from chuyende.outreach.services import outreach_create
from chuyende.pledges.services import RatingData, cell_ratings_save, pledge_register, pledge_return_save
from chuyende.reports.services import report_create, report_submit
from chuyende.restructuring.models import Operation
from chuyende.restructuring.services import (
    OperationData,
    decision_apply,
    decision_create,
    unit_tracking_change,
)
from chuyende.returns.services import member_return_save, non_member_return_save
from chuyende.supervision.models import Supervisor
from chuyende.supervision.services import assignment_create, supervisor_create, visit_create

# The scenario files name no sector: the demo reads it from the unit's name, first match wins.
SECTOR_WORDS = (
    (Unit.Sector.SCHOOL, re.compile(r"\bTrường\b")),
    (Unit.Sector.HEALTH, re.compile(r"\bY tế\b")),
    (Unit.Sector.AGENCY, re.compile(r"\bCơ quan\b")),
    (Unit.Sector.COMMUNE, re.compile(r"\b(xã|phường|thị trấn|thôn|[Kk]hu phố|bản)\b")),
)


def sector_from_name(name: str) -> str:
    """"Chi bộ Trường ..." a school, "Trạm/Trung tâm Y tế" health, "Cơ quan" an agency, a commune,
    ward, town, village or quarter a commune; anything else "other"."""
    for sector, words in SECTOR_WORDS:
        if words.search(name):
            return sector
    return Unit.Sector.OTHER

class ScenarioError(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{key}: {' '.join(messages)}" for key, messages in error.message_dict.items())
    return " ".join(error.messages)


class _Reader:
    """Typed access to one entry of the file, naming the entry's path in every complaint."""

    def __init__(self, value: Any, path: str) -> None:
        self.value = value
        self.path = path

    def _get(self, key: str, kinds: tuple[type, ...], *, optional: bool) -> Any:
        if not isinstance(self.value, dict):
            raise ScenarioError(self.path, "expected a mapping")
        if key not in self.value or self.value[key] is None:
            if optional:
                return None
            raise ScenarioError(f"{self.path}.{key}", "missing")
        value = self.value[key]
        if isinstance(value, bool) and bool not in kinds:
            raise ScenarioError(f"{self.path}.{key}", f"expected {kinds[0].__name__}, got {value!r}")
        if not isinstance(value, kinds):
            raise ScenarioError(f"{self.path}.{key}", f"expected {kinds[0].__name__}, got {value!r}")
        return value

    def text(self, key: str, *, optional: bool = False) -> str:
        value = self._get(key, (str,), optional=optional)
        return "" if value is None else value

    def integer(self, key: str, *, optional: bool = False) -> int | None:
        return self._get(key, (int,), optional=optional)

    def count(self, key: str) -> int:
        value = self._get(key, (int,), optional=False)
        assert value is not None
        return int(value)

    def day(self, key: str, *, optional: bool = False) -> datetime.date | None:
        value = self._get(key, (str, datetime.date), optional=optional)
        if value is None or isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise ScenarioError(f"{self.path}.{key}", f"not a date (YYYY-MM-DD): {value!r}") from None

    def required_day(self, key: str) -> datetime.date:
        value = self.day(key)
        assert value is not None
        return value

    def items(self, key: str, *, optional: bool = False) -> list["_Reader"]:
        values = self._get(key, (list,), optional=optional) or []
        return [_Reader(v, f"{self.path}.{key}[{i}]".lstrip(".")) for i, v in enumerate(values)]

    def strings(self, key: str) -> list[str]:
        values = self._get(key, (list,), optional=True) or []
        for i, v in enumerate(values):
            if not isinstance(v, str):
                raise ScenarioError(f"{self.path}.{key}[{i}]", f"expected str, got {v!r}")
        return list(values)

    def mapping(self, key: str, *, optional: bool = False) -> "_Reader":
        return _Reader(self._get(key, (dict,), optional=optional) or {}, f"{self.path}.{key}".lstrip("."))


class _Loader:
    def __init__(self, root: _Reader) -> None:
        self.root = root
        self.units: dict[str, Unit] = {}
        self.members: dict[str, Member] = {}
        self.presenters: dict[str, Presenter] = {}
        self.campaign: Campaign | None = None

    def unit(self, entry: _Reader, key: str) -> Unit:
        code = entry.text(key)
        if code not in self.units:
            raise ScenarioError(f"{entry.path}.{key}", f"unknown unit code {code!r}")
        return self.units[code]

    def run(self) -> Campaign:
        # A file that applies on another one names the units and members that one loaded.
        self.units = {unit.code: unit for unit in Unit.objects.all()}
        self.members = {member.code: member for member in Member.objects.select_related("unit")}
        for entry in self.root.items("levels", optional=True):
            level_set(depth=entry.count("depth"), name=entry.text("name"))
        individual = set(self.root.strings("individually_tracked"))
        for entry in self.root.items("units", optional=True):
            self._load_unit(entry, individual)
        self._load_restructuring(self.root.mapping("restructure", optional=True))
        for entry in self.root.items("tracking_changes", optional=True):
            self._call(entry, unit_tracking_change, actor=None, unit=self.unit(entry, "unit"),
                       tracking=entry.text("tracking"), on=entry.required_day("from"))
        for entry in self.root.items("member_moves", optional=True):
            self._call(entry, member_move, actor=None, member=self.member(entry, "member"),
                       unit=self.unit(entry, "to"), on=entry.required_day("on"))
        self.campaign = self._load_campaign(self.root.mapping("campaign"))
        for entry in self.root.items("members", optional=True):
            self._load_member(entry)
        for entry in self.root.items("aggregate_returns", optional=True):
            self._call(entry, member_return_save, actor=None, campaign=self.campaign,
                       unit=self.unit(entry, "unit"), as_of=entry.required_day("as_of"),
                       members_total=entry.count("members_total"), exempt=entry.count("exempt"),
                       away=entry.count("away"), studied=entry.count("studied"))
        for entry in self.root.items("non_party", optional=True):
            self._call(entry, non_member_return_save, actor=None, campaign=self.campaign,
                       unit=self.unit(entry, "unit"), as_of=entry.required_day("as_of"),
                       expected=entry.count("eligible"), studied=entry.count("studied"))
        for entry in self.root.items("presenters", optional=True):
            code = entry.text("code")
            self.presenters[code] = self._call(
                entry, presenter_create, actor=None, unit=self.unit(entry, "unit"), code=code,
                full_name=entry.text("name"), title=entry.text("title", optional=True),
            )
        for entry in self.root.items("events", optional=True):
            self._load_event(entry)
        for entry in self.root.items("outreach", optional=True):
            self._call(entry, outreach_create, actor=None, campaign=self.campaign,
                       unit=self.unit(entry, "unit"), held_on=entry.required_day("date"),
                       channel=entry.text("channel"), sessions=entry.count("sessions"),
                       reach=entry.integer("reach", optional=True), note=entry.text("note", optional=True))
        for entry in self.root.items("materials", optional=True):
            self._call(entry, material_transfer_create, actor=None, campaign=self.campaign,
                       sender=self.unit(entry, "from"), recipient=self.unit(entry, "to"),
                       item=entry.text("item"), quantity=entry.count("quantity"),
                       sent_on=entry.required_day("date"), note=entry.text("note", optional=True),
                       link=entry.text("link", optional=True))
        self._load_pledges(self.root.mapping("pledges", optional=True))
        self._load_supervision(self.root.mapping("supervision", optional=True))
        for entry in self.root.items("submissions", optional=True):
            self._load_submission(entry)
        return self.campaign

    def _call(self, entry: _Reader, service: Any, **kwargs: Any) -> Any:
        try:
            return service(**kwargs)
        except ValidationError as error:
            raise ScenarioError(entry.path, _messages(error)) from error

    def _load_restructuring(self, plan: _Reader) -> None:
        """The decision with its operations (and the level names from its effective date), applied."""
        if not plan.value:
            return
        decision = plan.mapping("decision")
        operations = []
        levels = plan.items("levels", optional=True)
        if levels:
            operations.append(OperationData(kind=Operation.Kind.LEVELS, data={"names": {
                str(level.count("depth")): level.text("name") for level in levels}}))
        for entry in plan.items("operations"):
            data = {key: value for key, value in entry.value.items() if key not in ("op", "note")}
            operations.append(OperationData(kind=entry.text("op"), data=data,
                                            note=entry.text("note", optional=True)))
        offset = 1 if levels else 0
        top = Unit.objects.filter(parent__isnull=True).order_by("path").first()
        if top is None:
            raise ScenarioError(plan.path, "no tree to restructure: load the file it applies on first")
        try:
            made = decision_create(
                actor=None, unit=top, number=decision.text("number"), issued_on=decision.required_day("date"),
                issuer=decision.text("issuer"), title=decision.text("title"),
                effective_on=plan.required_day("effective"), operations=operations)
            decision_apply(actor=None, decision=made)
        except ValidationError as error:
            raise self._plan_error(plan, error, offset) from error
        self.units = {unit.code: unit for unit in Unit.objects.all()}
        self.members = {member.code: member for member in Member.objects.select_related("unit")}

    @staticmethod
    def _plan_error(plan: _Reader, error: ValidationError, offset: int) -> ScenarioError:
        if hasattr(error, "error_dict"):
            for key, messages in error.message_dict.items():
                if key.startswith("operations["):
                    index = int(key[len("operations["):-1]) - offset
                    where = f"{plan.path}.operations[{index}]" if index >= 0 else f"{plan.path}.levels"
                    return ScenarioError(where, " ".join(messages))
        return ScenarioError(plan.path, _messages(error))

    def _load_unit(self, entry: _Reader, individual: set[str]) -> None:
        code = entry.text("code")
        parent_code = entry.text("parent", optional=True)
        if parent_code and parent_code not in self.units:
            raise ScenarioError(f"{entry.path}.parent", f"unknown unit code {parent_code!r}")
        parent = self.units[parent_code] if parent_code else None
        kind = entry.text("kind")
        if kind not in Unit.Kind.values:
            raise ScenarioError(f"{entry.path}.kind", f"unknown kind {kind!r}")
        inherited = parent is not None and parent.tracking == Unit.Tracking.INDIVIDUAL
        tracking = Unit.Tracking.INDIVIDUAL if code in individual or inherited else Unit.Tracking.AGGREGATE
        self.units[code] = self._call(
            entry, unit_create, actor=None, code=code, name=entry.text("name"), kind=kind,
            parent=parent, tracking=tracking, sector=sector_from_name(entry.text("name")),
            opened_on=entry.day("opened_on", optional=True),
            closed_on=entry.day("closed_on", optional=True),
        )

    def _load_campaign(self, entry: _Reader) -> Campaign:
        documents = [
            GuidingDocumentData(number=doc.text("number"), issued_on=doc.required_day("date"),
                                issuer=doc.text("issuer"), title=doc.text("title"))
            for doc in entry.items("guiding_documents", optional=True)
        ]
        target = entry._get("target_rate_percent", (int, float), optional=False)
        return self._call(
            entry, campaign_create, actor=None, owner=self.unit(entry, "owner"),
            code=entry.text("code"), kind=entry.text("kind"), year=entry.count("year"),
            title=" ".join(entry.text("title").split()), starts=entry.required_day("starts"),
            ends=entry.day("ends", optional=True), study_deadline=entry.required_day("study_deadline"),
            report_deadline=entry.required_day("report_deadline"), target_rate=Decimal(str(target)),
            excluded_statuses=entry.strings("excluded_statuses"),
            rate_precision=entry.integer("rate_precision", optional=True) or 2,
            non_party_categories=entry.strings("non_party_categories"),
            guiding_documents=documents,
        )

    def _load_member(self, entry: _Reader) -> None:
        code = entry.text("code")
        self.members[code] = self._call(
            entry, member_create, actor=None, unit=self.unit(entry, "unit"), code=code,
            full_name=entry.text("name"), sex=entry.text("sex"), birth_year=entry.count("birth_year"),
            membership=entry.text("membership"), status=entry.text("status"),
            status_since=entry.day("status_since", optional=True),
        )

    def member(self, entry: _Reader, key: str) -> Member:
        code = entry.text(key)
        if code not in self.members:
            raise ScenarioError(f"{entry.path}.{key}", f"unknown member code {code!r}")
        return self.members[code]

    def _load_pledges(self, pledges: _Reader) -> None:
        assert self.campaign is not None
        ratings: dict[tuple[Unit, datetime.date], list[tuple[_Reader, RatingData]]] = {}
        for entry in pledges.items("individual", optional=True):
            member = self.member(entry, "member")
            self._call(entry, pledge_register, actor=None, campaign=self.campaign, member=member,
                       registered_on=entry.required_day("registered"), text=entry.text("text"))
            rating = entry.text("rating", optional=True)
            if rating:
                key = (member.unit, entry.required_day("evaluated"))
                ratings.setdefault(key, []).append((entry, RatingData(member=member, rating=rating)))
        for (unit, rated_on), rows in ratings.items():
            self._call(rows[0][0], cell_ratings_save, actor=None, campaign=self.campaign, unit=unit,
                       rated_on=rated_on, ratings=[row for _, row in rows])
        for entry in pledges.items("aggregate", optional=True):
            # Counts without a date are taken as reported at the study deadline.
            self._call(entry, pledge_return_save, actor=None, campaign=self.campaign,
                       unit=self.unit(entry, "unit"),
                       as_of=entry.day("as_of", optional=True) or self.campaign.study_deadline,
                       registered=entry.count("registered"),
                       excellent=entry.integer("excellent", optional=True) or 0,
                       good=entry.integer("good", optional=True) or 0,
                       not_met=entry.integer("not_met", optional=True) or 0)

    def _load_supervision(self, supervision: _Reader) -> None:
        officers: dict[str, Supervisor] = {}
        for entry in supervision.items("assignments", optional=True):
            codes = entry.strings("units")
            units = [self._unit_code(code, f"{entry.path}.units[{i}]") for i, code in enumerate(codes)]
            name = entry.text("officer")
            if name not in officers:
                officers[name] = self._call(entry, supervisor_create, actor=None,
                                            unit=self._home_unit(entry, units), full_name=name,
                                            title=entry.text("title", optional=True))
            for unit in units:
                self._call(entry, assignment_create, actor=None, campaign=self.campaign,
                           supervisor=officers[name], unit=unit)
        for entry in supervision.items("visits", optional=True):
            name = entry.text("officer")
            if name not in officers:
                raise ScenarioError(f"{entry.path}.officer", f"officer {name!r} has no assignment")
            self._call(entry, visit_create, actor=None, campaign=self.campaign, supervisor=officers[name],
                       unit=self.unit(entry, "unit"), visited_on=entry.required_day("date"),
                       findings=entry.text("finding"), follow_up=entry.text("follow_up", optional=True),
                       closed_on=entry.day("closed", optional=True))

    def _load_submission(self, entry: _Reader) -> None:
        """A sub-unit's report, drafted with its figures on the day it was sent and submitted that day."""
        submitted = entry.day("submitted", optional=True)
        if submitted is None:
            return  # the unit never sent its report: it is counted as missing
        report = self._call(entry, report_create, actor=None, campaign=self.campaign,
                            unit=self.unit(entry, "unit"), as_of=submitted,
                            signer_name=entry.text("signer", optional=True) or "Ban Thường vụ")
        self._call(entry, report_submit, actor=None, report=report, on=submitted)

    def _unit_code(self, code: str, path: str) -> Unit:
        if code not in self.units:
            raise ScenarioError(path, f"unknown unit code {code!r}")
        return self.units[code]

    def _home_unit(self, entry: _Reader, units: list[Unit]) -> Unit:
        """The officer works for the closest unit above all the units they supervise."""
        if not units:
            raise ScenarioError(f"{entry.path}.units", "an officer needs at least one unit")
        common = units[0].path
        for unit in units[1:]:
            while not unit.path.startswith(common):
                common = common[: common.rstrip(".").rfind(".") + 1]
        home = next(u for u in self.units.values() if u.path == common)
        if home in units and home.parent_id is not None:
            home = next(u for u in self.units.values() if u.pk == home.parent_id)
        return home

    def _load_event(self, entry: _Reader) -> None:
        sites = []
        for site in entry.items("sites"):
            attendees = []
            for i, code in enumerate(site.strings("attendees")):
                if code not in self.members:
                    raise ScenarioError(f"{site.path}.attendees[{i}]", f"unknown member code {code!r}")
                attendees.append(self.members[code])
            by_category = site.mapping("non_party_by_category", optional=True)
            sites.append(SiteData(
                unit=self.unit(site, "unit"), other_members=site.count("party_members_other"),
                non_members=site.count("non_party"),
                non_members_by_category={k: by_category.count(k) for k in by_category.value},
                attendees=tuple(attendees),
            ))
        presenters = []
        for i, code in enumerate(entry.strings("presenters")):
            if code not in self.presenters:
                raise ScenarioError(f"{entry.path}.presenters[{i}]", f"unknown presenter {code!r}")
            presenters.append(self.presenters[code])
        title = entry.text("title")
        self._call(
            entry, event_create, actor=None, campaign=self.campaign, code=entry.text("code"),
            organiser=self.unit(entry, "organizer"), held_on=entry.required_day("date"),
            format=entry.text("format"), title=title, sites=sites, presenters=presenters,
            is_make_up=bool(entry.value.get("make_up", False)) or title.lower().startswith("học bù"),
        )


def load_scenario(path: Path) -> Campaign:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ScenarioError(str(path), f"not valid YAML: {error}") from error
    if not isinstance(document, dict):
        raise ScenarioError(str(path), "expected a mapping at the top")
    with transaction.atomic():
        return _Loader(_Reader(document, "")).run()
