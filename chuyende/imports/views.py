"""Import pages: templates to download, the upload form and the user's recent jobs; the preview of an
uploaded file; the job page with its progress, then its counts or its problems; the annotated copy.

A job is seen by its own user only: anybody else gets a 404. Writes go through imports.services.
"""

import math
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuyende.accounts.permissions import actor_of, can_edit, scope_root
from chuyende.core.exceptions import NotAllowed
from chuyende.core.submissions import submitted_once
from chuyende.core.uploads import refused_upload, upload_limit
from chuyende.imports import services, spec, templates_xlsx
from chuyende.imports.forms import ImportUploadForm, kind_choices, kind_label
from chuyende.imports.models import ImportJob
from chuyende.imports.selectors import job_of, jobs_of
from chuyende.members.forms import apply_service_errors

RECENT_JOBS = 20
PROBLEMS_PER_PAGE = 100
XLSX = templates_xlsx.XLSX_CONTENT_TYPE


def _may_import(request: HttpRequest) -> bool:
    actor = actor_of(request)
    return can_edit(actor, scope_root(actor))


@upload_limit("IMPORT_UPLOAD_MAX_BYTES")
@require_http_methods(["GET", "POST"])
@login_required
@submitted_once
def home_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    may_import = _may_import(request)
    refusal = refused_upload(request) if request.method == "POST" else None
    form = ImportUploadForm(request.POST or None, request.FILES or None, actor=actor,
                            initial={"kind": request.GET.get("kind")},
                            refused=services.refused_upload_error(refusal) if refusal else None)
    if request.method == "POST":
        if not may_import:
            raise NotAllowed
        if form.is_valid():
            try:
                job = services.import_job_create(
                    actor=actor, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"],
                    campaign=form.cleaned_data["campaign"],
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                return redirect("imports:preview", pk=job.pk)
    return render(request, "imports/home.html", {
        "form": form, "may_import": may_import, "kinds": kind_choices(),
        "jobs": list(jobs_of(actor=actor)[:RECENT_JOBS]),
    })


@require_GET
@login_required
def template_page(request: HttpRequest, kind: str) -> HttpResponse:
    """The .xlsx template of a kind of data, to fill in and upload; its unit columns offer the codes
    of the user's subtree."""
    if kind not in spec.KINDS:
        raise Http404
    workbook = templates_xlsx.template_workbook(kind, actor=actor_of(request))
    response = HttpResponse(workbook, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{templates_xlsx.template_filename(kind)}"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def preview_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The detected columns and the first rows; the button starts the import."""
    actor = actor_of(request)
    job = job_of(actor=actor, pk=pk)
    if job.status != ImportJob.Status.UPLOADED:
        return redirect("imports:job", pk=job.pk)
    may_import = _may_import(request)
    if request.method == "POST" and not may_import:
        raise NotAllowed
    preview = services.job_preview(actor=actor, job=job)
    # A file whose rows cannot be read as the template's is not started: the page lists what to
    # correct. Columns the template does not have are only listed: the import lists them too.
    if request.method == "POST" and preview.can_start:
        try:
            services.import_job_start(actor=actor, job=job, rows=services.rows_in(preview))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("imports:job", pk=job.pk)
    return render(request, "imports/preview.html", {
        "job": job, "kind_label": kind_label(job.kind), "preview": preview, "may_import": may_import,
    })


@require_GET
@login_required
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_of(actor=actor_of(request), pk=pk)
    if job.status == ImportJob.Status.UPLOADED:
        return redirect("imports:preview", pk=job.pk)
    done, total = services.read_progress(job)
    context: dict[str, Any] = {
        "job": job, "kind_label": kind_label(job.kind), "done": done, "total": total,
        "status_url": reverse("imports:job_status", args=[job.pk]), "stalled": services.job_is_stalled(job),
    }
    if job.status == ImportJob.Status.FAILED:
        page = Paginator(job.problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
        context.update({"problems": page, "page": page})
    return render(request, "imports/job.html", context)


@require_POST
@login_required
def restart_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Starts again a job cut off by a restart, from the file it stored."""
    actor = actor_of(request)
    job = job_of(actor=actor, pk=pk)
    try:
        services.import_job_restart(actor=actor, job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("imports:job", pk=job.pk)


@require_GET
@login_required
def job_status_page(request: HttpRequest, pk: int) -> JsonResponse:
    """What the job page polls every second while the job is waiting or running."""
    job = job_of(actor=actor_of(request), pk=pk)
    done, total = services.read_progress(job)
    return JsonResponse({
        "status": job.status, "status_label": str(job.get_status_display()), "done": done, "total": total,
        "percent": math.floor(done * 100 / total) if total else 0, "finished": job.is_finished,
        "stalled": services.job_is_stalled(job),
    })


@require_GET
@login_required
def annotated_page(request: HttpRequest, pk: int) -> FileResponse:
    """The uploaded workbook with every problem marked in its cell and listed on a sheet of its own."""
    actor = actor_of(request)
    job = job_of(actor=actor, pk=pk)
    handle = services.open_annotated(actor=actor, job=job)
    return FileResponse(handle, as_attachment=True, filename=services.annotated_name(job), content_type=XLSX)
