"""Form helpers shared by every app's UI."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from chuyende.core.exceptions import NotInScope


class ScopedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose queryset is the actor's scope (e.g. their subtree).

    Django's ModelChoiceField answers an id outside its queryset with a form error
    ("Select a valid choice"). Here:

    - an empty value or a value that cannot be an id (``"abc"`` for a number) -> the usual
      form error;
    - a well-formed id outside the given queryset, whether its record lies in another
      subtree or does not exist at all -> ``NotInScope`` is raised, which the middleware
      turns into a 404: the same answer in both cases, so it never tells that a record exists.

    Usage::

        parent = ScopedModelChoiceField(queryset=subtree(root=scope_root(user)))

    The queryset may be set later (``form.fields["parent"].queryset = ...``), as with any
    ModelChoiceField.
    """

    def __init__(self, queryset: Any, *args: Any, scope_model: Any = None, **kwargs: Any) -> None:
        super().__init__(queryset, *args, **kwargs)
        self.scope_model = scope_model

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if getattr(error, "code", None) != "invalid_choice" or value in self.empty_values:
                raise
            model = self.scope_model or getattr(self.queryset, "model", None)
            if model is None:
                raise
            if _is_well_formed(model, self.to_field_name, value):
                raise NotInScope from error
            raise


def _is_well_formed(model: Any, field_name: str | None, value: Any) -> bool:
    """Whether `value` could be the key of a record of `model` (a number for a numeric id)."""
    field = model._meta.get_field(field_name) if field_name else model._meta.pk
    try:
        field.to_python(value)
    except (ValueError, TypeError, forms.ValidationError):
        return False
    return True


class ScopedMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several records of the actor's scope, with the rule of ScopedModelChoiceField for each id.

    Empty and malformed values give the usual form errors; a well-formed id outside the queryset
    (another subtree's or one that does not exist) raises ``NotInScope`` (404).
    """

    def __init__(self, queryset: Any, *args: Any, scope_model: Any = None, **kwargs: Any) -> None:
        super().__init__(queryset, *args, **kwargs)
        self.scope_model = scope_model

    def _check_values(self, value: Any) -> QuerySet[Any]:
        try:
            return super()._check_values(value)  # type: ignore[misc]
        except forms.ValidationError as error:
            if error.code == "invalid_choice":
                single = ScopedModelChoiceField(
                    queryset=self.queryset, scope_model=self.scope_model, to_field_name=self.to_field_name
                )
                for pk in value:
                    try:
                        single.clean(pk)  # NotInScope (404) for a well-formed id outside the scope
                    except forms.ValidationError:
                        continue  # a malformed value: the usual form error
            raise


def _only_choice(field: forms.ModelChoiceField) -> Any:
    """The value of a choice field's single offered choice, or None when it offers none or several."""
    offered = getattr(field, "offered", None)  # members.forms.UnitChoiceField: the units it offers
    if offered is not None:
        return offered[0].pk if len(offered) == 1 else None
    first_two = list(field.queryset[:2]) if field.queryset is not None else []
    return first_two[0].pk if len(first_two) == 1 else None


def _is_offered(field: forms.ModelChoiceField, value: Any) -> bool:
    offered = getattr(field, "offered", None)
    if offered is None:
        return True
    pk = getattr(value, "pk", value)
    return any(str(unit.pk) == str(pk) for unit in offered)


class PreselectsOnlyChoice:
    """Mix into a form (before forms.Form): a required choice of one record (campaign, unit...) that
    offers exactly one record shows it selected, and an initial value it does not offer is dropped.

    Applied when the field is shown (`get_initial_for_field`), so after __init__ set the querysets.
    """

    def get_initial_for_field(self, field: forms.Field, field_name: str) -> Any:
        value = super().get_initial_for_field(field, field_name)  # type: ignore[misc]
        if not isinstance(field, forms.ModelChoiceField) or isinstance(field, forms.ModelMultipleChoiceField):
            return value
        if value not in field.empty_values and _is_offered(field, value):
            return value
        return _only_choice(field) if field.required else None


def first_invalid_field(form: forms.BaseForm) -> str | None:
    """The name of the first field shown with an error, in the form's order."""
    if not form.is_bound:
        return None
    return next((name for name in form.fields if name in form.errors), None)


class DateInput(forms.DateInput):
    """A date as people write it, dd/mm/yyyy whatever the browser's language ("31/3/2024" is
    accepted, see DATE_INPUT_FORMATS), with a calendar (flatpickr, from npm, started by app.js)."""

    input_type = "text"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        base = {"data-datepicker": "", "placeholder": "dd/mm/yyyy", "inputmode": "numeric",
                "autocomplete": "off", "pattern": r"\d{1,2}/\d{1,2}/\d{4}"}
        super().__init__(attrs={**base, **(attrs or {})}, format="%d/%m/%Y")
