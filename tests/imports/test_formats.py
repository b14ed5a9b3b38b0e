"""Acceptance of issue 10: .xls and .ods files of each template import to the same records as the .xlsx.

Each kind of the Hòa An scenario is written to its template (.xlsx), converted by LibreOffice to .xls
and .ods (one soffice run per format for all the files), and each file is imported back into the
database it came from: every row must read as the stored record (unchanged), exactly as the .xlsx
does, and nothing is written.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from chuyende.accounts.models import User
from chuyende.imports import dump, engine, spec
from chuyende.organisation.models import Unit
from tests.builders import nothing_written
from tests.imports.fixtures import converted

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture(scope="module")
def files(scenario_module, django_db_blocker, tmp_path_factory) -> Iterator[dict[str, dict[str, Path]]]:
    """kind → extension → the file of that kind in that format."""
    folder = tmp_path_factory.mktemp("formats")
    with django_db_blocker.unblock():
        actor = User.objects.create(username="bn.formats", unit=Unit.objects.get(code="BN"), role="admin")
        sources = {}
        for kind in spec.KINDS:
            path = folder / f"{kind}.xlsx"
            path.write_bytes(dump.dump_workbook(kind, actor=actor))
            sources[kind] = path
        by_kind = {kind: {"xlsx": path} for kind, path in sources.items()}
        for extension in ("xls", "ods"):
            for source, target in converted(list(sources.values()), extension, folder / extension).items():
                by_kind[source.stem][extension] = target
        yield by_kind


@pytest.fixture
def province_admin() -> User:
    return User.objects.get(username="bn.formats")


def imported(actor: User, kind: str, path: Path) -> engine.ImportResult:
    with nothing_written():
        result = engine.run_import(actor=actor, kind=kind, file=path.read_bytes(), filename=path.name)
    assert result.problems == [], (path.name, result.problems[:3])
    return result


@pytest.mark.parametrize("extension", ["xls", "ods"])
@pytest.mark.parametrize("kind", list(spec.KINDS))
def test_each_template_imports_the_same_records_from_xls_and_ods(files, province_admin, kind, extension):
    expected = imported(province_admin, kind, files[kind]["xlsx"])
    assert expected.rows > 0
    result = imported(province_admin, kind, files[kind][extension])
    assert (result.rows, result.created, result.updated, result.unchanged) == (
        expected.rows, 0, 0, expected.rows)


@pytest.mark.parametrize("extension", ["xls", "ods"])
def test_the_preview_of_xls_and_ods_shows_the_same_columns_and_rows(files, extension):
    expected = engine.preview(files["members"]["xlsx"], filename="dang-vien.xlsx", kind="members")
    preview = engine.preview(files["members"][extension], filename=f"dang-vien.{extension}", kind="members")
    assert preview.problems == []
    assert [column.key for column in preview.columns] == [column.key for column in expected.columns]
    shown = [(row.number, row.cells) for row in expected.rows]
    assert [(row.number, row.cells) for row in preview.rows] == shown
