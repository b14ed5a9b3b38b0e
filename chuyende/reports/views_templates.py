"""Report template pages: the templates of the user's subtree and the one in use, the default template
to download and change in Word, uploading a unit's own variant, putting one in use or stopping it,
deleting it.

Every user of the subtree sees the list and downloads the files; administrators and officers change
them (403 for the other roles); another subtree's template is a 404. Writes via reports.services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from chuyende.accounts.permissions import actor_of, can_manage_templates, require_template_manager, scope_root
from chuyende.core.exceptions import NotAllowed
from chuyende.core.submissions import submitted_once
from chuyende.members.forms import apply_service_errors, offered_units
from chuyende.reports import selectors, services
from chuyende.reports.documents import DOCX_TYPE, ascii_name
from chuyende.reports.forms import ReportTemplateUploadForm
from chuyende.reports.layout import DEFAULT_TEMPLATE_PATH, default_template
from chuyende.reports.models import ReportTemplate
from chuyende.reports.templating import field_meanings
from chuyende.reports.views_documents import content_disposition


def _template_or_404(request: HttpRequest, pk: int) -> ReportTemplate:
    """A template of a unit of the user's subtree; any other is a 404, as if it did not exist."""
    return get_object_or_404(selectors.templates_visible_to(actor=actor_of(request)), pk=pk)


def _docx_response(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX_TYPE)
    stem = file_name.removesuffix(".docx")
    response["Content-Disposition"] = content_disposition(f"{ascii_name(stem)}.docx", f"{stem}.docx")
    return response


@login_required
@require_GET
def list_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    root = scope_root(actor)
    templates = list(selectors.templates_visible_to(actor=actor)
                     .order_by("unit__path", "-uploaded_at", "-pk"))
    in_use = selectors.template_in_use(unit=root)
    return render(request, "reports/templates.html", {
        "templates": templates,
        "in_use": in_use,
        "root": root,
        "can_manage": can_manage_templates(actor, root),
        "fields": field_meanings(),
        # Here rather than in the page: Django's template language would read the braces as its own tags.
        "intro": _(
            "The Word file of a report is filled in from a template. The default one follows Hướng dẫn "
            "36-HD/VPTW; a unit can use its own: download the default template, change it in Word (keep "
            "the tags in braces, such as %(example)s), then upload it."
        ) % {"example": "{{ summary }}"},
        "fields_help": _(
            "Write a field in braces, e.g. %(field)s. A list is printed one paragraph per item between a "
            "paragraph “%(start)s” and a paragraph “%(end)s”, as in the default template."
        ) % {"field": "{{ unit_name }}", "start": "{%p for line in tasks %}", "end": "{%p endfor %}"},
    })


@login_required
@require_GET
@never_cache
def default_download(request: HttpRequest) -> HttpResponse:
    """The default template, to change in Word and upload back as the unit's own."""
    return _docx_response(default_template(), DEFAULT_TEMPLATE_PATH.name)


@login_required
@require_GET
@never_cache
def download(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template_or_404(request, pk)
    content = ReportTemplate.objects.values_list("content", flat=True).get(pk=template.pk)
    return _docx_response(bytes(content), template.file_name)


@login_required
@submitted_once
def upload_page(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = ReportTemplateUploadForm(request.POST or None, request.FILES or None, actor=actor,
                                    initial={"unit": actor.unit})
    # Validate first: an id from outside the subtree is a 404 whatever the role.
    valid = request.method == "POST" and form.is_valid()
    if not offered_units(form):
        raise NotAllowed
    if valid:
        data = form.cleaned_data
        try:
            template = services.report_template_upload(actor=actor, unit=data["unit"], file=data["file"],
                                                       name=data["name"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _(
                "The template “%(name)s” has been checked and is now used for the reports of %(unit)s and "
                "of the units below it that have no template of their own."
            ) % {"name": template.name, "unit": template.unit.name})
            return redirect("reports:templates")
    return render(request, "reports/template_upload.html", {"form": form})


@login_required
@require_POST
def set_active(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    template = _template_or_404(request, pk)
    active = request.POST.get("active") == "1"
    services.report_template_set_active(actor=actor, template=template, active=active)
    if active:
        messages.success(request, _("The template “%(name)s” is now used for the reports of %(unit)s.")
                         % {"name": template.name, "unit": template.unit.name})
    else:
        messages.success(request, _(
            "The template “%(name)s” is no longer used: the reports of %(unit)s use the template of the "
            "level above, or the default one."
        ) % {"name": template.name, "unit": template.unit.name})
    return redirect("reports:templates")


@login_required
def delete_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    template = _template_or_404(request, pk)
    require_template_manager(actor, template.unit)
    if request.method == "POST":
        services.report_template_delete(actor=actor, template=template)
        messages.success(request, _("The template “%(name)s” has been deleted.") % {"name": template.name})
        return redirect("reports:templates")
    return render(request, "reports/template_delete.html", {"template": template})
