"""Bad input: each file gets precise problems naming the row and column, and nothing is written."""

import datetime
import io
import os
import time
import zipfile
from decimal import Decimal
from typing import Any

import pytest

from chuyende.accounts.models import User
from chuyende.imports import engine
from chuyende.imports.reading import CellError, Formula, parse_date, parse_decimal, parse_int
from chuyende.members.models import Member
from chuyende.organisation.models import Unit
from chuyende.outreach.models import Outreach
from tests.builders import nothing_written
from tests.imports.fixtures import (
    csv_file,
    fast_xlsx,
    headers,
    kind_csv,
    kind_workbook,
    template_with,
    workbook,
)

pytestmark = pytest.mark.usefixtures("db")
D = datetime.date

MEMBER = {"code": "HB-NEW-1", "full_name": "Lê Thị Mới", "sex": "female", "birth_year": 1990,
          "unit": "BN.HA.HB.DONG", "membership": "full", "status": "active"}
# Columns of the members template: A code, B name, C sex, D birth year, E unit, F membership, G status,
# H status since.


def refused(actor: User, kind: str, data: bytes, filename: str = "file.xlsx",
            **options) -> list[engine.ImportProblem]:
    """Imports expecting problems; asserts that nothing was written and returns the problems."""
    with nothing_written():
        result = engine.run_import(actor=actor, kind=kind, file=data, filename=filename, **options)
    assert result.problems, "the file was accepted"
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert all(problem.message for problem in result.problems)
    return result.problems


def accepted(actor: User, kind: str, data: bytes, filename: str = "file.xlsx") -> engine.ImportResult:
    result = engine.run_import(actor=actor, kind=kind, file=data, filename=filename)
    assert result.problems == []
    return result


def where(problems: list[engine.ImportProblem]) -> list[tuple[int | None, str]]:
    return [(problem.row, problem.column) for problem in problems]


# --- files that are not spreadsheets -------------------------------------------------------------


def test_random_bytes_named_xlsx(actors):
    problems = refused(actors.owner, "members", os.urandom(4096), "dang-vien.xlsx")
    assert where(problems) == [(None, "")]
    assert "dang-vien.xlsx" in problems[0].message


