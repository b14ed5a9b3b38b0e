"""The annotated copy of a refused file, and the preview of a file before importing it."""

import io
import os
from typing import Any

import pytest
from openpyxl import load_workbook

from chuyende.imports import annotate, engine
from tests.imports.fixtures import headers, kind_csv, template_with, workbook

pytestmark = pytest.mark.usefixtures("db")

MEMBER = {"code": "HB-NEW-1", "full_name": "Lê Thị Mới", "sex": "female", "birth_year": 1990,
          "unit": "BN.HA.HB.DONG", "membership": "full"}


def problems_of(actor, data: bytes, filename: str = "f.xlsx") -> list[engine.ImportProblem]:
    result = engine.run_import(actor=actor, kind="members", file=data, filename=filename)
    assert result.problems
    return result.problems


def reopened(data: bytes | None):
    assert data is not None, "no annotated copy"
    return load_workbook(io.BytesIO(data))


def test_problem_cells_are_red_with_the_message_as_comment(actors):
    data = template_with("members", {**MEMBER, "birth_year": "năm"},
                         {**MEMBER, "code": "HB-NEW-2", "unit": "XX"})
    problems = problems_of(actors.owner, data)
    copy = reopened(annotate.annotated_copy(data, "dang-vien.xlsx", problems))
    assert copy.sheetnames[0] == "Lỗi"
    sheet = copy["Đảng viên"]
    for problem in problems:
        cell = sheet[f"{problem.letter}{problem.row}"]
        assert cell.fill.fgColor.rgb.endswith("FFC7CE")
        assert cell.comment is not None and problem.message in cell.comment.text
    assert sheet["B2"].comment is None


def test_the_problems_sheet_lists_sheet_row_column_value_and_message(actors):
    data = template_with("members", {**MEMBER, "birth_year": "năm"})
    problems = problems_of(actors.owner, data)
    copy = reopened(annotate.annotated_copy(data, "f.xlsx", problems))
    listed = [[cell.value for cell in row] for row in copy["Lỗi"]]
    assert len(listed) == 1 + len(problems)
    assert listed[1][:4] == ["Đảng viên", 2, "Năm sinh (D)", "năm"]
    assert listed[1][4] == problems[0].message


def test_problems_as_stored_dicts_are_accepted(actors):
    data = template_with("members", {**MEMBER, "birth_year": "năm"})
    problems = [problem.as_dict() for problem in problems_of(actors.owner, data)]
    copy = reopened(annotate.annotated_copy(data, "f.xlsx", problems))
    assert copy["Đảng viên"]["D2"].comment is not None


def test_formulas_are_shown_as_quoted_text_and_merged_cells_kept_where_they_are(actors):
    rows: list[list[Any]] = [
        headers("members")[:6],
        ["HB-NEW-1", "Lê Thị Mới", "Nữ", "=1980+10", "BN.HA.HB.DONG", "Đảng viên chính thức"],
        ["HB-NEW-2", "Lê Thị Hai", "Nữ", 1991, "BN.HA.HB.DONG", "Đảng viên chính thức"],
    ]
    formulas = workbook(rows)
    copy = reopened(annotate.annotated_copy(formulas, "f.xlsx", problems_of(actors.owner, formulas)))
    formula = copy["Dữ liệu"]["D2"]
    assert (formula.value, formula.data_type) == ("'=1980+10", "s")  # where it was, shown, never run
    assert formula.comment is not None
    listed = [[cell.value for cell in row] for row in copy["Lỗi"]]
    assert listed[1][3] == "'=1980+10"  # shown, never run
    merged = workbook([rows[0], rows[2], rows[2]], merged=["E2:E3"])
    copy = reopened(annotate.annotated_copy(merged, "f.xlsx", problems_of(actors.owner, merged)))
    assert "E2:E3" in copy["Dữ liệu"]["E2"].comment.text


def test_a_csv_file_becomes_a_workbook(actors):
    data = kind_csv("members", {**MEMBER, "birth_year": "năm"})
    problems = problems_of(actors.owner, data, "dang-vien.csv")
    copy = reopened(annotate.annotated_copy(data, "dang-vien.csv", problems))
    assert copy.sheetnames == ["Lỗi", "dang-vien"]
    assert copy["dang-vien"]["A2"].value == "HB-NEW-1"
    assert copy["dang-vien"]["D2"].comment is not None


def test_an_unreadable_file_gives_no_copy(actors):
    data = os.urandom(2000)
    problems = problems_of(actors.owner, data, "x.xlsx")
    assert annotate.annotated_copy(data, "x.xlsx", problems) is None


def test_an_annotated_copy_imports_again_once_corrected(actors):
    data = template_with("members", {**MEMBER, "birth_year": "năm"})
    copy = reopened(annotate.annotated_copy(data, "f.xlsx", problems_of(actors.owner, data)))
    copy["Đảng viên"]["D2"].value = 1990
    stream = io.BytesIO()
    copy.save(stream)
    result = engine.run_import(actor=actors.owner, kind="members", file=stream.getvalue(), filename="f.xlsx")
    assert (result.created, result.problems) == (1, [])


# --- preview ----------------------------------------------------------------------------------------


def test_preview_shows_the_detected_columns_and_first_rows():
    rows = [{**MEMBER, "code": f"HB-NEW-{n}"} for n in range(15)]
    preview = engine.preview(template_with("members", *rows), filename="f.xlsx", kind="members", rows=10)
    assert [(c.letter, c.header, c.key) for c in preview.columns[:2]] == [
        ("A", "Mã đảng viên", "code"), ("B", "Họ và tên", "full_name")]
    assert [row.number for row in preview.rows] == list(range(2, 12))
    assert preview.rows[0].cells[:4] == ["HB-NEW-0", "Lê Thị Mới", "Nữ", "1990"]
    assert preview.total_rows == 15
    assert preview.problems == []


def test_preview_reports_the_header_problems():
    names = headers("members")
    names[3] = "Năm sinh của đảng viên"
    preview = engine.preview(workbook([names, ["HB-NEW-1"]]), filename="f.xlsx", kind="members")
    assert [(p.row, p.column) for p in preview.problems] == [(1, "Năm sinh của đảng viên (D)"), (1, "")]
    assert preview.columns[3].key is None
    assert "Năm sinh" in preview.missing


def test_preview_of_a_file_that_is_not_a_spreadsheet():
    preview = engine.preview(b"hello", filename="f.xlsx", kind="members")
    assert [(p.row, p.column) for p in preview.problems] == [(None, "")]
    assert preview.columns == []
