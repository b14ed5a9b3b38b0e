from dataclasses import dataclass
from typing import Any

from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from chuyende.core.forms import first_invalid_field
from chuyende.core.submissions import FIELD_NAME, new_key

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_key(context: template.Context) -> SafeString:
    """The hidden one-time key of a form whose view is `@submitted_once` (put it beside csrf_token)."""
    request: HttpRequest = context["request"]
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD_NAME, new_key(request))


@dataclass(frozen=True)
class FieldErrors:
    anchor: str
    label: str
    messages: list[str]


def _field_errors(form: forms.BaseForm, prefix: str = "") -> list[FieldErrors]:
    rows = []
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS or name not in form.fields:
            continue
        bound = form[name]
        anchor = bound.id_for_label or bound.auto_id or ""
        label = f"{prefix}{bound.label}" if prefix else str(bound.label)
        rows.append(FieldErrors(anchor=anchor, label=label, messages=[str(e) for e in errors]))
    return rows


def _focus_first_invalid(form: forms.BaseForm) -> bool:
    name = first_invalid_field(form)
    if name is None:
        return False
    for field in form.fields.values():  # a field focused when the form is first shown gives way
        field.widget.attrs.pop("autofocus", None)
    form.fields[name].widget.attrs["autofocus"] = True
    return True


@register.inclusion_tag("includes/error_summary.html")
def error_summary(form: forms.BaseForm | None, formset: Any = None, item_label: str = "") -> dict[str, Any]:
    """At the top of a form sent back with errors: every problem, each field's linked to the field,
    and the first bad field focused when the page opens (autofocus, no script needed).

    `formset` adds its forms' problems, each label prefixed with `item_label` and the form's number.
    """
    general: list[str] = []
    fields: list[FieldErrors] = []
    focused = False
    if form is not None and form.is_bound:
        general += [str(e) for e in form.non_field_errors()]
        fields += _field_errors(form)
        focused = _focus_first_invalid(form)
    if formset is not None and formset.is_bound:
        general += [str(e) for e in formset.non_form_errors()]
        for number, item in enumerate(formset.forms, start=1):
            general += [f"{item_label} {number}: {e}" for e in item.non_field_errors()]
            fields += _field_errors(item, prefix=f"{item_label} {number} – ")
            focused = focused or _focus_first_invalid(item)
    return {"general": general, "fields": fields, "has_errors": bool(general or fields)}