def test_corrupted_zip(actors):
    whole = template_with("members", MEMBER)
    problems = refused(actors.owner, "members", whole[: len(whole) // 2], "dang-vien.xlsx")
    assert where(problems) == [(None, "")]


def test_zip_without_a_workbook_inside(actors):
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    problems = refused(actors.owner, "members", stream.getvalue(), "dang-vien.xlsx")
    assert where(problems) == [(None, "")]


def test_an_old_excel_file_renamed(actors):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(1000)
    problems = refused(actors.owner, "members", data, "dang-vien.xlsx")
    assert ".xls" in problems[0].message


def test_a_pdf_is_not_a_spreadsheet(actors):
    problems = refused(actors.owner, "members", b"%PDF-1.7\n...", "dang-vien.pdf")
    assert where(problems) == [(None, "")]


def test_an_empty_file(actors):
    refused(actors.owner, "members", b"", "dang-vien.csv")


def test_a_workbook_named_csv(actors):
    problems = refused(actors.owner, "members", template_with("members", MEMBER), "dang-vien.csv")
    assert where(problems) == [(None, "")]


def test_a_csv_file_with_a_nul_far_into_it(actors):
    rows = [{**MEMBER, "code": f"HB-NEW-{index}"} for index in range(2000)]
    rows[-1]["full_name"] = "Lê\x00Thị"
    data = kind_csv("members", *rows)
    assert data.index(b"\x00") > 65536
    problems = refused(actors.owner, "members", data, "dang-vien.csv")
    assert where(problems) == [(None, "")]


def test_a_csv_file_not_in_utf8(actors):
    data = kind_csv("members", MEMBER, encoding="cp1258", errors="replace", bom=False)
    problems = refused(actors.owner, "members", data, "dang-vien.csv")
    assert "UTF-8" in problems[0].message


def test_a_sheet_with_a_header_and_no_rows(actors):
    problems = refused(actors.owner, "members", template_with("members"))
    assert where(problems) == [(None, "")]


def test_an_empty_sheet(actors):
    problems = refused(actors.owner, "members", workbook([]))
    assert where(problems) == [(None, "")]


# --- columns ---------------------------------------------------------------------------------------


def test_a_missing_required_column(actors):
    rows = [[value for index, value in enumerate(row) if index != 3]
            for row in ([*headers("members")], ["HB-NEW-1", "Lê Thị Mới", "Nữ", 1990, "BN.HA.HB.DONG",
                                                 "Đảng viên chính thức", None, None])]
    problems = refused(actors.owner, "members", workbook(rows))
    assert [(p.row, p.column) for p in problems] == [(1, "")]
    assert "Năm sinh" in problems[0].message


def test_a_renamed_column_is_named_with_its_letter_and_the_header_it_should_have(actors):
    names = headers("members")
    names[3] = "Năm sinh của đảng viên"
    problems = refused(actors.owner, "members", workbook([names, ["HB-NEW-1", "Lê Thị Mới", "Nữ", 1990,
                                                                   "BN.HA.HB.DONG", "Đảng viên chính thức"]]))
    assert where(problems) == [(1, "Năm sinh của đảng viên (D)"), (1, "")]
    assert "Năm sinh" in problems[0].message  # the header it probably means
    assert "Năm sinh" in problems[1].message  # the required column missing


def test_an_extra_column(actors):
    names = [*headers("members"), "Quê quán"]
    problems = refused(actors.owner, "members", workbook([names, ["HB-NEW-1", "Lê Thị Mới", "Nữ", 1990,
                                                                   "BN.HA.HB.DONG", "Đảng viên chính thức",
                                                                   None, None, "Hòa An"]]))
    assert where(problems) == [(1, "Quê quán (I)")]


def test_a_column_twice(actors):
    names = [*headers("members"), "Họ và tên"]
    problems = refused(actors.owner, "members", workbook([names]))
    assert where(problems) == [(1, "Họ và tên (I)")]


def test_a_value_outside_the_table(actors):
    row = ["HB-NEW-1", "Lê Thị Mới", "Nữ", 1990, "BN.HA.HB.DONG", "Đảng viên chính thức", None, None, None,
           "ghi chú"]
    problems = refused(actors.owner, "members", workbook([headers("members"), row]))
    assert where(problems) == [(2, "J")]


def test_headers_differing_in_case_diacritics_and_spaces_are_matched(actors):
    names = ["MA DANG VIEN", " họ  và tên ", "giới tính", "Nam sinh", "mã đơn vị", "LOẠI ĐẢNG VIÊN"]
    result = accepted(actors.owner, "members", workbook([names, ["HB-NEW-1", "Lê Thị Mới", "nữ", 1990,
                                                                  "BN.HA.HB.DONG", "dang vien chinh thuc"]]))
    assert result.created == 1
    member = Member.objects.get(code="HB-NEW-1")
    assert (member.sex, member.membership) == ("female", "full")


# --- cells -----------------------------------------------------------------------------------------


def test_formulas_are_refused_on_their_cell(actors):
    rows: list[list[Any]] = [headers("members"),
            ["HB-NEW-1", "Lê Thị Mới", "Nữ", "=1980+10", "BN.HA.HB.DONG", "Đảng viên chính thức"],
            ["HB-NEW-2", '=CONCATENATE("Lê"," Hai")', "Nữ", 1991, "BN.HA.HB.DONG", "Đảng viên chính thức"]]
    problems = refused(actors.owner, "members", workbook(rows))
    assert where(problems) == [(2, "Năm sinh (D)"), (3, "Họ và tên (B)")]
    assert problems[0].value == "=1980+10"
    assert all("ormula" in p.message or "công thức" in p.message.lower() for p in problems)


def test_merged_cells_are_refused_naming_the_range(actors):
    rows: list[list[Any]] = [headers("members"),
            ["HB-NEW-1", "Lê Thị Mới", "Nữ", 1990, "BN.HA.HB.DONG", "Đảng viên chính thức"],
            ["HB-NEW-2", "Lê Thị Hai", "Nữ", 1991, None, "Đảng viên chính thức"]]
    problems = refused(actors.owner, "members", workbook(rows, merged=["E2:E3"]))
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "E", "E2:E3")]
    assert "E2:E3" in problems[0].message


