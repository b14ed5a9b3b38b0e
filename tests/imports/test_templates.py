"""Templates: Vietnamese headers (bold, frozen, sized), drop-down lists of Vietnamese labels, dates as
dd/mm/yyyy, an instructions sheet; a template filled in a spreadsheet imports back."""

import io

import pytest
from openpyxl import load_workbook

from chuyende.imports import engine, spec
from chuyende.imports.reading import choice_labels
from chuyende.imports.spec import normalise_header
from chuyende.imports.templates_xlsx import template_filename, template_workbook
from chuyende.members.models import Member

KINDS = list(spec.KINDS)


def opened(kind: str):
    return load_workbook(io.BytesIO(template_workbook(kind)))


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
    book = opened("members")
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


def test_the_empty_template_previews_without_problems():
    for kind in KINDS:
        preview = engine.preview(template_workbook(kind), filename="mau.xlsx", kind=kind)
        assert preview.problems == [], kind
        assert preview.rows == []
        assert [column.key for column in preview.columns] == [
            column.key for column in spec.KINDS[kind].columns]
