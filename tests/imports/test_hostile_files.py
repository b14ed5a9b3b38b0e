"""Acceptance of issue 10: hostile files are refused with a message naming the limit, quickly, in little
memory, writing nothing, through the preview, the import and the upload.

The files are generated here (nothing binary is committed). Time and memory are measured around each
reading: the time bound (5 s) is the issue's bound against runaway work, far above a refusal's real
cost (milliseconds), not a speed target; the memory is the process's peak (VmHWM, reset before)
above its resident size before, since calamine's Rust allocations are invisible to tracemalloc.
"""

import html
import io
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from chuyende.imports import engine, services
from chuyende.imports.models import ImportJob
from tests.builders import nothing_written
from tests.imports.fixtures import converted, headers, ods_file, sheet_file

pytestmark = pytest.mark.usefixtures("db")

MiB = 1_048_576
SECONDS = 5  # the bound against runaway work
MEMORY = 300 * MiB


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(field)


@contextmanager
def bounded() -> Iterator[None]:
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current resident size
    before = _status("VmRSS")
    started = time.monotonic()
    yield
    assert time.monotonic() - started < SECONDS
    assert _status("VmHWM") - before < MEMORY


def header_cells() -> str:
    return "".join(f'<c r="{chr(65 + index)}1" t="inlineStr"><is><t>{text}</t></is></c>'
                   for index, text in enumerate(headers("members")))


def _far_cell(reference: str) -> bytes:
    row = reference.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    far = f'<row r="{row}"><c r="{reference}"><v>1</v></c></row>'
    return sheet_file(f'<row r="1">{header_cells()}</row>{far}')


def _declared_everything() -> bytes:
    return sheet_file(f'<row r="1">{header_cells()}</row>', before='<dimension ref="A1:XFD1048576"/>')


def _expanding(path: Path) -> bytes:
    """A ~1 MB archive whose sheet unpacks to 1 GB of spaces, written a megabyte at a time."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        base = zipfile.ZipFile(io.BytesIO(sheet_file("")))
        for member in base.infolist():
            if member.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(member.filename, base.read(member.filename))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main"><sheetData>')
            spaces = b" " * MiB
            for _megabyte in range(1024):
                sheet.write(spaces)
            sheet.write(b"</sheetData></worksheet>")
    assert path.stat().st_size < 2 * MiB
    return path.read_bytes()


def _shared_strings() -> bytes:
    strings = "".join(f"<si><t>{number}</t></si>" for number in range(1_000_000))
    return sheet_file(f'<row r="1">{header_cells()}</row>', strings=strings)


def _wide_csv() -> bytes:
    return ",".join(headers("members")).encode() + b"\r\n" + b"x," * 1_000_000 + b"x\r\n"


def _ods_repeated() -> bytes:
    header = "".join(f'<table:table-cell office:value-type="string"><text:p>{text}</text:p>'
                     "</table:table-cell>" for text in headers("members"))
    return ods_file(
        f"<table:table-row>{header}</table:table-row>"
        '<table:table-row table:number-rows-repeated="1048575">'
        '<table:table-cell office:value-type="string" table:number-columns-repeated="16384">'
        "<text:p>x</text:p></table:table-cell></table:table-row>"
    )


def _far_xls(folder: Path) -> bytes:
    """An .xls with a value at IV65536, its last cell: written by LibreOffice from an .xlsx."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Đảng viên"
    sheet.append(headers("members"))
    sheet["IV65536"] = 1
    source = folder / "far.xlsx"
    book.save(source)
    return converted([source], "xls", folder / "xls")[source].read_bytes()


