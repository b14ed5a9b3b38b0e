"""Form helpers shared by every app's UI."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from chuyende.core.exceptions import NotInScope


class ScopedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose queryset is the actor's scope (e.g. their subtree).

    Django's ModelChoiceField answers an id outside its queryset with a form error
    ("Select a valid choice"), which tells the user the record exists. Here:

    - an empty value or an id that does not exist at all -> the usual form error;
    - an id that exists in ``scope_model`` (default: the queryset's model) but lies
      outside the given queryset -> ``NotInScope`` is raised, which the middleware turns
      into a 404, exactly as if the user had typed the URL of that foreign record.

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
            key = self.to_field_name or "pk"
            try:
                exists = model._default_manager.filter(**{key: value}).exists()
            except (ValueError, TypeError, forms.ValidationError):
                exists = False
            if exists:
                raise NotInScope from error
            raise


class ScopedMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several records of the actor's scope, with the rule of ScopedModelChoiceField for each id.

    Unknown ids and empty values give the usual form errors; an id that exists in ``scope_model``
    (default: the queryset's model) but lies outside the queryset raises ``NotInScope`` (404).
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
                        single.clean(pk)  # NotInScope (404) if the id exists outside the scope
                    except forms.ValidationError:
                        continue  # an id that does not exist at all: the usual form error
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
