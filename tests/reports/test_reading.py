"""Reading report files for the checker: .docx (paragraphs and tables), PDF with text, plain text;
scanned, damaged, huge and non-document files refused or bounded with a reason."""

import io

import docx
import pytest

from chuyende.reports import reading
from chuyende.reports.reading import UnreadableDocument, read_document
from tests.view_helpers import message


def pdf_with_pages(pages: list[list[str]]) -> bytes:
    """A small PDF with a text layer: each page a few lines (Latin-1 text, one Type1 font)."""
    objects: list[bytes] = []
    kids = []
    for index, lines in enumerate(pages):
        stream = "BT /F1 11 Tf 50 800 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
        content_number = 4 + 2 * index
        page_number = content_number + 1
        objects.append(
            f"{content_number} 0 obj << /Length {len(stream)} >> stream\n{stream}\nendstream endobj".encode(
                "latin-1"
            )
        )
        objects.append(
            f"{page_number} 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Contents {content_number} 0 R /Resources << /Font << /F1 3 0 R >> >> >> endobj".encode()
        )
        kids.append(f"{page_number} 0 R")
    head = [
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj",
        f"2 0 obj << /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >> endobj".encode(),
        b"3 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for obj in head + objects:
        offsets.append(len(body))
        body += obj + b"\n"
    xref = len(body)
    body += f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    body += f"trailer << /Size {len(offsets) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF".encode()
    return body


def test_a_word_file_gives_its_paragraphs_and_table_rows():
    document = docx.Document()
    document.add_paragraph("Có 256/263 đảng viên học tập, đạt 97,34%.")
    table = document.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Xã Hòa Bình", "51/54", "94,44%"), strict=True):
        cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    read = read_document(data=buffer.getvalue())
    assert read.kind == "docx"
    assert read.paragraphs == ["Có 256/263 đảng viên học tập, đạt 97,34%.", "Xã Hòa Bình | 51/54 | 94,44%"]


def test_a_pdf_gives_its_text_with_pages():
    read = read_document(data=pdf_with_pages([["Mo dau."], ["Co 256/263 dang vien, dat 97,34%."]]))
    assert read.kind == "pdf" and (read.pages_read, read.pages_total) == (2, 2) and read.complete
    assert read.paragraphs[-1] == "Co 256/263 dang vien, dat 97,34%."
    assert read.pages[-1] == 2


def test_a_300_page_pdf_is_read_up_to_the_bound_and_says_so(monkeypatch):
    read = read_document(data=pdf_with_pages([[f"Trang {n}: 1 + 1 = 2."] for n in range(1, 301)]))
    assert (read.pages_read, read.pages_total) == (reading.MAX_PDF_PAGES, 300) and not read.complete
    assert read.extent == message("%(read)s/%(total)s pages") % {"read": 100, "total": 300}


def test_a_scanned_pdf_without_text_is_refused_saying_so():
    with pytest.raises(UnreadableDocument) as error:
        read_document(data=pdf_with_pages([[], []]))
    assert str(error.value) == message(
        "The PDF file has no text layer (a scanned document?): the checker reads text only. Send the Word "
        "file, or a PDF saved from it."
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "The file is empty."),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR",
            "The file is not a document: send a .docx, a PDF or a text file.",
        ),
        (b"PK\x03\x04garbage", "The Word file is damaged and cannot be read."),
        (b"%PDF-1.4 garbage", "The PDF file is damaged and cannot be read."),
    ],
)
def test_what_is_not_a_report_is_refused_with_a_reason(data, expected):
    with pytest.raises(UnreadableDocument) as error:
        read_document(data=data)
    assert str(error.value) == message(expected)


def test_a_file_over_the_size_bound_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_BYTES", 10)
    with pytest.raises(UnreadableDocument):
        read_document(data=b"x" * 11)


def test_plain_text_in_utf8_and_utf16():
    text = "Có 256/263 đảng viên.\n\nĐạt 97,34%."
    assert read_document(data=text.encode()).paragraphs == ["Có 256/263 đảng viên.", "Đạt 97,34%."]
    assert read_document(data=text.encode("utf-16")).paragraphs == ["Có 256/263 đảng viên.", "Đạt 97,34%."]
