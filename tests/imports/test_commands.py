"""Command line: the roll-up figures as JSON, and import/export of a kind of data by a user."""

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from chuyende.imports import spec
from chuyende.imports.management.commands.import_data import Command as ImportCommand
from chuyende.members.models import Member
from tests.builders import nothing_written
from tests.view_helpers import translated

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    errors = StringIO()
    try:
        call_command(*args, stdout=out, stderr=errors)
    except CommandError as error:
        raise CommandError(f"{error}\n{errors.getvalue()}") from error
    return out.getvalue()


# --- rollup_json ------------------------------------------------------------------------------------


def test_rollup_json_prints_the_district_figures(scenario):
    text = run("rollup_json", "--unit", "BN.HA", "--campaign", scenario.code, "--as-of", "2024-03-31")
    figures = json.loads(text)
    members = figures["party_members"]
    assert (members["studied"], members["eligible"]) == (256, 263)
    assert members["rate"] == "97.34"
    assert figures["unit"] == "BN.HA"
    assert figures["as_of"] == "2024-03-31"
    # Indented, and Vietnamese names printed as letters, not \u escapes.
    assert text.startswith('{\n  "as_of"')
    assert "Hòa Bình" in text


def test_rollup_json_as_of_an_earlier_day_counts_less(scenario):
    early = json.loads(run("rollup_json", "--unit", "BN.HA", "--campaign", scenario.code,
                           "--as-of", "2024-01-01"))
    assert early["party_members"]["studied"] < 256


@pytest.mark.parametrize(("option", "value", "said"), [
    ("--unit", "XX.NOPE", "No unit has the code 'XX.NOPE'"),
    ("--campaign", "NOPE", "No campaign has the code 'NOPE'"),
    ("--as-of", "31/03/2024", "is not a date in the form YYYY-MM-DD"),
])
def test_rollup_json_refuses_unknown_codes_and_bad_dates(scenario, option, value, said):
    arguments = {"--unit": "BN.HA", "--campaign": scenario.code, "--as-of": "2024-03-31", option: value}
    with pytest.raises(CommandError, match=said):
        run("rollup_json", *[part for pair in arguments.items() for part in pair])


# --- export_data / import_data ------------------------------------------------------------------------


FULL = "Đảng viên chính thức"


def members_csv(*rows: str) -> str:
    header = ",".join(column.header for column in spec.MEMBERS.columns)
    return "\n".join([header, *rows]) + "\n"


def test_members_of_hoa_binh_export_then_import_unchanged(users, tmp_path):
    path = tmp_path / "hoa-binh.xlsx"
    said = run("export_data", "members", "--user", users.owner.username, "-o", str(path))
    assert f"Wrote {path}" in said
    workbook = load_workbook(path, read_only=True)
    codes = [row[0] for row in workbook[spec.MEMBERS.title].iter_rows(min_row=2, values_only=True) if row[0]]
    in_hoa_binh = Member.objects.filter(unit__path__startswith=users.owner.unit.path)
    assert sorted(codes) == sorted(in_hoa_binh.values_list("code", flat=True))
    assert not Member.objects.exclude(pk__in=in_hoa_binh).filter(code__in=codes).exists()
    with nothing_written():
        said = run("import_data", "members", str(path), "--user", users.owner.username)
    assert f"{len(codes)} rows; created 0, updated 0, unchanged {len(codes)}." in said


def test_import_data_writes_new_members(users, tmp_path):
    path = tmp_path / "new.csv"
    path.write_text(members_csv(f"HB-NEW-1,Lê Thị Mới,Nữ,1990,BN.HA.HB.DONG,{FULL},,"), encoding="utf-8")
    said = run("import_data", "members", str(path), "--user", users.owner.username)
    assert "created 1, updated 0, unchanged 0." in said
    assert Member.objects.get(code="HB-NEW-1").full_name == "Lê Thị Mới"


def test_import_data_with_problems_exits_1_and_writes_nothing(users, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(members_csv(
        "HB-NEW-1,Lê Thị Mới,Nữ,1990,BN.HA.HB.DONG,Đảng viên chính thức,,",
        "HB-NEW-2,Trần Văn Hai,Nam,năm,BN.HA.HB.DONG,Đảng viên chính thức,,",
    ), encoding="utf-8")
    errors = StringIO()
    with nothing_written(), pytest.raises(CommandError, match="nothing was written"):
        call_command("import_data", "members", str(path), "--user", users.owner.username,
                     stdout=StringIO(), stderr=errors)
    printed = errors.getvalue()
    assert "row 3" in printed
    assert "Năm sinh" in printed
    assert "[năm]" in printed


def test_import_data_keeps_to_the_users_subtree(users, tmp_path):
    path = tmp_path / "elsewhere.csv"
    path.write_text(members_csv(f"HP-NEW-1,Lê Thị Mới,Nữ,1990,BN.HA.HP.PM,{FULL},,"), encoding="utf-8")
    with nothing_written(), pytest.raises(CommandError):
        call_command("import_data", "members", str(path), "--user", users.owner.username,
                     stdout=StringIO(), stderr=StringIO())


def test_import_data_exit_code_is_1_on_problems(users, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(members_csv(f"HB-NEW-2,Trần Văn Hai,Nam,năm,BN.HA.HB.DONG,{FULL},,"), encoding="utf-8")
    command = ImportCommand(stdout=StringIO(), stderr=StringIO())
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["manage.py", "import_data", "members", str(path), "--user",
                               users.owner.username, "--skip-checks"])
    assert exited.value.code == 1


@pytest.mark.parametrize(("arguments", "said"), [
    (["nope", "x.csv", "--user", "t.hb.officer"], "Unknown kind 'nope'"),
    (["members", "x.csv", "--user", "nobody"], "No user is named 'nobody'"),
    (["members", "/nonexistent/x.csv", "--user", "t.hb.officer"], "No file at"),
])
def test_import_data_refuses_bad_arguments(users, arguments, said):
    with pytest.raises(CommandError, match=said):
        run("import_data", *arguments)


def test_import_data_refuses_a_file_that_is_not_a_spreadsheet(users, tmp_path):
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with nothing_written(), pytest.raises(CommandError, match=r"photo\.xlsx"):
        run("import_data", "members", str(path), "--user", users.owner.username)


def test_import_data_refuses_a_file_over_the_limit_before_opening_it(users, tmp_path, settings, monkeypatch):
    settings.IMPORT_UPLOAD_MAX_BYTES = 50 * 1_048_576
    path = tmp_path / "lon.csv"
    with path.open("wb") as handle:
        handle.truncate(100 * 1_048_576)  # sparse: 100 MB long, nothing written on disk
    opened: list[object] = []
    original_open = Path.open

    def watch(self: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(self)
        return original_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", watch)
    with nothing_written(), pytest.raises(CommandError) as refused:
        call_command("import_data", "members", str(path), "--user", users.owner.username)
    assert str(refused.value) == translated(
        "The file is %(size)s MB; the largest allowed is %(limit)s MB.", size="100", limit="50")
    assert path not in opened