def test_an_excel_error_value(actors):
    rows = [headers("members"),
            ["HB-NEW-1", "Lê Thị Mới", "Nữ", "#REF!", "BN.HA.HB.DONG", "Đảng viên chính thức"]]
    problems = refused(actors.owner, "members", workbook(rows))  # openpyxl stores "#REF!" as an error cell
    assert where(problems) == [(2, "Năm sinh (D)")]
    assert "#REF!" in problems[0].message


@pytest.mark.parametrize(("key", "value", "column"), [
    ("birth_year", "năm chín mươi", "Năm sinh (D)"),
    ("birth_year", "1990,5", "Năm sinh (D)"),
    ("sex", "Không rõ", "Giới tính (C)"),
    ("full_name", "", "Họ và tên (B)"),
    ("unit", 12.5, "Mã đơn vị (E)"),
])
def test_wrong_values_name_their_cell(actors, key, value, column):
    problems = refused(actors.owner, "members", kind_workbook("members", {**MEMBER, key: value}))
    assert where(problems) == [(2, column)]


def test_dates_as_text_and_as_excel_serials_are_accepted(actors):
    rows = [{"campaign": "CD2024", "unit": "BN.HA.HB", "held_on": held_on, "channel": "oral", "sessions": 1,
             "reach": 10, "note": f"ngày {n}"}
            for n, held_on in enumerate(
                ["02/05/2024", "3/5/2024", "2024-05-04", 45417, "45418", D(2024, 5, 7)])]
    data = kind_workbook("outreach", *rows)
    result = accepted(actors.owner, "outreach", data)
    assert result.created == 6
    days = sorted(Outreach.objects.filter(note__startswith="ngày ").values_list("held_on", flat=True))
    assert days == [D(2024, 5, day) for day in range(2, 8)]


def test_dates_that_are_not_dates(actors):
    rows = [{"campaign": "CD2024", "unit": "BN.HA.HB", "held_on": held_on, "channel": "oral", "sessions": 1}
            for held_on in ("31/02/2024", "tháng 5", "05/2024", 9_999_999)]
    problems = refused(actors.owner, "outreach", kind_workbook("outreach", *rows))
    assert where(problems) == [(row, "Ngày (C)") for row in (2, 3, 4, 5)]


def test_numbers_with_vietnamese_thousands_separators(actors):
    rows = [{"campaign": "CD2024", "unit": "BN.HA.HB", "held_on": D(2024, 5, 2), "channel": "oral",
             "sessions": 2, "reach": "1.234"},
            {"campaign": "CD2024", "unit": "BN.HA.HB", "held_on": D(2024, 5, 3), "channel": "oral",
             "sessions": 2, "reach": "12 345"}]
    accepted(actors.owner, "outreach", kind_csv("outreach", *rows, delimiter=";"), "tuyen-truyen.csv")
    stored = Outreach.objects.filter(held_on__in=[D(2024, 5, 2), D(2024, 5, 3)]).order_by("reach")
    assert list(stored.values_list("reach", flat=True)) == [1234, 12345]


