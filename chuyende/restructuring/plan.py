"""A restructuring plan as a spreadsheet: the template officers fill in, and reading it back into the
operations of a decision. One row an operation; a split takes one row per new unit (rows of the same
split follow one another). Cells are read by the import reader (`chuyende.imports.reading`), and a
bad cell is refused with its row and column, nothing written.
"""

import io
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from chuyende.imports.reading import UnreadableFile, is_blank, read_table
from chuyende.imports.spec import normalise_header
from chuyende.organisation.models import Unit
from chuyende.restructuring.models import Operation
from chuyende.restructuring.services import OperationData

TITLE = "Kế hoạch sắp xếp"
COLUMNS = (  # key, header, help
    ("kind", "Nội dung", gettext_lazy("merge, split, open, close, change, move_members or levels.")),
    ("unit", "Đơn vị", gettext_lazy("Code of the unit concerned; for a merge, the codes of the units "
                                    "merged, separated by semicolons.")),
    ("code", "Mã đơn vị mới", gettext_lazy("Code of the unit opened, merged into or split off.")),
    ("name", "Tên đơn vị", gettext_lazy("Name of the new unit, or the unit's new name.")),
    ("parent", "Đơn vị cấp trên", gettext_lazy("Code of the unit above it from the effective date.")),
    ("kind_of_unit", "Loại đơn vị", gettext_lazy("party_committee, cell or grassroots_cell.")),
    ("tracking", "Cách theo dõi", gettext_lazy("individual (per person) or aggregate (counts).")),
    ("sector", "Loại hình", gettext_lazy("commune, agency, school, health, enterprise, armed_forces or "
                                         "other.")),
    ("successors", "Đơn vị kế thừa", gettext_lazy("For a close: codes of the units that continue it.")),
    ("members", "Đảng viên", gettext_lazy("Codes of members moved (move_members, split).")),
    ("children", "Đơn vị trực thuộc",
     gettext_lazy("For a split: codes of the sub-units the new unit takes.")),
    ("note", "Ghi chú", gettext_lazy("Anything worth keeping with the operation.")),
)
EXAMPLES = (
    ("merge", "BN.HA.HB; BN.HA.HP", "BN.HBP", "Đảng bộ xã Hòa Bình Phú", "BN", "party_committee", "",
     "commune", "", "", "", "Hợp nhất hai xã"),
    ("change", "BN.HA.TT", "", "Đảng bộ xã Hòa An", "BN", "", "", "", "", "", "", ""),
    ("close", "BN.HA", "", "", "", "", "", "", "BN.HBP; BN.HA.TT", "", "", "Kết thúc hoạt động cấp huyện"),
    ("levels", "2", "", "Xã, phường, đặc khu", "", "", "", "", "", "", "", "Cấp thứ 2 đổi tên"),
)


def template_workbook() -> bytes:
    """The plan template: the header, example rows, and an instructions sheet."""
    with translation.override("vi"):
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = TITLE
        sheet.append([header for _key, header, _help in COLUMNS])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in EXAMPLES:
            sheet.append(list(row))
        for index, width in enumerate((14, 26, 16, 30, 16, 16, 14, 22, 22, 22, 24), start=1):
            sheet.column_dimensions[chr(64 + index)].width = width
        notes = workbook.create_sheet("Hướng dẫn")
        notes.append([str(_("Column")), str(_("What to write"))])
        for _key, header, help_text in COLUMNS:
            notes.append([header, str(help_text)])
        notes.append([])
        notes.append([str(_("Replace the example rows with the operations of the decision, in the order "
                            "they are to be applied."))])
        stream = io.BytesIO()
        workbook.save(stream)
        return stream.getvalue()


def _codes(value: Any) -> list[str]:
    return [part.strip() for part in str(value or "").replace(",", ";").split(";") if part.strip()]


def _text(value: Any) -> str:
    return "" if is_blank(value) else str(value).strip()


