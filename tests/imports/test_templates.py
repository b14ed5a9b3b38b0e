"""Templates: Vietnamese headers (bold, frozen, sized), drop-down lists of Vietnamese labels, dates as
dd/mm/yyyy, an instructions sheet; unit columns offer the codes of the user's subtree from the hidden
lists sheet; a template filled in a spreadsheet imports back."""

import io

import pytest
from openpyxl import load_workbook

from chuyende.imports import dump, engine, spec
from chuyende.imports.reading import choice_labels
from chuyende.imports.spec import normalise_header
from chuyende.imports.templates_xlsx import template_filename, template_workbook
from chuyende.members.models import Member

KINDS = list(spec.KINDS)
UNIT_KINDS = [kind for kind, sheet in spec.KINDS.items() if sheet.unit_columns]
HOA_BINH = [  # the subtree of BN.HA.HB in tree order, with names
    ("BN.HA.HB", "Đảng bộ xã Hòa Bình"), ("BN.HA.HB.DONG", "Chi bộ thôn Đông"),
    ("BN.HA.HB.TAY", "Chi bộ thôn Tây"), ("BN.HA.HB.TH", "Chi bộ Trường Tiểu học Hòa Bình"),
]
INSTRUCTIONS_HEADER = ["Cột", "Tiêu đề cột", "Bắt buộc", "Định dạng", "Giá trị được chấp nhận", "Ví dụ",
                       "Cách ghi"]


def opened(kind: str, actor=None):
    return load_workbook(io.BytesIO(template_workbook(kind, actor=actor)))


def validations_of(data) -> dict:
    return {str(validation.sqref): validation for validation in data.data_validations.dataValidation}


def listed(book, formula: str) -> list:
    """The values of the lists sheet range a list validation points at."""
    sheet_part, cells = formula.split("!")
    assert sheet_part == "'Danh mục'"
    first, last = cells.replace("$", "").split(":")
    return [row[0].value for row in book["Danh mục"][f"{first}:{last}"]]


def unit_lists(book) -> list[tuple[str, str]]:
    """The (code, name) pairs of the lists sheet's unit columns."""
    rows = list(book["Danh mục"].iter_rows(values_only=True))
    code_at, name_at = rows[0].index("Mã đơn vị"), rows[0].index("Tên đơn vị")
    return [(row[code_at], row[name_at]) for row in rows[1:] if row[code_at] is not None]


@pytest.mark.parametrize("kind", KINDS)
def test_the_instructions_header_names_the_column_header_not_a_document_header(kind, actors):
    notes = opened(kind, actors.owner)["Hướng dẫn"]
    rows = [[cell.value for cell in row] for row in notes.iter_rows()]
    header = next(row for row in rows if row[0] == "Cột")
    assert header[:7] == INSTRUCTIONS_HEADER
    assert not any("Phần đầu văn bản" in str(value) for row in rows for value in row if value)
    assert all(cell.font.bold for cell in notes[rows.index(header) + 1][:7])


@pytest.mark.parametrize("kind", UNIT_KINDS)
def test_unit_columns_offer_exactly_the_codes_of_the_users_subtree(kind, actors):
    book = opened(kind, actors.owner)
    sheet = spec.KINDS[kind]
    validations = validations_of(book[sheet.title])
    for index, column in enumerate(sheet.columns, start=1):
        if not column.unit_list:
            continue
        letter = book[sheet.title].cell(1, index).column_letter
        validation = validations[f"{letter}2:{letter}1048576"]
        assert (validation.type, validation.errorStyle, validation.showErrorMessage) == (
            "list", column.unit_list, True)
        assert "đơn vị" in validation.error  # the Vietnamese message
        assert listed(book, validation.formula1) == [code for code, _name in HOA_BINH]
    assert unit_lists(book) == HOA_BINH
    assert book["Danh mục"].sheet_state == "hidden"
    everything = {value for row in book["Danh mục"].iter_rows(values_only=True) for value in row}
    assert not {value for value in everything if str(value).startswith("BN.HA.HP")}  # Hòa Phú's
    assert "BN.HA" not in everything  # nor the district above


