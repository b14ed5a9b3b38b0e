"""Files for import tests, generated in the tests (no binary file is kept in the repository)."""

import csv
import io
import subprocess
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from chuyende.imports.reading import choice_labels
from chuyende.imports.spec import sheet_of
from chuyende.imports.templates_xlsx import write_workbook


def headers(kind: str) -> list[str]:
    return [column.header for column in sheet_of(kind).columns]


def label(kind: str, key: str, value: str) -> str:
    """The Vietnamese label of a choice value, as the template's drop-down list offers it."""
    column = sheet_of(kind).column(key)
    values = [choice for choice, _label in column.choices or ()]
    return choice_labels(column)[values.index(value)]


def _row(kind: str, values: dict[str, Any]) -> list[Any]:
    sheet = sheet_of(kind)
    unknown = set(values) - set(sheet.by_key)
    assert not unknown, unknown
    row = []
    for column in sheet.columns:
        value = values.get(column.key)
        if column.choices and value in {choice for choice, _label in column.choices}:
            value = label(kind, column.key, value)
        row.append(value)
    return row


def template_with(kind: str, *rows: dict[str, Any]) -> bytes:
    """The template of `kind` filled with rows given as {column key: value} (choices as values)."""
    return write_workbook(kind, [_row(kind, values) for values in rows])


def workbook(rows: Iterable[Sequence[Any]], *, title: str = "Dữ liệu", merged: Sequence[str] = (),
             extra_sheets: Sequence[str] = ()) -> bytes:
    """A plain workbook (normal mode: a text starting with "=" is stored as a formula)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for ref in merged:
        sheet.merge_cells(ref)
    for name in extra_sheets:
        book.create_sheet(name)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def kind_workbook(kind: str, *rows: dict[str, Any], **options: Any) -> bytes:
    """A plain workbook with the template's headers and rows given as {column key: value}."""
    return workbook([headers(kind), *(_row(kind, values) for values in rows)], **options)


def csv_file(rows: Iterable[Sequence[Any]], *, delimiter: str = ",", bom: bool = True,
             encoding: str = "utf-8", errors: str = "strict") -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return (("\ufeff" if bom else "") + text.getvalue()).encode(encoding, errors=errors)


def kind_csv(kind: str, *rows: dict[str, Any], **options: Any) -> bytes:
    return csv_file([headers(kind), *(_row(kind, values) for values in rows)], **options)


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def _xml_cell(reference: str, value: Any) -> str:
    from xml.sax.saxutils import escape

    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{reference}"><v>{value}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def fast_xlsx(rows: Iterable[Sequence[Any]], *, title: str = "Dữ liệu") -> bytes:
    """A minimal .xlsx written directly (text and numbers only): for very large test files."""
    import zipfile
    from xml.sax.saxutils import quoteattr

    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(index + 1) for index in range(64)]
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    for number, row in enumerate(rows, start=1):
        cells = "".join(_xml_cell(f"{letters[index]}{number}", value) for index, value in enumerate(row))
        parts.append(f'<row r="{number}">{cells}</row>')
    parts.append("</sheetData></worksheet>")
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK.replace('"{title}"', quoteattr(title)))
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", "".join(parts))
    return stream.getvalue()


def kind_csv_of(kind: str, keys: Sequence[str], *rows: dict[str, Any]) -> bytes:
    """A CSV file with only some of the template's columns (keys), in that order."""
    sheet = sheet_of(kind)
    full = [_row(kind, values) for values in rows]
    positions = [list(sheet.by_key).index(key) for key in keys]
    header = [sheet.column(key).header for key in keys]
    return csv_file([header, *([row[index] for index in positions] for row in full)])


def sheet_file(sheet_data: str, *, before: str = "", after: str = "", strings: str | None = None) -> bytes:
    """A workbook whose sheet XML is written here (sheetData's inside, what comes before and after)."""
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           f"{before}<sheetData>{sheet_data}</sheetData>{after}</worksheet>")
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        content_types, rels = CONTENT_TYPES, WORKBOOK_RELS
        if strings is not None:
            content_types = content_types.replace("</Types>", (
                '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
            rels = rels.replace("</Relationships>", (
                '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
            archive.writestr("xl/sharedStrings.xml", (
                '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                f'spreadsheetml/2006/main">{strings}</sst>'))
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK.replace("{title}", "Đảng viên"))
        archive.writestr("xl/_rels/workbook.xml.rels", rels)
        archive.writestr("xl/worksheets/sheet1.xml", xml)
    return stream.getvalue()


def converted(sources: list[Path], extension: str, folder: Path) -> dict[Path, Path]:
    """The files converted by LibreOffice to `extension` ("xls", "ods") in `folder`: one soffice run for
    all of them (Debian package libreoffice-calc-nogui), with a profile of its own."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{folder}/profile",
         "--convert-to", extension, "--outdir", str(folder), *map(str, sources)],
        check=True, capture_output=True, timeout=300,
    )
    return {source: folder / f"{source.stem}.{extension}" for source in sources}


ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def ods_file(table_rows: str, *, table: str = "Đảng viên") -> bytes:
    """A minimal .ods whose one table `table` holds the `table_rows` XML (table:table-row elements)."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{table}">{table_rows}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        archive.writestr("content.xml", content)
    return stream.getvalue()
