import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import require_edit
from chuyende.audit.models import AuditEntry
from chuyende.audit.services import Change, record_change, record_changes, snapshot
from chuyende.core import bulk
from chuyende.core.exceptions import RowsInvalid
from chuyende.core.numbers import format_date
from chuyende.core.validation import require_free
from chuyende.figures import ledger
from chuyende.figures.rules import is_open_on
from chuyende.members.models import Member, MemberPlacement, MemberStatus, MemberStatusChoices
from chuyende.members.search import search_key_of, search_keys_of
from chuyende.organisation.models import PATH_SEGMENT_WIDTH, Unit


def _check_unit_tracks_people(unit: Unit) -> None:
    if unit.tracking != Unit.Tracking.INDIVIDUAL:
        raise ValidationError(
            {"unit": _("%(unit)s reports counts only; its members are not kept one by one.")
             % {"unit": unit.name}}
        )


def _code_taken(code: str) -> str:
    return _("A member with code %(code)s already exists.") % {"code": code}


def _check_code_free(code: str, *, exclude_pk: int | None = None) -> None:
    require_free(Member.objects.filter(code=code), field="code", exclude_pk=exclude_pk,
                 message=_code_taken(code))


def _member_snapshot(member: Member) -> dict[str, object]:
    values = snapshot(member)
    values.pop("search_key", None)  # derived from the name and code, not a change of its own
    values["statuses"] = [
        [s.status, str(s.valid_from) if s.valid_from else None, str(s.valid_to) if s.valid_to else None]
        # An open start (NULL) is the earliest period on every database (PostgreSQL sorts NULL last).
        for s in member.statuses.order_by(F("valid_from").asc(nulls_first=True))
    ]
    return values


@transaction.atomic
def member_create(
    *,
    actor: User | None,
    unit: Unit,
    code: str,
    full_name: str,
    sex: str,
    birth_year: int,
    membership: str,
    status: str = "active",
    status_since: datetime.date | None = None,
) -> Member:
    require_edit(actor, unit)
    _check_unit_tracks_people(unit)
    _check_code_free(code)
    member = Member(
        unit=unit, code=code, full_name=full_name, sex=sex, birth_year=birth_year,
        membership=membership,
    )
    member.search_key = search_key_of(full_name, code)
    member.full_clean(validate_unique=False)
    _check_birth_year(birth_year)
    counters = ledger.track()
    member.save()
    period = MemberStatus(member=member, status=status, valid_from=status_since)
    period.full_clean()
    period.save()
    counters.also(members=[member.pk])
    counters.finish()
    record_change(
        actor=actor, action="create", record=member, unit_path=unit.path, before=None,
        after=_member_snapshot(member),
    )
    return member


def _check_birth_year(birth_year: int) -> None:
    this_year = timezone.localdate().year
    if not 1900 <= birth_year <= this_year - 16:
        raise ValidationError({"birth_year": _("The birth year %(year)s is not plausible.")
                               % {"year": birth_year}})


@transaction.atomic
def member_update(
    *,
    actor: User | None,
    member: Member,
    unit: Unit,
    code: str,
    full_name: str,
    sex: str,
    birth_year: int,
    membership: str,
) -> Member:
    require_edit(actor, member.unit)
    require_edit(actor, unit)
    _check_unit_tracks_people(unit)
    _check_code_free(code, exclude_pk=member.pk)
    before = _member_snapshot(member)
    counters = ledger.track(members=[member.pk])
    member.unit, member.code, member.full_name = unit, code, full_name
    member.sex, member.birth_year, member.membership = sex, birth_year, membership
    member.search_key = search_key_of(full_name, code)
    member.full_clean(validate_unique=False)
    _check_birth_year(birth_year)
    member.save(update_fields=[
        "unit", "code", "full_name", "sex", "birth_year", "membership", "search_key",
    ])
    counters.finish()
    record_change(
        actor=actor, action="update", record=member, unit_path=unit.path, before=before,
        after=_member_snapshot(member),
    )
    return member