# name → (file name, the file's bytes, words the message must hold)
HOSTILE: dict[str, tuple[str, Callable[[Path], bytes], tuple[str, ...]]] = {
    "column ZZZZ": ("zzzz.xlsx", lambda _tmp: _far_cell("ZZZZ2"), ("ZZZZ", "64")),
    "column ZZZZZZ": ("zzzzzz.xlsx", lambda _tmp: _far_cell("ZZZZZZ2"), ("ZZZZZZ", "64")),
    "XFD on row 1,048,576": ("xfd.xlsx", lambda _tmp: _far_cell("XFD1048576"), ("1.048.576", "250.000")),
    "a declared range of the whole sheet": ("dimension.xlsx", lambda _tmp: _declared_everything(),
                                            ("A1:XFD1048576",)),
    "1 MB expanding to 1 GB": ("bomb.xlsx", lambda tmp: _expanding(tmp / "bomb.xlsx"), ("1.02", "512 MB")),
    "1,000,000 shared strings": ("strings.xlsx", lambda _tmp: _shared_strings(), ("600.000",)),
    "a CSV with 1,000,000 columns": ("wide.csv", lambda _tmp: _wide_csv(), ("1.000.001", "64")),
    "an .ods repeating a value over 16,384 columns": ("repeated.ods", lambda _tmp: _ods_repeated(),
                                                       ("XFD", "64")),
    "an .xls with a cell at IV65536": ("far.xls", _far_xls, ("IV65536", "64")),
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, tuple[str, bytes, tuple[str, ...]]]:
    folder = tmp_path_factory.mktemp("hostile")
    return {case: (filename, build(folder), words) for case, (filename, build, words) in HOSTILE.items()}


def _says_the_limit(message: str, words: tuple[str, ...]) -> None:
    assert all(word in message for word in words), message


@pytest.mark.parametrize("case", list(HOSTILE))
def test_the_preview_refuses_it(hostile, case):
    filename, data, words = hostile[case]
    with nothing_written(), bounded():
        preview = engine.preview(data, filename=filename, kind="members")
    assert [(problem.row, problem.column) for problem in preview.problems] == [(None, "")]
    _says_the_limit(preview.problems[0].message, words)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_the_import_refuses_it(actors, hostile, case):
    filename, data, words = hostile[case]
    with nothing_written(), bounded():
        result = engine.run_import(actor=actors.owner, kind="members", file=data, filename=filename)
    assert [(problem.row, problem.column) for problem in result.problems] == [(None, "")]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    _says_the_limit(result.problems[0].message, words)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_the_upload_refuses_it_or_its_preview_does(actors, hostile, case):
    """An archive beyond the limits is refused at the upload (its central directory says so); the
    other files need reading, which the upload does not do: their job's preview refuses them."""
    filename, data, words = hostile[case]
    message: Any = None
    with bounded():
        try:
            job = services.import_job_create(actor=actors.owner, kind="members",
                                             upload=SimpleUploadedFile(filename, data))
        except ValidationError as error:
            [message] = error.message_dict["file"]
            assert not ImportJob.objects.exists()
        else:
            with nothing_written():
                preview = services.job_preview(actor=actors.owner, job=job)
            [problem] = preview.problems
            message = problem.message
    _says_the_limit(message, words)


def test_the_expanding_archive_is_refused_at_the_upload(actors, hostile):
    filename, data, _words = hostile["1 MB expanding to 1 GB"]
    with pytest.raises(ValidationError):
        services.import_job_create(actor=actors.owner, kind="members",
                                   upload=SimpleUploadedFile(filename, data))


@pytest.mark.parametrize("case", list(HOSTILE))
def test_the_pages_answer_with_the_message_never_a_500(actors, client_for, hostile, settings, tmp_path, case):
    """Through the pages as a user does it: the upload form refuses the file, or its preview page shows
    the message and offers no start; nothing written either way."""
    settings.MEDIA_ROOT = tmp_path / "media"
    filename, data, words = hostile[case]
    client = client_for(actors.owner)
    with nothing_written():
        response = client.post(reverse("imports:home"),
                               {"kind": "members", "file": SimpleUploadedFile(filename, data)})
        if response.status_code == 200:
            page = response.content.decode()
            assert not ImportJob.objects.exists()
        else:
            assert response.status_code == 302
            response = client.get(response["Location"])
            assert response.status_code == 200
            page = response.content.decode()
            assert '<form method="post">' not in page  # no button to start it
    _says_the_limit(html.unescape(page), words)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_the_job_runner_ends_the_job_failed_with_the_message(actors, hostile, settings, tmp_path, case):
    """Started anyway (a client of the API can start without reading the preview): the runner's run
    refuses it, the job ends failed with the message, and no annotated copy is made of it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    filename, data, words = hostile[case]
    try:
        job = services.import_job_create(actor=actors.owner, kind="members",
                                         upload=SimpleUploadedFile(filename, data))
    except ValidationError:
        return  # refused at the upload: test_the_upload_refuses_it_or_its_preview_does
    with nothing_written(), bounded():
        services.import_job_start(actor=actors.owner, job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    [problem] = job.problems
    _says_the_limit(problem["message"], words)
    assert not job.annotated