def read_plan(content: bytes, *, filename: str) -> list[OperationData]:
    """The operations of a filled-in template; ValidationError naming the row and column otherwise."""
    try:
        table = read_table(io.BytesIO(content), filename=filename)
    except UnreadableFile as error:
        raise ValidationError({"plan": [str(error)]}) from error
    with table:
        positions = _positions(table.columns)
        operations: list[OperationData] = []
        for row in table.rows:
            if row.is_empty():
                continue
            values = {key: row.values[index] if index < len(row.values) else None
                      for key, index in positions.items()}
            _add(operations, values, row.number)
    if not operations:
        raise ValidationError({"plan": [_("The plan has no operations.")]})
    return operations


def _positions(headers: Iterable[str]) -> dict[str, int]:
    wanted = {normalise_header(header): key for key, header, _help in COLUMNS}
    positions = {wanted[normalise_header(text)]: index for index, text in enumerate(headers)
                 if normalise_header(text) in wanted}
    for key in ("kind", "unit"):
        if key not in positions:
            header = next(text for name, text, _help in COLUMNS if name == key)
            raise ValidationError({"plan": [_("The plan has no column “%(column)s”.") % {"column": header}]})
    return positions


def _refuse(row: int, column: str, message: str) -> ValidationError:
    header = next(text for key, text, _help in COLUMNS if key == column)
    return ValidationError({"plan": [_("Row %(row)s, column “%(column)s”: %(message)s") % {
        "row": row, "column": header, "message": message}]})


def _add(operations: list[OperationData], values: dict[str, Any], row: int) -> None:
    kind = _text(values.get("kind")).lower()
    if kind not in Operation.Kind.values:
        raise _refuse(row, "kind", _("“%(value)s” is not one of: %(kinds)s.") % {
            "value": kind, "kinds": ", ".join(Operation.Kind.values)})
    unit_kind = _text(values.get("kind_of_unit"))
    if unit_kind and unit_kind not in Unit.Kind.values:
        raise _refuse(row, "kind_of_unit", _("“%(value)s” is not a kind of unit.") % {"value": unit_kind})
    tracking = _text(values.get("tracking"))
    if tracking and tracking not in Unit.Tracking.values:
        raise _refuse(row, "tracking",
                      _("“%(value)s” is not a way of keeping figures.") % {"value": tracking})
    sector = _text(values.get("sector"))
    if sector and sector not in Unit.Sector.values:
        raise _refuse(row, "sector", _("“%(value)s” is not a sector of units.") % {"value": sector})
    units = _codes(values.get("unit"))
    if not units:
        raise _refuse(row, "unit", _("give the unit's code."))
    given = (("code", _text(values.get("code"))), ("name", _text(values.get("name"))),
             ("parent", _text(values.get("parent"))), ("kind", unit_kind), ("tracking", tracking),
             ("sector", sector))
    new = {key: value for key, value in given if value}
    note = _text(values.get("note"))
    data: dict[str, Any]
    if kind == Operation.Kind.MERGE:
        data = {"units": units, "into": new}
    elif kind == Operation.Kind.SPLIT:
        part = {**new, "members": _codes(values.get("members")), "children": _codes(values.get("children"))}
        last = operations[-1] if operations else None
        if last is not None and last.kind == kind and last.data["unit"] == units[0]:
            last.data["into"].append(part)
            return
        data = {"unit": units[0], "into": [part]}
    elif kind == Operation.Kind.OPEN:
        data = new
    elif kind == Operation.Kind.CLOSE:
        data = {"unit": units[0], "successors": _codes(values.get("successors"))}
    elif kind == Operation.Kind.CHANGE:
        data = {"unit": units[0],
                **{k: v for k, v in new.items() if k in ("name", "parent", "kind", "tracking", "sector")}}
    elif kind == Operation.Kind.MOVE_MEMBERS:
        data = {"members": _codes(values.get("members")), "to": units[0]}
    else:
        if not units[0].isdigit() or not new.get("name"):
            raise _refuse(row, "unit", _("for levels, give the depth (1, 2, ...) and the level's new name."))
        data = {"names": {units[0]: new["name"]}}
    operations.append(OperationData(kind=kind, data={**data, "row": row}, note=note))