@transaction.atomic
def member_status_change(
    *, actor: User | None, member: Member, status: str, since: datetime.date
) -> MemberStatus:
    """Closes the open status period on `since` and opens a new one from that day."""
    require_edit(actor, member.unit)
    before = _member_snapshot(member)
    current = (
        MemberStatus.objects.select_for_update().filter(member=member, valid_to__isnull=True).first()
    )
    if current is not None:
        if current.valid_from is not None and since <= current.valid_from:
            raise ValidationError({"since": _(
                "The new status must start after %(date)s, when the current status began."
            ) % {"date": current.valid_from.strftime("%d/%m/%Y")}})
        if current.status == status:
            raise ValidationError({"status": _("The member already has this status.")})
    counters = ledger.track(members=[member.pk])
    if current is not None:
        current.valid_to = since
        current.save(update_fields=["valid_to"])
    period = MemberStatus(member=member, status=status, valid_from=since)
    period.full_clean()
    period.save()
    counters.finish()
    record_change(
        actor=actor, action="update", record=member, unit_path=member.unit.path, before=before,
        after=_member_snapshot(member),
    )
    return period


# --- many new members at once (imports) ------------------------------------------------------------


class MemberRow(NamedTuple):
    """One new member for members_import: the arguments of member_create."""

    unit: Unit
    code: str
    full_name: str
    sex: str
    birth_year: int
    membership: str
    status: str = MemberStatusChoices.ACTIVE
    status_since: datetime.date | None = None


@dataclass(frozen=True)
class BulkResult:
    """What members_import wrote: the members created and the one audit entry recording them."""

    created: int
    entry: AuditEntry | None


class MemberRowsInvalid(RowsInvalid):
    """Rows of members_import that member_create would refuse (or changes of members_bulk_update
    that member_update or member_status_change would refuse); nothing was written."""


BULK_BATCH = 4000  # rows written between two progress reports


def member_codes_taken(codes: Iterable[str]) -> set[str]:
    """The codes among `codes` that stored members have, in any unit (a check, not a list to show),
    a few queries however many the codes."""
    found = bulk.rows_matching(Member, "code", list(set(codes)), "code")
    return {code for (code,) in found}


def _common_path(paths: Iterable[str]) -> str:
    """The path of the lowest unit above (or equal to) every unit of `paths`."""
    found = list(paths)
    shortest, longest = min(found), max(found)  # their common start is every path's common start
    length = 0
    while length < len(shortest) and shortest[length] == longest[length]:
        length += 1
    return shortest[:length - length % PATH_SEGMENT_WIDTH]


def _member_ids(codes: Sequence[str]) -> dict[str, int]:
    """The ids of the members with these codes, by code."""
    return dict(bulk.rows_matching(Member, "code", codes, "code", "id"))


MEMBER_COLUMNS = ("code", "full_name", "sex", "birth_year", "unit", "membership", "search_key")
CHECKED_MEMBER_FIELDS = ("code", "full_name", "sex", "birth_year", "membership", "search_key")
CHECKED_STATUS_FIELDS = ("status", "valid_from")
STATUS_COLUMNS = ("member", "status", "valid_from", "valid_to")