def test_empty_rows_are_skipped_and_rows_keep_their_numbers(actors):
    row = ["HB-NEW-1", "Lê Thị Mới", "Nữ", 1990, "BN.HA.HB.DONG", "Đảng viên chính thức"]
    bad = ["HB-NEW-2", "Lê Thị Hai", "Nữ", "x", "BN.HA.HB.DONG", "Đảng viên chính thức"]
    rows: list[list[Any]] = [headers("members")[:6], [], row, [None, "  ", None], [], bad]
    problems = refused(actors.owner, "members", workbook(rows))
    assert where(problems) == [(6, "Năm sinh (D)")]
    result = accepted(actors.owner, "members", workbook(rows[:5]))
    assert result.created == 1


# --- codes -----------------------------------------------------------------------------------------


def test_duplicate_codes_name_both_rows(actors):
    data = template_with("members", MEMBER, {**MEMBER, "full_name": "Khác"})
    problems = refused(actors.owner, "members", data)
    assert where(problems) == [(3, "Mã đảng viên (A)")]
    assert "2" in problems[0].message and "3" in problems[0].message


def test_duplicate_returns_name_both_rows(actors):
    row = {"campaign": "CD2024", "unit": "BN.HA.HB", "as_of": D(2024, 3, 15), "expected": 10, "studied": 9}
    problems = refused(actors.owner, "non_member_returns", template_with("non_member_returns", row, row))
    assert where(problems) == [(3, "Số liệu tính đến ngày (C)")]


def test_unit_codes_outside_the_scope_read_like_unknown_codes(actors):
    outside = refused(actors.owner, "members", template_with("members", {**MEMBER, "unit": "BN.HA.HP.PM"}))
    unknown = refused(actors.owner, "members", template_with("members", {**MEMBER, "unit": "XX.KHONG.CO"}))
    assert where(outside) == where(unknown) == [(2, "Mã đơn vị (E)")]
    assert outside[0].message.replace("BN.HA.HP.PM", "X") == unknown[0].message.replace("XX.KHONG.CO", "X")


def test_a_parent_outside_the_scope(actors):
    unit = {"code": "BN.HA.HB.NEW", "name": "Chi bộ mới", "kind": "cell", "parent": "BN.HA.HP"}
    problems = refused(actors.owner, "units", template_with("units", unit))
    assert where(problems) == [(2, "Mã đơn vị cấp trên (D)")]


def test_a_member_of_another_subtree_is_not_listed(actors):
    row = {"campaign": "CD2024", "event": "E3", "site_unit": "BN.HA.HB", "member": "THPT-01"}
    problems = refused(actors.owner, "attendance", template_with("attendance", row))
    assert where(problems) == [(2, "Mã đảng viên (D)")]


def test_a_reporter_cannot_change_units(actors):
    unit = {"code": "BN.HA.HB.NEW", "name": "Chi bộ mới", "kind": "cell", "parent": "BN.HA.HB"}
    problems = refused(actors.reporter, "units", template_with("units", unit))
    assert where(problems) == [(2, "Mã đơn vị (A)")]


def test_an_unknown_campaign(actors):
    row = {"campaign": "CD1999", "unit": "BN.HA.HB", "as_of": D(2024, 3, 15), "expected": 10, "studied": 9}
    problems = refused(actors.owner, "non_member_returns", template_with("non_member_returns", row))
    assert where(problems) == [(2, "Mã đợt học tập (A)")]


def test_a_service_refusal_rolls_back_the_rows_before_it(actors):
    good = {"campaign": "CD2024", "unit": "BN.HA.HB", "held_on": D(2024, 5, 2), "channel": "oral",
            "sessions": 2}
    bad = {**good, "held_on": D(2025, 5, 2)}  # after the campaign
    problems = refused(actors.owner, "outreach", template_with("outreach", good, good, bad))
    assert where(problems) == [(4, "Ngày (C)")]


# --- size ------------------------------------------------------------------------------------------


def _big_workbook(rows: int, last: list) -> bytes:
    member: list[Any] = ["Nguyễn Văn Số", "Nam", 1980, "BN.HA.HB.DONG", "Đảng viên chính thức"]
    body = ([f"BIG-{n:06d}", *member] for n in range(rows - 1))
    return fast_xlsx([headers("members")[:6], *body, last], title="Đảng viên")


