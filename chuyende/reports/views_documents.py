"""Downloads of a report: the .docx, the .xlsx appendix and the .pdf, for users who may read its unit."""

from collections.abc import Callable
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from chuyende.accounts.permissions import actor_of, require_read
from chuyende.reports import documents
from chuyende.reports.models import Report


def _report(request: HttpRequest, pk: int) -> Report:
    """The report, if the user may read its unit; a 404 otherwise, as if it did not exist."""
    report = get_object_or_404(Report.objects.select_related("unit", "campaign"), pk=pk)
    require_read(actor_of(request), report.unit)
    return report


def content_disposition(ascii_name: str, full_name: str) -> str:
    """An ASCII file name for old clients and the Vietnamese one (RFC 5987) for the others."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(full_name, safe='')}"


# Extension -> (name of the function of `documents` that makes the file, content type); looked up when
# called, so a test may replace the function.
KINDS: dict[str, tuple[str, str]] = {
    "docx": ("report_docx", documents.DOCX_TYPE),
    "xlsx": ("appendix_xlsx", documents.XLSX_TYPE),
    "pdf": ("report_pdf", documents.PDF_TYPE),
}


def document_response(report: Report, extension: str) -> HttpResponse:
    """The report's .docx, .xlsx or .pdf as a download, for the pages and the API alike. Raises
    documents.DocumentError when the file cannot be made."""
    name, content_type = KINDS[extension]
    make: Callable[[Report], bytes] = getattr(documents, name)
    response = HttpResponse(make(report), content_type=content_type)
    response["Content-Disposition"] = content_disposition(*documents.download_names(report, extension))
    return response


def _download(request: HttpRequest, pk: int, extension: str) -> HttpResponse:
    report = _report(request, pk)
    try:
        return document_response(report, extension)
    except documents.DocumentError as error:
        return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
@never_cache
def docx_download(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "docx")


@login_required
@require_GET
@never_cache
def xlsx_download(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "xlsx")


@login_required
@require_GET
@never_cache
def pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "pdf")