def test_another_subtree_gets_its_own_codes(actors):
    book = opened("member_returns", actors.outsiders["viewer"])
    codes = [code for code, _name in unit_lists(book)]
    assert codes[0] == "BN.HA.HP" and all(code.startswith("BN.HA.HP") for code in codes)
    assert not set(codes) & {code for code, _name in HOA_BINH}


def test_a_stored_unit_is_chosen_but_a_parent_may_be_added_by_the_same_file():
    assert spec.MEMBERS.column("unit").unit_list == "stop"
    assert spec.EVENTS.column("site_unit").unit_list == "stop"
    assert spec.UNITS.column("parent").unit_list == "warning"
    assert spec.UNITS.column("code").unit_list is None  # a new unit's own code is not chosen
    assert [column.key for column in spec.MATERIALS.unit_columns] == ["sender", "recipient"]
    assert not spec.PLEDGES.unit_columns


def test_the_units_parent_warns_in_vietnamese(actors):
    book = opened("units", actors.owner)
    validation = validations_of(book["Đơn vị"])["D2:D1048576"]
    assert (validation.type, validation.errorStyle) == ("list", "warning")
    assert validation.error.startswith("Mã này không thuộc các đơn vị của bạn")
    assert listed(book, validation.formula1) == [code for code, _name in HOA_BINH]


def test_choice_lists_keep_their_place_beside_the_unit_codes(actors):
    book = opened("events", actors.owner)
    validations = validations_of(book["Buổi học tập"])
    assert listed(book, validations["E2:E1048576"].formula1) == choice_labels(spec.EVENTS.column("format"))
    assert listed(book, validations["G2:G1048576"].formula1) == ["Có", "Không"]


def test_the_instructions_tell_where_to_look_a_code_up(actors):
    rows = [row[1] for row in opened("members", actors.owner)["Hướng dẫn"].iter_rows(values_only=True)
            if len(row) > 1 and row[1]]
    note = next(text for text in rows if "mã đơn vị" in text)
    assert "4 đơn vị" in note and "“Danh mục”" in note and "trang Đơn vị" in note


def test_a_sheet_without_unit_columns_lists_no_units(actors):
    book = opened("pledges", actors.owner)
    assert "Mã đơn vị" not in next(book["Danh mục"].iter_rows(values_only=True))


def test_without_a_user_unit_columns_have_no_list(db):
    book = opened("members")
    validation = validations_of(book["Đảng viên"])["E2:E1048576"]
    assert validation.type is None
    assert "Mã đơn vị" not in next(book["Danh mục"].iter_rows(values_only=True))


def test_a_filled_export_offers_the_same_codes(actors):
    book = load_workbook(io.BytesIO(dump.dump_workbook("members", actor=actors.owner)))
    assert book["Đảng viên"].max_row > 1  # Hòa Bình's members
    validation = validations_of(book["Đảng viên"])["E2:E1048576"]
    assert validation.errorStyle == "stop"
    assert listed(book, validation.formula1) == [code for code, _name in HOA_BINH]
    assert unit_lists(book) == HOA_BINH


@pytest.mark.parametrize("kind", KINDS)
def test_the_template_opens_with_its_sheets(kind):
    book = opened(kind)
    sheet = spec.KINDS[kind]
    assert book.sheetnames == [sheet.title, "Hướng dẫn", "Danh mục"]
    assert book["Danh mục"].sheet_state == "hidden"
    assert book.active is not None and book.active.title == sheet.title
    assert len(sheet.title) <= 31


@pytest.mark.parametrize("kind", KINDS)
def test_headers_are_the_vietnamese_headers_bold_and_frozen(kind):
    data = opened(kind)[spec.KINDS[kind].title]
    columns = spec.KINDS[kind].columns
    assert [cell.value for cell in data[1]] == [column.header for column in columns]
    assert all(cell.font.bold for cell in data[1])
    assert data.freeze_panes == "A2"
    assert data.max_row == 1
    for index, column in enumerate(columns, start=1):
        assert data.column_dimensions[data.cell(1, index).column_letter].width == column.width


