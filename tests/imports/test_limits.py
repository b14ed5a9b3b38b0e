"""The bounds of chuyende/imports/limits.py: what each check finds, and a zip member is never trusted."""

import io
import random
import struct
import zipfile

import pytest

from chuyende.imports import limits
from chuyende.imports.limits import Clock, Limits, UnreadableFile

LIMITS = Limits(unpacked_bytes=64 * limits.MB, ratio=100, rows=1000, columns=64, cells=20_000,
                shared_strings=100, seconds=60)


@pytest.mark.parametrize("number", [0, 9, 10, 99, 250_000, 1_048_575, 20_190])
def test_the_pattern_of_greater_numbers_matches_exactly_those(number):
    pattern = limits._row_beyond(number)
    picks = random.Random(number).sample(range(0, 3 * number + 400), 300)
    for candidate in [*picks, number, number + 1, 10 * number + 5]:
        found = pattern.search(f' r="A{candidate}"'.encode()) is not None
        assert found == (candidate > number), candidate


@pytest.mark.parametrize("position", [0, 25, 26, 63, 701, 702, 16383])
def test_the_pattern_of_columns_after_a_column_matches_exactly_those(position):
    pattern = limits._column_beyond(position)
    for candidate in [*range(0, min(position + 800, 20_000), 7), position, position + 1]:
        reference = f' r="{limits.column_letters(candidate)}5"'.encode()
        assert (pattern.search(reference) is not None) == (candidate > position), candidate


def test_column_letters_and_positions_agree():
    for position in (0, 25, 26, 701, 702, 16383):
        assert limits.column_position(limits.column_letters(position)) == position
    assert limits.column_letters(16383) == "XFD"


def _scan(sheet_data: str) -> limits.SheetScan:
    scan = limits.SheetScan(LIMITS, sheet="Dữ liệu", clock=Clock(LIMITS, "f.xlsx"))
    scan.feed(f"<worksheet><sheetData>{sheet_data}</sheetData></worksheet>".encode())
    scan.finish()
    return scan


def test_the_scan_finds_the_last_row_and_column_wherever_they_are_written():
    scan = _scan('<row r="1"><c r="A1"/><c r="BL1"/></row><row r="7"><c r="B300"><v>1</v></c></row>')
    assert (scan.rows, scan.columns) == (300, 64)


@pytest.mark.parametrize("sheet_data", [
    '<row r="1"><c r="BM1"><v>1</v></c></row>',  # column 65
    '<row r="1"><c s="1" r="A1001"/></row>',  # a row beyond the rows, the reference not first
    '<row r="1">' + "<c><v>1</v></c>" * 65 + "</row>",  # cells without a reference
    '<row r="1"><c\nr="ZZ1"/></row>',  # a reference after a line break
    '<row r="400"><c r="BK400"/></row>',  # 400 rows by 63 columns: beyond the cells
])
def test_the_scan_refuses_what_lies_beyond_the_limits(sheet_data):
    with pytest.raises(UnreadableFile):
        _scan(sheet_data)


def test_the_scan_records_formulas_without_a_value_and_error_cells():
    scan = _scan('<row r="2"><c r="A2"><f>1+1</f><v>2</v></c><c r="B2"><f>B1&amp;"x"</f></c>'
                 '<c r="C2" t="e"><v>#N/A</v></c><c r="D2" t="str"><f>A1</f><v></v></c></row>')
    assert scan.specials == {(2, 1): ("f", '=B1&"x"'), (2, 2): ("e", "#N/A"), (2, 3): ("f", "=A1")}


def _lying_archive() -> tuple[bytes, zipfile.ZipInfo]:
    """A member of 2 MB of zeros whose headers declare 1,000 bytes."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (2 * limits.MB))
    data = bytearray(stream.getvalue())
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, 22, 1000)  # the local header's size
    struct.pack_into("<I", data, central + 24, 1000)  # the central directory's
    member = zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[0]
    assert member.file_size == 1000
    return bytes(data), member


def test_a_member_holding_more_than_it_declares_is_refused_as_damaged():
    data, member = _lying_archive()
    with pytest.raises(UnreadableFile) as refused:
        clock = Clock(LIMITS, "f.xlsx")
        b"".join(limits.unpacked_member(io.BytesIO(data), member, name="f.xlsx", clock=clock))
    assert refused.value.message == limits.damaged("f.xlsx").message


def test_the_archive_sizes_are_checked_from_the_central_directory():
    big = zipfile.ZipInfo("content.xml")
    big.file_size, big.compress_size = 200 * limits.MB, 100 * limits.MB
    with pytest.raises(UnreadableFile, match="200 MB"):
        limits.check_archive([big], name="f.ods", limits=LIMITS)
    packed = zipfile.ZipInfo("content.xml")
    packed.file_size, packed.compress_size = 50 * limits.MB, limits.MB // 4
    with pytest.raises(UnreadableFile, match="200"):
        limits.check_archive([packed], name="f.ods", limits=LIMITS)
    small = zipfile.ZipInfo("styles.xml")
    small.file_size, small.compress_size = limits.MB - 1, 10  # small parts are not judged by their ratio
    limits.check_archive([small], name="f.ods", limits=LIMITS)


def test_a_csv_line_with_too_many_fields_is_refused_without_splitting_it():
    with pytest.raises(UnreadableFile, match="65"):
        limits.check_csv_columns("a,b\n" + "x," * 64 + "x\n", delimiter=",", name="f.csv", limits=LIMITS)
    limits.check_csv_columns('a,b\n"' + "," * 100 + '",x\n', delimiter=",", name="f.csv", limits=LIMITS)
