"""Restructuring decisions: drafted with their operations, applied to the dated tree from their
effective date (atomically, with the counters), and undone while nothing was recorded since.

Operations name units and members by code. Each is checked on the tree as the operations before
it left it; the first refusal names the operation (`operations[2]`) and nothing is written.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chuyende.accounts.models import User
from chuyende.accounts.permissions import can_manage_structure, require_edit, require_read
from chuyende.audit.services import record_change, snapshot
from chuyende.campaigns.models import Campaign
from chuyende.core.exceptions import NotAllowed, NotInScope
from chuyende.core.numbers import format_date
from chuyende.events.models import Event, Site, StudyRecord
from chuyende.figures import ledger
from chuyende.figures import tree as dated
from chuyende.figures.rollup import tallies
from chuyende.figures.rules import is_open_on
from chuyende.members.models import Member, MemberPlacement
from chuyende.members.services import place_member
from chuyende.organisation import tree
from chuyende.organisation.models import Level, LevelName, Unit, UnitPeriod, path_segment
from chuyende.outreach.models import Outreach
from chuyende.pledges.models import PledgeReturn
from chuyende.restructuring.models import Decision, Operation, Succession
from chuyende.returns.models import MemberReturn, NonMemberReturn

# Records whose ids, noted when a decision is applied, tell whether anything was recorded since.
RECORDED: dict[str, type[Model]] = {
    "events": Event, "sites": Site, "studies": StudyRecord, "member_returns": MemberReturn,
    "non_member_returns": NonMemberReturn, "pledge_returns": PledgeReturn, "outreach": Outreach,
}


@dataclass(frozen=True)
class OperationData:
    kind: str
    data: dict[str, Any]
    note: str = ""


def _require_manager(actor: User | None, unit: Unit) -> None:
    require_edit(actor, unit)
    if not can_manage_structure(actor):
        raise NotAllowed


@transaction.atomic
def decision_create(
    *, actor: User | None, unit: Unit, number: str, issued_on: datetime.date, issuer: str, title: str,
    effective_on: datetime.date, operations: Sequence[OperationData],
) -> Decision:
    """A draft decision with its operations (checked when previewed or applied)."""
    _require_manager(actor, unit)
    decision = Decision(unit=unit, number=number.strip(), issued_on=issued_on, issuer=issuer.strip(),
                        title=title.strip(), effective_on=effective_on)
    decision.full_clean()
    if effective_on < issued_on:
        raise ValidationError({"effective_on": _("The effective date is before the decision's date.")})
    decision.save()
    _save_operations(decision, operations)
    record_change(actor=actor, action="create", record=decision, unit_path=unit.path, before=None,
                  after=snapshot(decision))
    return decision


def _save_operations(decision: Decision, operations: Sequence[OperationData]) -> None:
    rows = []
    for position, operation in enumerate(operations):
        if operation.kind not in Operation.Kind.values:
            raise ValidationError({f"operations[{position}]": _("Unknown operation %(kind)s.") % {
                "kind": operation.kind}})
        rows.append(Operation(decision=decision, position=position, kind=operation.kind,
                              data=operation.data, note=operation.note))
    Operation.objects.bulk_create(rows)


@transaction.atomic
def decision_apply(*, actor: User | None, decision: Decision) -> Decision:
    """Applies every operation from the effective date on, all or nothing."""
    _require_manager(actor, decision.unit)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.state == Decision.State.APPLIED:
        raise ValidationError(_("This decision has already been applied."))
    _Applying(actor, decision).run()
    decision.state, decision.applied_at, decision.applied_by = Decision.State.APPLIED, timezone.now(), actor
    decision.save(update_fields=["state", "applied_at", "applied_by", "undo"])
    record_change(actor=actor, action="apply", record=decision, unit_path=decision.unit.path, before=None,
                  after={"state": decision.state, "undo": decision.undo})
    return decision


class _Applying:
    """One decision being applied: the tree is changed operation by operation, the counters of every
    unit the decision reaches are recounted once at the end."""

    def __init__(self, actor: User | None, decision: Decision) -> None:
        self.actor = actor
        self.decision = decision
        self.day = decision.effective_on
        self.scope = decision.unit
        self.operations = list(decision.operations.order_by("position"))
        self.units: dict[str, Unit] = {}
        self.created: list[int] = []
        self.closed: dict[int, str | None] = {}
        self.moved_members: dict[int, list[Any]] = {}
        self.where = ""

    def run(self) -> None:
        if not self.operations:
            raise ValidationError(_("The decision has no operations."))
        reached = self.reached()
        counters = ledger.track(units=reached, **ledger.records_of_units(reached))
        undo: dict[str, Any] = {"periods": tree.snapshot_periods(reached),
                                "levels": list(Level.objects.values_list("depth", "name")),
                                "recorded": {key: model._default_manager.aggregate(top=Max("pk"))["top"] or 0
                                             for key, model in RECORDED.items()}}
        for index, operation in enumerate(self.operations):
            self.where = f"operations[{index}]"
            try:
                getattr(self, f"_{operation.kind}")(operation.data)
            except ValidationError as error:
                raise ValidationError({self.where: error.messages}) from error
        counters.also(units=self.created)
        counters.finish()
        undo.update(created=self.created, closed={str(k): v for k, v in self.closed.items()},
                    members=self.moved_members)
        self.decision.undo = undo

    def reached(self) -> set[int]:
        """Every unit an operation names, with what was ever below it and its parents."""
        codes: set[str] = set()
        for operation in self.operations:
            data = operation.data
            codes.update(code for key in ("unit", "parent", "to") if isinstance(code := data.get(key), str))
            codes.update(data.get("units") or [])
            codes.update(data.get("successors") or [])
            for part in [data.get("into")] if isinstance(data.get("into"), dict) else data.get("into") or []:
                if isinstance(part, dict):
                    codes.update(c for c in [part.get("parent")] if isinstance(c, str))
                    codes.update(part.get("children") or [])
        units = list(Unit.objects.filter(code__in=codes))
        reached: set[int] = set()
        for unit in units:
            reached |= set(UnitPeriod.objects.filter(path__under=unit.path).values_list("unit_id", flat=True))
            if unit.parent_id:
                reached.add(unit.parent_id)
        return reached

    # --- looking things up ---------------------------------------------------------------------

    def unit(self, code: Any, key: str = "unit") -> Unit:
        if not isinstance(code, str) or not code:
            raise ValidationError(_("%(key)s: give a unit code.") % {"key": key})
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise ValidationError(_("%(key)s: there is no unit with code %(code)s.") % {
                "key": key, "code": code})
        if not unit.is_in_subtree_of(self.scope):
            raise NotInScope
        require_read(self.actor, unit)
        return unit

    def open_unit(self, code: Any, key: str = "unit") -> Unit:
        unit = self.unit(code, key)
        if not is_open_on(unit.opened_on, unit.closed_on, self.day):
            raise ValidationError(_("%(unit)s (%(code)s) is not open on %(day)s.") % {
                "unit": unit.name, "code": unit.code, "day": format_date(self.day)})
        return unit

    def _position(self, unit: Unit) -> UnitPeriod:
        return dated.position_on(unit, self.day)

    def _open_children(self, unit: Unit) -> list[Unit]:
        ids = dated.children_on(unit, self.day).values_list("unit_id", flat=True)
        return [child for child in Unit.objects.filter(pk__in=list(ids))
                if is_open_on(child.opened_on, child.closed_on, self.day)]

    def _members_on(self, unit: Unit) -> list[Member]:
        return list(Member.objects.filter(unit=unit).select_related("unit"))

    # --- operations ----------------------------------------------------------------------------

    def _new_unit(self, data: Any, *, default_tracking: str = Unit.Tracking.AGGREGATE,
                  default_sector: str = Unit.Sector.OTHER) -> Unit:
        if not isinstance(data, dict):
            raise ValidationError(_("into: give the new unit's code, name, parent and kind."))
        code, name, kind = data.get("code"), data.get("name"), data.get("kind")
        if not isinstance(code, str) or not code or not isinstance(name, str) or not name.strip():
            raise ValidationError(_("into: give the new unit's code and name."))
        if Unit.objects.filter(code=code).exists():
            raise ValidationError(_("A unit with code %(code)s already exists.") % {"code": code})
        if kind not in Unit.Kind.values:
            raise ValidationError(_("%(code)s: unknown kind %(kind)s.") % {"code": code, "kind": kind})
        tracking = data.get("tracking") or default_tracking
        if tracking not in Unit.Tracking.values:
            raise ValidationError(_("%(code)s: unknown tracking %(tracking)s.") % {
                "code": code, "tracking": tracking})
        sector = data.get("sector") or default_sector
        if sector not in Unit.Sector.values:
            raise ValidationError(_("%(code)s: unknown sector %(sector)s.") % {
                "code": code, "sector": sector})
        parent = self.open_unit(data.get("parent"), "parent")
        self._check_can_hold(parent)
        position = self._position(parent)
        unit = Unit(code=code, name=name.strip(), kind=kind, sector=sector, tracking=tracking, parent=parent,
                    opened_on=self.day, path="pending", depth=position.depth + 1)
        unit.full_clean(exclude=["path", "depth"])
        unit.save()
        unit.path = position.path + path_segment(unit.pk)
        unit.save(update_fields=["path"])
        UnitPeriod.objects.create(unit=unit, parent=parent, name=unit.name, kind=kind, sector=sector,
                                  tracking=tracking, path=unit.path, depth=unit.depth, decision=self.decision)
        self.created.append(unit.pk)
        return unit

    def _check_can_hold(self, parent: Unit) -> None:
        if self._position(parent).kind != Unit.Kind.PARTY_COMMITTEE:
            raise ValidationError(_("%(unit)s is a cell: it cannot have units under it.") % {
                "unit": parent.name})

    def _close(self, data: dict[str, Any]) -> None:
        unit = self.open_unit(data.get("unit"))
        successors = [self.unit(code, "successors") for code in data.get("successors") or []]
        self._close_unit(unit, successors, Succession.Kind.CLOSE)

    def _close_unit(self, unit: Unit, successors: Sequence[Unit], kind: str) -> None:
        left = self._open_children(unit)
        if left:
            raise ValidationError(_("%(unit)s still has open units under it on %(day)s: %(codes)s.") % {
                "unit": unit.name, "day": format_date(self.day), "codes": ", ".join(c.code for c in left)})
        members = Member.objects.filter(unit=unit).count()
        if members:
            raise ValidationError(_("%(unit)s still has %(count)s party members on its roster: move them to "
                                    "another unit first.") % {"unit": unit.name, "count": members})
        self.closed[unit.pk] = unit.closed_on.isoformat() if unit.closed_on else None
        unit.closed_on = self.day
        unit.save(update_fields=["closed_on"])
        for successor in successors:
            Succession.objects.get_or_create(predecessor=unit, successor=successor,
                                             defaults={"on": self.day, "decision": self.decision,
                                                       "kind": kind})

    def _change(self, data: dict[str, Any]) -> None:
        unit = self.open_unit(data.get("unit"))
        changes: dict[str, Any] = {}
        if data.get("parent") is not None:
            parent = self.open_unit(data.get("parent"), "parent")
            if self._position(parent).path.startswith(self._position(unit).path):
                raise ValidationError(_("%(unit)s cannot be placed under itself or one of its own sub-units.")
                                      % {"unit": unit.name})
            self._check_can_hold(parent)
            changes["parent_id"] = parent.pk
        for key in ("name", "kind", "tracking", "sector"):
            if data.get(key) is not None:
                changes[key] = self._checked(key, data[key], unit)
        if not changes:
            raise ValidationError(_("%(unit)s: the change names nothing to change.") % {"unit": unit.name})
        self._check_not_contradicted(unit, changes)
        tree.change_from(unit, self.day, decision_id=self.decision.pk, **changes)

    def _checked(self, key: str, value: Any, unit: Unit) -> str:
        choices = {"kind": Unit.Kind.values, "tracking": Unit.Tracking.values,
                   "sector": Unit.Sector.values}.get(key)
        if not isinstance(value, str) or not value.strip() or (choices and value not in choices):
            raise ValidationError(_("%(unit)s: %(value)s is not a valid %(key)s.") % {
                "unit": unit.code, "value": value, "key": key})
        return value.strip()

    def _check_not_contradicted(self, unit: Unit, changes: dict[str, Any]) -> None:
        """Another applied decision changing the unit on the same day must agree with this one."""
        other = UnitPeriod.objects.filter(unit=unit, valid_from=self.day, decision__isnull=False).exclude(
            decision=self.decision).first()
        if other is None:
            return
        for key, value in changes.items():
            if getattr(other, key) != value:
                raise ValidationError(
                    _("%(unit)s is changed on %(day)s by decision %(number)s in another way.") % {
                        "unit": unit.name, "day": format_date(self.day),
                        "number": other.decision.number if other.decision else ""})

    def _merge(self, data: dict[str, Any]) -> None:
        codes = data.get("units")
        if not isinstance(codes, list) or len(codes) < 2:
            raise ValidationError(_("units: a merge needs at least two units."))
        sources = [self.open_unit(code, "units") for code in codes]
        positions = [self._position(unit) for unit in sources]
        if len({p.depth for p in positions}) > 1 or len({p.kind for p in positions}) > 1:
            raise ValidationError(_("Units of different levels or kinds cannot be merged: %(codes)s.") % {
                "codes": ", ".join(f"{u.code} ({p.kind}, {p.depth})" for u, p in zip(sources, positions,
                                                                                     strict=True))})
        trackings = {p.tracking for p in positions}
        sectors = {p.sector for p in positions}
        into = data.get("into")
        merged = self._new_unit(into, default_tracking=trackings.pop() if len(trackings) == 1
                                else Unit.Tracking.AGGREGATE,
                                default_sector=sectors.pop() if len(sectors) == 1 else Unit.Sector.OTHER)
        if merged.kind != positions[0].kind:
            raise ValidationError(_("%(code)s must be of the same kind as the units merged into it.") % {
                "code": merged.code})
        for source in sources:
            self._hand_over(source, children=self._open_children(source), members=self._members_on(source),
                            to=merged)
            self._close_unit(source, [merged], Succession.Kind.MERGE)

    def _hand_over(self, source: Unit, *, children: Sequence[Unit], members: Sequence[Member],
                   to: Unit) -> None:
        for child in children:
            tree.change_from(child, self.day, decision_id=self.decision.pk, parent_id=to.pk)
        for member in members:
            self._place(member, to)

    def _place(self, member: Member, unit: Unit) -> None:
        since = member.unit_since.isoformat() if member.unit_since else None
        self.moved_members.setdefault(member.pk, [member.unit_id, since])
        place_member(member, unit, self.day, decision_id=self.decision.pk)

    def _split(self, data: dict[str, Any]) -> None:
        source = self.open_unit(data.get("unit"))
        parts = data.get("into")
        if not isinstance(parts, list) or len(parts) < 2:
            raise ValidationError(_("into: a split needs at least two new units."))
        children = {c.code: c for c in self._open_children(source)}
        members = {m.code: m for m in self._members_on(source)}
        successors = []
        for part in parts:
            unit = self._new_unit(part, default_tracking=self._position(source).tracking,
                                  default_sector=self._position(source).sector)
            successors.append(unit)
            taken_children = [children.pop(code) for code in self._codes(part, "children", children)]
            taken_members = [members.pop(code) for code in self._codes(part, "members", members)]
            self._hand_over(source, children=taken_children, members=taken_members, to=unit)
        if children or members:
            raise ValidationError(_("%(unit)s: every unit and member must go to one of the new units; left: "
                                    "%(codes)s.") % {"unit": source.name,
                                                     "codes": ", ".join([*children, *members])})
        self._close_unit(source, successors, Succession.Kind.SPLIT)

    @staticmethod
    def _codes(part: dict[str, Any], key: str, left: dict[str, Any]) -> list[str]:
        codes = part.get(key) or []
        for code in codes:
            if code not in left:
                raise ValidationError(
                    _("%(key)s: %(code)s is not under the unit split, or is named twice.") % {
                    "key": key, "code": code})
        return list(codes)

    def _open(self, data: dict[str, Any]) -> None:
        self._new_unit(data)

    def _move_members(self, data: dict[str, Any]) -> None:
        unit = self.open_unit(data.get("to"), "to")
        codes = data.get("members") or []
        found = {m.code: m for m in Member.objects.filter(code__in=codes).select_related("unit")}
        for code in codes:
            if code not in found:
                raise ValidationError(_("members: there is no member with code %(code)s.") % {"code": code})
            if not found[code].unit.path.startswith(self.scope.path):
                raise NotInScope
            self._place(found[code], unit)

    def _levels(self, data: dict[str, Any]) -> None:
        names = data.get("names")
        if not isinstance(names, dict) or not names:
            raise ValidationError(_("names: give the level names by depth."))
        current = dict(Level.objects.values_list("depth", "name"))
        for depth_text, name in names.items():
            depth = int(depth_text)
            if not LevelName.objects.filter(depth=depth).exists() and depth in current:
                LevelName.objects.create(depth=depth, name=current[depth], valid_from=None)
            LevelName.objects.update_or_create(depth=depth, valid_from=self.day,
                                               defaults={"name": name, "decision": self.decision})
            Level.objects.update_or_create(depth=depth, defaults={"name": name})


@transaction.atomic
def decision_undo(*, actor: User | None, decision: Decision) -> Decision:
    """Puts the tree back as it was before the decision, while nothing was recorded on the new tree
    (no record dated on or after the effective date in a unit the decision reached, since it was
    applied)."""
    _require_manager(actor, decision.unit)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.state != Decision.State.APPLIED:
        raise ValidationError(_("Only an applied decision can be undone."))
    undo = decision.undo
    reached = {int(k) for k in undo["periods"]} | set(undo["created"])
    _check_nothing_recorded(decision, reached)
    counters = ledger.track(units=reached, **ledger.records_of_units(reached))
    _put_back(decision, undo)
    counters.finish()
    # The new units, never open now, hold only zeroed counters: they go with them.
    UnitPeriod.objects.filter(unit_id__in=undo["created"]).delete()
    Unit.objects.filter(pk__in=undo["created"]).delete()
    decision.state = Decision.State.UNDONE
    decision.save(update_fields=["state"])
    record_change(actor=actor, action="undo", record=decision, unit_path=decision.unit.path, before=None,
                  after={"state": decision.state})
    return decision


def _check_nothing_recorded(decision: Decision, units: set[int]) -> None:
    since = decision.effective_on
    recorded = decision.undo["recorded"]
    found = (
        Event.objects.filter(pk__gt=recorded["events"], held_on__gte=since, organiser_id__in=units).exists()
        or Site.objects.filter(pk__gt=recorded["sites"], event__held_on__gte=since,
                               unit_id__in=units).exists()
        or any(model.objects.filter(pk__gt=recorded[key], as_of__gte=since, unit_id__in=units).exists()
               for key, model in (("member_returns", MemberReturn), ("non_member_returns", NonMemberReturn),
                                  ("pledge_returns", PledgeReturn)))
        or Outreach.objects.filter(pk__gt=recorded["outreach"], held_on__gte=since,
                                   unit_id__in=units).exists()
        or StudyRecord.objects.filter(pk__gt=recorded["studies"], first_studied_on__gte=since,
                                      member__unit_id__in=units).exists()
        or Member.objects.filter(unit_id__in=decision.undo["created"]).exclude(
            pk__in=[int(k) for k in decision.undo["members"]]).exists()
    )
    if found:
        raise ValidationError(_("Records were entered on the new tree since the decision was applied: it "
                                "can no longer be undone. Make a new decision instead."))


def _put_back(decision: Decision, undo: dict[str, Any]) -> None:
    for member_id, (unit_id, since) in undo["members"].items():
        MemberPlacement.objects.filter(member_id=int(member_id), decision=decision).delete()
        Member.objects.filter(pk=int(member_id)).update(
            unit_id=unit_id, unit_since=since and datetime.date.fromisoformat(since))
    tree.restore_periods(undo["periods"])
    for unit_id, closed_on in undo["closed"].items():
        Unit.objects.filter(pk=int(unit_id)).update(
            closed_on=closed_on and datetime.date.fromisoformat(closed_on))
    Succession.objects.filter(decision=decision).delete()
    LevelName.objects.filter(decision=decision).delete()
    for depth, name in undo["levels"]:
        Level.objects.update_or_create(depth=depth, defaults={"name": name})
    for unit in Unit.objects.filter(pk__in=undo["created"]):
        unit.closed_on = unit.opened_on  # never open: the counters take everything away from them
        unit.save(update_fields=["closed_on"])


@transaction.atomic
def unit_tracking_change(*, actor: User | None, unit: Unit, tracking: str, on: datetime.date) -> Unit:
    """The unit keeps its figures in `tracking` from a day on (rosters before it stay as they were)."""
    _require_manager(actor, unit)
    if tracking not in Unit.Tracking.values:
        raise ValidationError({"tracking": _("Choose how the unit keeps its figures.")})
    if dated.position_on(unit, on).tracking == tracking:
        raise ValidationError({"tracking": _("%(unit)s already keeps its figures this way on %(day)s.") % {
            "unit": unit.name, "day": format_date(on)}})
    counters = ledger.track(units=[unit.pk], **ledger.records_of_unit(unit.pk))
    before = snapshot(unit)
    tree.change_from(unit, on, tracking=tracking)
    unit.refresh_from_db()
    counters.finish()
    record_change(actor=actor, action="update", record=unit, unit_path=unit.path, before=before,
                  after=snapshot(unit))
    return unit


# --- preview ---------------------------------------------------------------------------------------

PREVIEWED_FIGURES = {
    "members_total": gettext_lazy("Party members"), "eligible": gettext_lazy("Expected to study"),
    "studied": gettext_lazy("Studied"), "non_members_expected": gettext_lazy("Non-members expected"),
    "non_members_studied": gettext_lazy("Non-members who studied"),
    "events_organised": gettext_lazy("Events organised"),
    "member_person_times": gettext_lazy("Party member person-times"),
}


@dataclass(frozen=True)
class PlaceOnDay:
    name: str
    parent: str  # the parent's code, "" at the top
    depth: int
    is_open: bool


@dataclass(frozen=True)
class UnitChange:
    code: str
    before: PlaceOnDay | None  # the day before the effective date
    after: PlaceOnDay | None  # the effective date


@dataclass(frozen=True)
class FigureChange:
    unit: str
    campaign: str
    day: datetime.date
    figure: str
    before: int
    after: int

    @property
    def label(self) -> str:
        return str(PREVIEWED_FIGURES[self.figure])


@dataclass(frozen=True)
class Preview:
    units: list[UnitChange]
    members_moved: list[str]
    figures: list[FigureChange]
    errors: dict[str, list[str]]


class _RolledBack(Exception):
    pass


def decision_preview(*, actor: User | None, decision: Decision) -> Preview:
    """What applying the decision would change: the units before and after the effective date, the
    members moved, and every figure that would change (none for a day before the effective date).
    The decision is applied in a transaction that is then rolled back."""
    _require_manager(actor, decision.unit)
    if decision.state != Decision.State.DRAFT:
        raise ValidationError(_("Only a draft decision can be previewed."))
    day, before_day = decision.effective_on, decision.effective_on - datetime.timedelta(days=1)
    applying = _Applying(actor, decision)
    units = applying.reached()
    days = _preview_days(decision)
    places_before = {d: _places(units, d) for d in (before_day, day)}
    figures_before = _figures(units, days)
    members_before = dict(Member.objects.filter(unit_id__in=units).values_list("code", "unit_id"))
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            try:
                applying.run()
            except ValidationError as error:
                result["errors"] = error.message_dict if hasattr(error, "error_dict") else {
                    "": error.messages}
                raise _RolledBack from error
            units |= set(applying.created)
            result["places"] = {d: _places(units, d) for d in (before_day, day)}
            result["figures"] = _figures(units, days)
            result["members"] = sorted(code for code, unit_id in Member.objects.filter(
                code__in=members_before).values_list("code", "unit_id") if members_before[code] != unit_id)
            raise _RolledBack
    except _RolledBack:
        pass
    if "errors" in result:
        return Preview(units=[], members_moved=[], figures=[], errors=result["errors"])
    return Preview(
        units=_unit_changes(places_before, result["places"], before_day, day),
        members_moved=result["members"],
        figures=[FigureChange(unit=code, campaign=campaign, day=on, figure=name, before=old, after=new)
                 for (code, campaign, on, name), (old, new)
                 in sorted(_paired(figures_before, result["figures"]))],
        errors={},
    )


def _preview_days(decision: Decision) -> list[tuple[Campaign, datetime.date]]:
    day = decision.effective_on
    found = []
    for campaign in Campaign.objects.all():
        for on in sorted({day - datetime.timedelta(days=1), max(day, campaign.study_deadline)}):
            found.append((campaign, on))
    return found


def _places(units: set[int], day: datetime.date) -> dict[str, PlaceOnDay]:
    rows = dated.periods_on(day).filter(unit_id__in=units).values_list(
        "unit__code", "name", "parent__code", "depth", "unit__opened_on", "unit__closed_on")
    return {code: PlaceOnDay(name=name, parent=parent or "", depth=depth,
                             is_open=is_open_on(opened, closed, day))
            for code, name, parent, depth, opened, closed in rows}


FigureKey = tuple[str, str, datetime.date, str]  # unit code, campaign code, day, figure


def _figures(units: set[int], days: list[tuple[Campaign, datetime.date]]) -> dict[FigureKey, int]:
    codes = dict(Unit.objects.filter(pk__in=units).values_list("pk", "code"))
    found = {}
    for campaign, on in days:
        for unit_id, tally in tallies(unit_ids=units, campaign=campaign, as_of=on).items():
            for name in PREVIEWED_FIGURES:
                found[(codes[unit_id], campaign.code, on, name)] = getattr(tally, name)
    return found


def _paired(before: dict[Any, int], after: dict[Any, int]) -> list[tuple[Any, tuple[int, int]]]:
    return [(key, (before.get(key, 0), after.get(key, 0))) for key in before.keys() | after.keys()
            if before.get(key, 0) != after.get(key, 0)]


Places = dict[datetime.date, dict[str, PlaceOnDay]]


def _unit_changes(before: Places, after: Places, before_day: datetime.date,
                  day: datetime.date) -> list[UnitChange]:
    codes = sorted(set(after[day]) | set(before[day]))
    changes = []
    for code in codes:
        old, new = before[day].get(code) or before[before_day].get(code), after[day].get(code)
        if old != new:
            changes.append(UnitChange(code=code, before=old, after=new))
    return changes