@pytest.mark.parametrize("kind", KINDS)
def test_headers_are_distinct_even_folded(kind):
    names = [name for column in spec.KINDS[kind].columns for name in column.names()]
    assert len(names) == len(set(names))
    headers = [normalise_header(column.header) for column in spec.KINDS[kind].columns]
    assert len(headers) == len(set(headers))


@pytest.mark.parametrize("kind", KINDS)
def test_choice_columns_offer_their_vietnamese_labels(kind):
    book = opened(kind)
    data = book[spec.KINDS[kind].title]
    lists = book["Danh mục"]
    validations = {str(validation.sqref): validation for validation in data.data_validations.dataValidation}
    for index, column in enumerate(spec.KINDS[kind].columns, start=1):
        letter = data.cell(1, index).column_letter
        validation = validations[f"{letter}2:{letter}1048576"]
        if column.choices:
            assert validation.type == "list"
            sheet_part, cells = validation.formula1.split("!")
            assert sheet_part == "'Danh mục'"
            first, last = cells.replace("$", "").split(":")
            listed = [row[0].value for row in lists[first:last]]
            assert listed == choice_labels(column)
        elif column.kind == "int":
            assert (validation.type, validation.operator, validation.formula1) == (
                "whole", "greaterThanOrEqual", "0")
        assert validation.prompt == str(column.help)[:250]


def test_labels_are_vietnamese():
    assert choice_labels(spec.MEMBERS.column("sex")) == ["Nam", "Nữ"]
    assert "Trực tuyến" in choice_labels(spec.EVENTS.column("format"))


@pytest.mark.parametrize("kind", KINDS)
def test_date_columns_are_formatted_as_dates(kind):
    data = opened(kind)[spec.KINDS[kind].title]
    for index, column in enumerate(spec.KINDS[kind].columns, start=1):
        if column.kind == "date":
            letter = data.cell(1, index).column_letter
            assert data.column_dimensions[letter].number_format == "DD/MM/YYYY"


@pytest.mark.parametrize("kind", KINDS)
def test_the_instructions_sheet_explains_every_column(kind):
    notes = opened(kind)["Hướng dẫn"]
    rows = [[cell.value for cell in row] for row in notes.iter_rows()]
    sheet = spec.KINDS[kind]
    assert sheet.title in rows[0][0]
    by_header = {row[1]: row for row in rows if len(row) > 1 and row[1]}
    for index, column in enumerate(sheet.columns, start=1):
        row = by_header[column.header]
        assert row[0] == notes.cell(1, index).column_letter  # the column's letter
        assert row[2] in ("Có", "Không", "Yes", "No")
        assert bool(row[3])  # the format
        if column.choices:
            assert row[4] == "; ".join(choice_labels(column))
        assert row[6] == (str(column.help) or None)


def test_template_file_name():
    assert template_filename("member_returns") == "mau-nhap-member-returns.xlsx"


def test_a_template_filled_in_a_spreadsheet_imports_back(actors):
    book = opened("members", actors.owner)
    data = book["Đảng viên"]
    data.append(["HB-T-1", "Hoàng Thị Mẫu", "Nữ", 1988, "BN.HA.HB.TAY", "Đảng viên dự bị", "Đang sinh hoạt"])
    data.append(["HB-T-2", "Hoàng Văn Mẫu", "Nam", "1.985", "BN.HA.HB.TAY", "Đảng viên chính thức"])
    stream = io.BytesIO()
    book.save(stream)
    result = engine.run_import(actor=actors.owner, kind="members", file=stream.getvalue(),
                               filename="mau.xlsx")
    assert (result.created, result.problems) == (2, [])
    member = Member.objects.get(code="HB-T-1")
    assert (member.sex, member.membership, member.unit.code) == ("female", "probationary", "BN.HA.HB.TAY")
    assert Member.objects.get(code="HB-T-2").birth_year == 1985


def test_the_empty_template_previews_without_problems(actors):
    for kind in KINDS:
        preview = engine.preview(template_workbook(kind, actor=actors.owner), filename="mau.xlsx", kind=kind)
        assert preview.problems == [], kind
        assert preview.rows == []
        assert [column.key for column in preview.columns] == [
            column.key for column in spec.KINDS[kind].columns]
