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