def test_fifty_thousand_rows_are_checked_without_error(actors):
    repeated = ["BIG-000007", "Trùng mã", "Nam", 1980, "BN.HA.HB.DONG", "Đảng viên chính thức"]
    data = _big_workbook(50_000, repeated)
    started = time.monotonic()
    problems = refused(actors.owner, "members", data)
    assert time.monotonic() - started < 120
    assert where(problems) == [(50_001, "Mã đảng viên (A)")]
    assert "9" in problems[0].message and "50001" in problems[0].message.replace(".", "")


# --- reading single cells --------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "value"), [
    (1234, 1234), (1234.0, 1234), ("1234", 1234), ("1.234", 1234), ("1.234.567", 1234567), ("12 345", 12345),
    ("-5", -5), (" 7 ", 7), ("1.234,0", 1234), (None, None), ("", None),
])
def test_whole_numbers(raw, value):
    assert parse_int(raw) == value


@pytest.mark.parametrize("raw", ["1,5", "12.34", "1.2345", "abc", 1.5, True, D(2024, 1, 1), Formula("=1")])
def test_not_whole_numbers(raw):
    with pytest.raises(CellError):
        parse_int(raw)


@pytest.mark.parametrize(("raw", "value"), [
    ("96,5", Decimal("96.5")), ("1.234,56", Decimal("1234.56")), ("97.34", Decimal("97.34")),
    (96.5, Decimal("96.5")),
    ("1.234", Decimal(1234)), (3, Decimal(3)),
])
def test_decimals(raw, value):
    assert parse_decimal(raw) == value


@pytest.mark.parametrize(("raw", "value"), [
    ("15/03/2024", D(2024, 3, 15)), ("5/3/2024", D(2024, 3, 5)), ("15-03-2024", D(2024, 3, 15)),
    ("15.03.2024", D(2024, 3, 15)), ("2024-03-15", D(2024, 3, 15)), ("2024-03-15 00:00:00", D(2024, 3, 15)),
    (45366, D(2024, 3, 15)), (45366.0, D(2024, 3, 15)), ("45366", D(2024, 3, 15)),
    (datetime.datetime(2024, 3, 15), D(2024, 3, 15)), (D(2024, 3, 15), D(2024, 3, 15)),
])
def test_dates(raw, value):
    assert parse_date(raw) == value


@pytest.mark.parametrize("raw", ["31/02/2024", "15/03/24", "03/2024", "hôm qua", 0, -3, 10_000_000, True])
def test_not_dates(raw):
    with pytest.raises(CellError):
        parse_date(raw)


def test_scope_fixture_sanity(actors):
    assert actors.owner.unit == Unit.objects.get(code="BN.HA.HB")


def test_a_title_above_the_table_is_passed_over(actors):
    rows: list[list[Any]] = [
        ["DANH SÁCH ĐẢNG VIÊN CHI BỘ THÔN ĐÔNG"], [],
        headers("members")[:6],
        ["HB-NEW-1", "Lê Thị Mới", "Nữ", 1990, "BN.HA.HB.DONG", "Đảng viên chính thức"],
        ["HB-NEW-2", "Lê Thị Hai", "Nữ", "x", "BN.HA.HB.DONG", "Đảng viên chính thức"],
    ]
    problems = refused(actors.owner, "members", workbook(rows, merged=["A1:F1"]))
    assert where(problems) == [(5, "Năm sinh (D)")]
    csv_rows = [rows[0], rows[2], rows[3]]
    result = accepted(actors.owner, "members", csv_file(csv_rows), "dang-vien.csv")
    assert result.created == 1


def test_a_user_without_a_unit_sees_no_unit(actors):
    stranger = User.objects.create(username="s.nobody", role="admin")
    problems = refused(stranger, "members", template_with("members", MEMBER))
    assert where(problems) == [(2, "Mã đơn vị (E)")]
