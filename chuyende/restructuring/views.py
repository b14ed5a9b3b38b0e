from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chuyende.accounts.permissions import actor_of, can_edit, can_manage_structure, require_read, scope_root
from chuyende.core.submissions import submitted_once
from chuyende.exports.tables import XLSX_CONTENT_TYPE
from chuyende.restructuring import services
from chuyende.restructuring.forms import DecisionForm
from chuyende.restructuring.models import Decision
from chuyende.restructuring.plan import read_plan, template_workbook
from chuyende.restructuring.selectors import decisions_visible_to


@login_required
def decision_list(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    return render(request, "restructuring/list.html", {
        "decisions": decisions_visible_to(actor=user),
        "can_create": can_manage_structure(user) and can_edit(user, scope_root(user)),
    })


@login_required
def plan_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(template_workbook(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="mau-ke-hoach-sap-xep.xlsx"'
    return response


@login_required
@submitted_once
def decision_create_page(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    root = scope_root(user)
    form = DecisionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["plan"]
        try:
            operations = read_plan(upload.read(), filename=upload.name)
            data = {key: form.cleaned_data[key] for key in ("number", "issued_on", "issuer", "title",
                                                              "effective_on")}
            decision = services.decision_create(actor=user, unit=root, operations=operations, **data)
        except ValidationError as error:
            form.add_error(None, error) if not hasattr(error, "error_dict") else _add_errors(form, error)
        else:
            messages.success(request, _("The decision has been saved as a draft: check the preview, then "
                                        "apply it."))
            return redirect("restructuring:detail", pk=decision.pk)
    return render(request, "restructuring/form.html", {"form": form})


def _add_errors(form: DecisionForm, error: ValidationError) -> None:
    for field, messages_of in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_of)


@login_required
def decision_detail(request: HttpRequest, pk: int, *,
                    errors: dict[str, list[str]] | None = None) -> HttpResponse:
    user = actor_of(request)
    decision = get_object_or_404(Decision.objects.select_related("unit"), pk=pk)
    require_read(user, decision.unit)
    can_manage = can_manage_structure(user) and can_edit(user, decision.unit)
    preview = None
    if decision.state == Decision.State.DRAFT and can_manage:
        preview = services.decision_preview(actor=user, decision=decision)
    operations = list(decision.operations.all())
    return render(request, "restructuring/detail.html", {
        "decision": decision, "operations": operations, "preview": preview, "can_manage": can_manage,
        "errors": _numbered(errors or (preview.errors if preview else {}), operations),
    }, status=400 if errors else 200)


def _numbered(errors: dict[str, list[str]], operations: list) -> list[str]:  # type: ignore[type-arg]
    """Messages with the operation's number and its row in the plan file."""
    lines = []
    for key, found in errors.items():
        prefix = ""
        if key.startswith("operations["):
            index = int(key[len("operations["):-1])
            row = operations[index].data.get("row") if index < len(operations) else None
            if row:
                prefix = _("Operation %(number)s (row %(row)s of the plan): ") % {
                    "number": index + 1, "row": row}
            else:
                prefix = _("Operation %(number)s: ") % {"number": index + 1}
        lines += [prefix + message for message in found]
    return lines


@login_required
@require_POST
def decision_apply_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _step(request, pk, services.decision_apply, _("The decision has been applied."))


@login_required
@require_POST
def decision_undo_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _step(request, pk, services.decision_undo, _("The decision has been undone."))


def _step(request: HttpRequest, pk: int, service, done: str) -> HttpResponseBase:  # type: ignore[no-untyped-def]
    user = actor_of(request)
    decision = get_object_or_404(Decision, pk=pk)
    require_read(user, decision.unit)
    try:
        service(actor=user, decision=decision)
    except ValidationError as error:
        found = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        return decision_detail(request, pk, errors=found)
    messages.success(request, done)
    return redirect("restructuring:detail", pk=pk)