class _NewMembers:
    """The rows of members_import checked as member_create checks each, and their values to insert.

    The checks run on whole columns (each unit, each distinct value, once); a row that a check
    refuses somewhere is then checked alone in member_create's order (its unit, its code, the
    member's fields, the birth year, the status period's fields), so its error is member_create's:
    the first rule it breaks. A code is taken if a stored member or a row above that passed has it.
    """

    def __init__(self, actor: User | None, rows: Sequence[MemberRow]) -> None:
        columns = [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(8)]
        units, codes, names, sexes, years, memberships, statuses, sinces = columns
        self.units = {unit.id: unit for unit in units}
        self.unit_errors: dict[int, ValidationError] = {}
        for unit in self.units.values():
            require_edit(actor, unit)
            try:
                _check_unit_tracks_people(unit)
            except ValidationError as refused:
                self.unit_errors[unit.id] = refused
        self.member_values = dict(zip(
            CHECKED_MEMBER_FIELDS, (codes, names, sexes, years, memberships, search_keys_of(names, codes)),
            strict=True))
        self.status_values = dict(zip(CHECKED_STATUS_FIELDS, (statuses, sinces), strict=True))
        self.checks: dict[str, bulk.Checked] = {
            name: bulk.FieldColumn(Member, name).check(values) for name, values in self.member_values.items()}
        self.status_checks: dict[str, bulk.Checked] = {
            name: bulk.FieldColumn(MemberStatus, name).check(values)
            for name, values in self.status_values.items()}
        self.year_errors: dict[int, ValidationError] = {}
        for year in set(years):
            if not _is_key(year, self.checks["birth_year"][1]):
                try:
                    _check_birth_year(self.checks["birth_year"][0].get(year, year))
                except ValidationError as refused:
                    self.year_errors[year] = refused
        # The codes are looked up only when some row is refused anyway, so that every row
        # member_create would refuse is listed; when all pass, the insert finds a stored code
        # (its unique index refuses it: members_import).
        self.taken: set[str] = set()
        suspects = self._suspects(units, codes, years)
        if suspects:
            self.taken = member_codes_taken(codes)
            suspects = self._suspects(units, codes, years)
        self.errors = self._errors(suspects, units, codes, years)
        if self.errors:
            return

        def cleaned(name: str) -> list[Any]:
            values = self.member_values.get(name) or self.status_values[name]
            changed = (self.checks.get(name) or self.status_checks[name])[0]
            return [changed.get(value, value) for value in values] if changed else values

        self.codes = cleaned("code")
        self.members = list(zip(self.codes, cleaned("full_name"), cleaned("sex"), cleaned("birth_year"),
                                [unit.id for unit in units], cleaned("membership"), cleaned("search_key"),
                                strict=True))
        self.periods = list(zip(cleaned("status"), cleaned("valid_from"), strict=True))

    def _suspects(self, units: list[Unit], codes: list[str], years: list[int]) -> list[int]:
        """The rows a check refuses somewhere (or whose code is stored or repeated), in order."""
        repeated = {code for code in codes if code in self.taken}
        if len(set(codes)) < len(codes):
            seen: set[str] = set()
            for code in codes:
                if code in seen:
                    repeated.add(code)
                seen.add(code)
        suspects: set[int] = set()
        if self.unit_errors or repeated or self.year_errors:
            unit_errors, year_errors = self.unit_errors, self.year_errors
            rows = enumerate(zip(units, codes, years, strict=True))
            suspects.update(index for index, (unit, code, year) in rows
                            if unit.id in unit_errors or code in repeated or _is_key(year, year_errors))
        for values, checks in ((self.member_values, self.checks), (self.status_values, self.status_checks)):
            for name, column in values.items():
                refused = checks[name][1]
                if refused:
                    suspects.update(index for index, value in enumerate(column) if _is_key(value, refused))
        return sorted(suspects)

    def _errors(self, suspects: list[int], units: list[Unit], codes: list[str],
                years: list[int]) -> dict[int, ValidationError]:
        errors: dict[int, ValidationError] = {}
        passed: set[str] = set()
        for index in suspects:
            code = codes[index]
            error = (
                self.unit_errors.get(units[index].id)
                or (ValidationError({"code": _code_taken(code)}) if code in self.taken or code in passed
                    else None)
                or _row_error(self.member_values, self.checks, index)
                or (self.year_errors.get(years[index]) if _is_key(years[index], self.year_errors) else None)
                or _row_error(self.status_values, self.status_checks, index)
            )
            if error is None:
                passed.add(code)
            else:
                errors[index] = error
        return errors


def _is_key(value: Any, mapping: dict[Any, Any]) -> bool:
    try:
        return value in mapping
    except TypeError:  # not hashable
        return False


def _row_error(values: dict[str, list[Any]], checks: dict[str, bulk.Checked],
               index: int) -> ValidationError | None:
    """full_clean's error for the row's values of these fields (by field, in order), or None."""
    errors = {name: checks[name][1][column[index]] for name, column in values.items()
              if _is_key(column[index], checks[name][1])}
    return ValidationError(errors) if errors else None  # type: ignore[arg-type]  # field -> errors


