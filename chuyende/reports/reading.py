"""The text of a report file for the claim checker: a .docx, a PDF with a text layer, or plain text.

Files come from units that do not use the product, so nothing about them is trusted: the kind is
read from the bytes, not the name; a PDF is read for at most `MAX_PDF_PAGES` pages and
`MAX_PDF_SECONDS` seconds, and the result says how much was read; a scanned PDF (no text layer)
and anything that is not a document are refused with a sentence saying so.
"""

import io
import time
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_BYTES = 20 * 1024 * 1024
MAX_PDF_PAGES = 100
MAX_PDF_SECONDS = 20.0


class UnreadableDocument(Exception):
    """The file cannot be read as a report; the message says why, for people."""


@dataclass(frozen=True)
class ReadDocument:
    kind: str  # "docx", "pdf" or "text"
    paragraphs: list[str]
    pages: list[int | None]  # each paragraph's page (PDF), else None
    pages_read: int | None = None
    pages_total: int | None = None

    @property
    def complete(self) -> bool:
        return self.pages_read == self.pages_total

    @property
    def extent(self) -> str:
        """What was read, for people: "120 đoạn" or "100/300 trang"."""
        if self.pages_total is None:
            return _("%(count)s paragraphs") % {"count": len(self.paragraphs)}
        return _("%(read)s/%(total)s pages") % {"read": self.pages_read, "total": self.pages_total}


def read_document(*, data: bytes) -> ReadDocument:
    if not data.strip():
        raise UnreadableDocument(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise UnreadableDocument(_("The file is larger than 20 MB."))
    if data.startswith(b"%PDF"):
        return _read_pdf(data)
    if data.startswith(b"PK"):
        return _read_docx(data)
    return read_plain_text(_decode(data))


def read_plain_text(text: str) -> ReadDocument:
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    if not paragraphs:
        raise UnreadableDocument(_("The text is empty."))
    return ReadDocument(kind="text", paragraphs=paragraphs, pages=[None] * len(paragraphs))


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise UnreadableDocument(_("The file is not a document: send a .docx, a PDF or a text file."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableDocument(
            _("The file is not a document: send a .docx, a PDF or a text file.")
        ) from error


def _read_docx(data: bytes) -> ReadDocument:
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise UnreadableDocument(
                    _("The file is not a Word document (.docx): send a .docx, a PDF or a text file.")
                )
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as error:
        raise UnreadableDocument(_("The Word file is damaged and cannot be read.")) from error
    paragraphs = [p.text.strip() for p in document.paragraphs if p.text.strip()]
    for table in document.tables:
        for row in table.rows:
            cells = [cell.text.strip() for cell in row.cells if cell.text.strip()]
            # A row of a figures table reads as one line: "Xã A | 51/54 | 94,44%".
            if cells:
                paragraphs.append(" | ".join(dict.fromkeys(cells)))
    if not paragraphs:
        raise UnreadableDocument(_("The Word file has no text."))
    return ReadDocument(kind="docx", paragraphs=paragraphs, pages=[None] * len(paragraphs))


def _read_pdf(data: bytes) -> ReadDocument:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        total = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, OSError) as error:
        raise UnreadableDocument(_("The PDF file is damaged and cannot be read.")) from error
    paragraphs: list[str] = []
    pages: list[int | None] = []
    started = time.monotonic()
    read = 0
    for number, page in enumerate(reader.pages, start=1):
        if number > MAX_PDF_PAGES or time.monotonic() - started > MAX_PDF_SECONDS:
            break
        try:
            text = page.extract_text() or ""
        except (PyPdfError, ValueError, KeyError, TypeError) as error:
            raise UnreadableDocument(
                _("Page %(page)s of the PDF file cannot be read.") % {"page": number}
            ) from error
        read = number
        for paragraph in _pdf_paragraphs(text):
            paragraphs.append(paragraph)
            pages.append(number)
    if not paragraphs:
        raise UnreadableDocument(
            _(
                "The PDF file has no text layer (a scanned document?): the checker reads text only. Send "
                "the Word file, or a PDF saved from it."
            )
        )
    return ReadDocument(kind="pdf", paragraphs=paragraphs, pages=pages, pages_read=read, pages_total=total)


def _pdf_paragraphs(text: str) -> list[str]:
    """A page's lines joined into paragraphs: a line that does not end a sentence runs on."""
    paragraphs: list[str] = []
    current = ""
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
            continue
        current = f"{current} {line}" if current else line
        if line.endswith((".", ":", "!", "?", ";")) and len(line) < 60:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs
