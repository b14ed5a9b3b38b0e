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


def _download(
    request: HttpRequest, pk: int, make: Callable[..., bytes], extension: str, content_type: str,
) -> HttpResponse:
    report = _report(request, pk)
    try:
        content = make(report)
    except documents.DocumentError as error:
        return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(*documents.download_names(report, extension))
    return response


@login_required
@require_GET
@never_cache
def docx_download(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, documents.report_docx, "docx", documents.DOCX_TYPE)


@login_required
@require_GET
@never_cache
def xlsx_download(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, documents.appendix_xlsx, "xlsx", documents.XLSX_TYPE)


@login_required
@require_GET
@never_cache
def pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, documents.report_pdf, "pdf", documents.PDF_TYPE)