@transaction.atomic
def members_import(
    *,
    actor: User | None,
    rows: Sequence[MemberRow],
    progress: Callable[[int], None] | None = None,
) -> BulkResult:
    """Creates many members at once, all or none, by member_create's rules.

    Each unit is checked once (require_edit, then that it keeps its members one by one); every row
    is checked as member_create checks it (code not taken, also by a row above; the fields as
    full_clean checks them; a plausible birth year; the status period's fields). If any row breaks
    a rule, MemberRowsInvalid lists every such row with member_create's error and nothing is
    written. Members and their first status periods are inserted many rows a statement;
    `progress(done)` is called every BULK_BATCH rows, `done` counting up to the number of rows.

    The import is recorded by ONE audit entry (how many members, the first and last codes, the
    units), not one per member: an entry per row would double the rows written and fill the change
    log with thousands of identical lines. It is kept under the lowest unit above all the units of
    the rows, so the users who see it are those whose subtree holds all of them; each member's own
    later changes are audited as usual.
    """
    new = _NewMembers(actor, rows)
    if new.errors:
        raise MemberRowsInvalid(new.errors)
    if not rows:
        return BulkResult(created=0, entry=None)

    def report(done: int) -> None:
        if progress is not None:
            progress(done // 2)

    returning = ("code", "id") if bulk.inserts_return_rows() else ()
    ids: dict[str, int] = {}
    counters = ledger.track()
    try:
        with transaction.atomic():
            for start in range(0, len(new.members), BULK_BATCH):
                batch = new.members[start:start + BULK_BATCH]
                ids.update(bulk.insert_rows(Member, MEMBER_COLUMNS, batch, returning=returning))
                report(start + len(batch))
    except IntegrityError:
        taken = member_codes_taken(new.codes)  # the rows passed every other check, among them too
        if not taken:
            raise
        raise MemberRowsInvalid({index: ValidationError({"code": _code_taken(code)})
                                 for index, code in enumerate(new.codes) if code in taken}) from None
    if not returning:
        ids = _member_ids(new.codes)
    periods = [(ids[code], status, since, None) for code, (status, since) in zip(new.codes, new.periods,
                                                                                 strict=True)]
    for start in range(0, len(periods), BULK_BATCH):
        batch = periods[start:start + BULK_BATCH]
        bulk.insert_rows(MemberStatus, STATUS_COLUMNS, batch)
        report(len(rows) + start + len(batch))
    counters.also(members=ids.values())
    counters.finish()

    first, last = min(new.codes), max(new.codes)
    entry = AuditEntry.objects.create(
        actor=actor, action=AuditEntry.Action.CREATE, record_type=Member._meta.label, record_id="",
        record_label=(_("%(count)s party members imported, codes %(first)s to %(last)s")
                      % {"count": len(rows), "first": first, "last": last})[:255],
        unit_path=_common_path(unit.path for unit in new.units.values()),
        before=None,
        after={"created": len(rows), "codes": [first, last],
               "units": sorted(unit.code for unit in new.units.values())},
    )
    return BulkResult(created=len(rows), entry=entry)


# --- many stored members changed at once (imports) ---------------------------------------------------


class MemberChange(NamedTuple):
    """A stored member's new values for members_bulk_update: member_update's arguments, and a new
    status from a day (member_status_change's) unless `status` is empty."""

    member: Member
    unit: Unit
    code: str
    full_name: str
    sex: str
    birth_year: int
    membership: str
    status: str = ""
    status_since: datetime.date | None = None

    def edits_fields(self) -> bool:
        """Whether a field member_update writes differs from the stored member."""
        member = self.member
        return (self.unit.id, self.code, self.full_name, self.sex, self.birth_year, self.membership) != (
            member.unit_id, member.code, member.full_name, member.sex, member.birth_year, member.membership)


# A status period as stored: (id, status, valid_from, valid_to).
Period = tuple[int, str, datetime.date | None, datetime.date | None]


class _StoredChanges:
    """The changes of members_bulk_update checked as member_update and member_status_change check
    each; `errors` maps the index of each refused change to the single services' first error.

    Field values are checked a column at a time (each distinct value once), as in _NewMembers. A
    code is taken when a stored member holds it, or a change above took it; a change above that
    gave up its code frees it, as the changes made one by one would."""

    def __init__(self, actor: User | None, changes: Sequence[MemberChange]) -> None:
        self.changes = changes
        for unit in {change.member.unit_id: change.member.unit for change in changes}.values():
            require_edit(actor, unit)
        self.edited = [index for index, change in enumerate(changes) if change.edits_fields()]
        for unit in {changes[index].unit.id: changes[index].unit for index in self.edited}.values():
            require_edit(actor, unit)
        self.errors: dict[int, ValidationError] = {}
        self.columns: dict[str, list[Any]] = {}
        self._check_fields()
        self.periods, self.current = _periods_of([change.member.id for change in changes])
        self._check_statuses()

    def _refuse(self, index: int, error: ValidationError) -> None:
        self.errors.setdefault(index, error)

    def _check_fields(self) -> None:
        changes, edited = self.changes, self.edited
        untracked: dict[int, ValidationError | None] = {}
        for index in edited:
            unit = changes[index].unit
            if unit.id not in untracked:
                try:
                    _check_unit_tracks_people(unit)
                    untracked[unit.id] = None
                except ValidationError as refused:
                    untracked[unit.id] = refused
            error = untracked[unit.id]
            if error is not None:
                self._refuse(index, error)
        self._check_codes()
        rows = [changes[index] for index in edited]
        columns: dict[str, list[Any]] = {
            "code": [change.code for change in rows], "full_name": [change.full_name for change in rows],
            "sex": [change.sex for change in rows], "birth_year": [change.birth_year for change in rows],
            "membership": [change.membership for change in rows],
        }
        columns["search_key"] = search_keys_of(columns["full_name"], columns["code"])
        checks = {name: bulk.FieldColumn(Member, name).check(values) for name, values in columns.items()}
        # The values as full_clean leaves them, column by column (only columns it changes are copied).
        self.columns = {name: [changed.get(value, value) for value in values] if changed else values
                        for name, values in columns.items() for changed in (checks[name][0],)}
        if any(refused for _changed, refused in checks.values()):
            for position, index in enumerate(edited):
                error = _row_error(columns, checks, position)
                if error is not None:
                    self._refuse(index, error)
        years = self.columns["birth_year"]
        for year in set(years):
            try:
                _check_birth_year(year)
            except ValidationError as refused:
                for position, index in enumerate(edited):
                    if years[position] == year:
                        self._refuse(index, refused)
            except TypeError:  # a value full_clean refused
                continue

    def _check_codes(self) -> None:
        changes = self.changes
        moved = [index for index in self.edited if changes[index].code != changes[index].member.code]
        if not moved:
            return
        holders: dict[str, int | None] = dict(bulk.rows_matching(
            Member, "code", list({changes[index].code for index in moved}), "code", "id"))
        for index in moved:
            change = changes[index]
            if index in self.errors:
                continue
            holder = holders.get(change.code)
            if holder is not None and holder != change.member.id:
                self._refuse(index, ValidationError({"code": _code_taken(change.code)}))
                continue
            holders[change.member.code] = None
            holders[change.code] = change.member.id

    def _check_statuses(self) -> None:
        moving = [index for index, change in enumerate(self.changes) if change.status]
        columns: dict[str, list[Any]] = {
            "status": [self.changes[index].status for index in moving],
            "valid_from": [self.changes[index].status_since for index in moving]}
        checks = {name: bulk.FieldColumn(MemberStatus, name).check(values)
                  for name, values in columns.items()}
        refused = any(refusals for _changed, refusals in checks.values())
        current_of = self.current.get
        for position, index in enumerate(moving):
            change = self.changes[index]
            since = change.status_since
            if since is None:
                self._refuse(index, ValidationError({"since": _("This value is required.")}))
                continue
            current = current_of(change.member.id)
            if current is not None:
                _id, status, valid_from, _valid_to = current
                if valid_from is not None and since <= valid_from:
                    self._refuse(index, ValidationError({"since": _(
                        "The new status must start after %(date)s, when the current status began."
                    ) % {"date": valid_from.strftime("%d/%m/%Y")}}))
                    continue
                if status == change.status:
                    self._refuse(index, ValidationError({"status": _("The member already has this status.")}))
                    continue
            error = _row_error(columns, checks, position) if refused else None
            if error is not None:
                self._refuse(index, error)


def _periods_of(member_ids: Sequence[int]) -> tuple[dict[int, list[Period]], dict[int, Period]]:
    """Every status period of these members, in _member_snapshot's order, and the open one, by member."""
    periods: dict[int, list[Period]] = {}
    current: dict[int, Period] = {}
    for member_id, *values in bulk.rows_matching(MemberStatus, "member", member_ids, "member", "id", "status",
                                                 "valid_from", "valid_to"):
        period: Period = tuple(values)  # type: ignore[assignment]  # the four columns selected
        found = periods.get(member_id)
        if found is None:
            periods[member_id] = [period]
        else:
            found.append(period)
            found.sort(key=_period_order)
        if period[3] is None:
            current[member_id] = period
    return periods, current


def _period_order(period: Period) -> tuple[bool, datetime.date]:
    """An open start (None) first, as _member_snapshot orders the periods."""
    return period[2] is not None, period[2] or datetime.date.min


def _snapshot_with(member: Member, periods: Iterable[Period]) -> dict[str, object]:
    """_member_snapshot of a member whose status periods are `periods` (already in order)."""
    values = snapshot(member)
    del values["search_key"]
    values["statuses"] = [[status, valid_from and str(valid_from), valid_to and str(valid_to)]
                          for _id, status, valid_from, valid_to in periods]
    return values


@transaction.atomic
def members_bulk_update(
    *,
    actor: User | None,
    changes: Sequence[MemberChange],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Changes many stored members at once, all or none, by member_update's and member_status_change's
    rules; returns how many members it changed.

    A change whose fields differ from the stored member is checked as member_update checks it (the
    editing right on the member's unit and the new one, a unit keeping its members one by one, a
    free code, the fields as full_clean checks them, a plausible birth year); a change with a status
    as member_status_change checks it (a day after the start of the current status, a status other
    than the current one, the new period's fields). A change equal to the stored member and without
    a status writes nothing. If any change breaks a rule, MemberRowsInvalid lists each such change
    (by index) with the first error the single services raise for it, and nothing is written.

    The members, the closed periods and the new ones are written many rows a statement; each changed
    member gets one audit entry whose before and after are the single services' (_member_snapshot):
    a member whose fields and status both change gets one entry from before both to after both,
    where the single services write two. `progress(done)` is called every BULK_BATCH members
    written, `done` counting up to the number of members changed.
    """
    checked = _StoredChanges(actor, changes)
    if checked.errors:
        raise MemberRowsInvalid(dict(sorted(checked.errors.items())))
    position = {index: place for place, index in enumerate(checked.edited)}  # in checked.columns
    changed = [index for index, change in enumerate(changes) if index in position or change.status]
    counters = ledger.track(members=[changes[index].member.id for index in changed])
    # Written a batch at a time, so that the entries' snapshots of one batch only are held at once.
    for start in range(0, len(changed), BULK_BATCH):
        batch = changed[start:start + BULK_BATCH]
        edited = [index for index in batch if index in position]
        _write_batch(actor, [changes[index] for index in batch], [changes[index] for index in edited],
                     {name: [values[position[index]] for index in edited]
                      for name, values in checked.columns.items()}, checked)
        if progress is not None:
            progress(start + len(batch))
    counters.finish()
    return len(changed)


def _write_batch(actor: User | None, changed: Sequence[MemberChange], edited: Sequence[MemberChange],
                 columns: dict[str, list[Any]], checked: _StoredChanges) -> None:
    """Writes the changes of `changed` (`edited`: those that change fields, with their checked
    values in `columns`) and their audit entries."""
    periods, no_periods = checked.periods, list[Period]()
    before = [_snapshot_with(change.member, periods.get(change.member.id, no_periods)) for change in changed]
    _write_fields(edited, columns)
    _move_statuses(changed, periods, checked.current)
    record_changes(actor=actor, action=AuditEntry.Action.UPDATE, changes=[
        Change(record=change.member, unit_path=change.member.unit.path, before=values,
               after=_snapshot_with(change.member, periods.get(change.member.id, no_periods)))
        for change, values in zip(changed, before, strict=True)
    ])


def _write_fields(changes: Sequence[MemberChange], columns: dict[str, list[Any]]) -> None:
    """Writes the checked values of the members whose fields change, and sets them on the instances.

    Only the columns that differ for some member are written (an UPDATE of an indexed column
    rewrites its index entries, even to the same value)."""
    members = [change.member for change in changes]
    differ = [name for name, values in columns.items()
              if any(value != getattr(member, name) for member, value in zip(members, values, strict=True))]
    moved = any(change.unit.id != change.member.unit_id for change in changes)
    for name in differ:
        for member, value in zip(members, columns[name], strict=True):
            setattr(member, name, value)
    if moved:
        for change in changes:
            if change.member.unit_id != change.unit.id:
                change.member.unit = change.unit
    names = ["unit"] * moved + differ
    if names:
        bulk.update_rows(Member, "id", names, [
            (member.id, *(member.unit_id,) * moved, *(getattr(member, name) for name in differ))
            for member in members])


def _move_statuses(changed: Sequence[MemberChange], periods: dict[int, list[Period]],
                   current: dict[int, Period]) -> None:
    """Closes the open period of each member with a new status and opens the new one; `periods`
    become the periods written."""
    closed: list[tuple[int, datetime.date]] = []
    opened: list[tuple[int, str, datetime.date, None]] = []
    for change in changed:
        since = change.status_since
        if not change.status or since is None:
            continue
        member_id = change.member.id
        found = periods.setdefault(member_id, [])
        open_period = current.get(member_id)
        if open_period is not None:
            closed.append((open_period[0], since))
            found[found.index(open_period)] = (*open_period[:3], since)
        found.append((0, change.status, since, None))
        if len(found) > 1 and found[-2][2] is not None and found[-2][2] > since:
            found.sort(key=_period_order)
        opened.append((member_id, change.status, since, None))
    bulk.update_rows(MemberStatus, "id", ("valid_to",), closed)
    bulk.insert_rows(MemberStatus, STATUS_COLUMNS, opened)


def place_member(member: Member, unit: Unit, on: datetime.date, *, decision_id: int | None = None) -> None:
    """Writes a dated move (the caller tracks the counters): the member's unit until `on` becomes an
    earlier placement, and `unit` theirs from that day. Refuses a closed unit, a day before the
    member joined or before their latest move."""
    if not is_open_on(unit.opened_on, unit.closed_on, on):
        raise ValidationError({"unit": _("%(unit)s is not open on %(day)s.") % {
            "unit": unit.name, "day": format_date(on)}})
    joined = member.statuses.aggregate(first=Min("valid_from"))["first"]
    always = member.statuses.filter(valid_from=None).exists()
    if not always and joined is not None and on < joined:
        raise ValidationError({"on": _("%(member)s joined on %(day)s: a move cannot come before.") % {
            "member": member.full_name, "day": format_date(joined)}})
    if member.unit_since is not None and on <= member.unit_since:
        raise ValidationError({"on": _("%(member)s was last moved on %(day)s: a new move must come after.")
                               % {"member": member.full_name, "day": format_date(member.unit_since)}})
    if unit.pk == member.unit_id:
        raise ValidationError({"unit": _("%(member)s is already in %(unit)s.") % {
            "member": member.full_name, "unit": unit.name}})
    MemberPlacement.objects.create(member=member, unit_id=member.unit_id, valid_from=member.unit_since,
                                   valid_to=on, decision_id=decision_id)
    member.unit, member.unit_since = unit, on
    member.save(update_fields=["unit", "unit_since"])


@transaction.atomic
def member_move(*, actor: User | None, member: Member, unit: Unit, on: datetime.date) -> Member:
    """Moves a member to another unit from a day on; their figures before it stay where they were."""
    return members_transfer(actor=actor, members=[member], unit=unit, on=on)[0]


@transaction.atomic
def members_transfer(
    *, actor: User | None, members: Sequence[Member], unit: Unit, on: datetime.date
) -> list[Member]:
    """Moves members to one unit from a day on, all or none (the first refusal names the member)."""
    require_edit(actor, unit)
    locked = list(Member.objects.select_for_update().select_related("unit").filter(
        pk__in=[m.pk for m in members]).order_by("pk"))
    for member in locked:
        require_edit(actor, member.unit)
    counters = ledger.track(members=[m.pk for m in locked])
    befores = {member.pk: _member_snapshot(member) for member in locked}
    for member in locked:
        try:
            place_member(member, unit, on)
        except ValidationError as error:
            raise ValidationError({"members": [_("%(member)s (%(code)s): %(problem)s") % {
                "member": member.full_name, "code": member.code, "problem": " ".join(error.messages)}]}
            ) from error
    counters.finish()
    for member in locked:
        record_change(actor=actor, action="move", record=member, unit_path=unit.path,
                      before=befores[member.pk], after=_member_snapshot(member))
    return locked
