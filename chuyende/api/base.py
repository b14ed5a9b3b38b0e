"""Shared pieces of every API viewset: the actor, the subtree scope, strict bodies, scoped ids and filters.

The rules are those of the UI (see `chuyende.accounts.permissions`):

- a list or a detail reads only the caller's subtree: another subtree's record is 404, exactly as if it
  did not exist (`ScopedViewSetMixin.get_queryset` starts from `scoped_queryset()`);
- an id in a body or a query parameter that names a record of another subtree, or no record at all, is
  404 as well (`ScopedPrimaryKeyRelatedField`, `ScopedModelChoiceFilter` raise `NotInScope`): the same
  answer, so it never tells that a record exists; a value that cannot be an id is the usual 400;
- writes call the app's service with keyword arguments (`ScopedViewSetMixin.call_service`); the service's
  ValidationError / NotInScope / NotAllowed go unchanged to `chuyende.api.errors.exception_handler`
  (400 `{"errors": {field: [...]}}` / 404 / 403). Serializers only validate types: never `.save()` them;
- a body with a field the serializer does not know, or one it only reads, is 400 naming the field
  (`StrictSerializerMixin`).

Typical viewset::

    class MemberViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
        queryset = Member.objects.all()            # the model, for the schema; never served as is
        serializer_class = MemberSerializer
        filterset_class = MemberFilter

        def scoped_queryset(self) -> QuerySet[Member]:
            return members_visible_to(actor=self.actor)

        def create(self, request, *args, **kwargs):
            data = self.validated(MemberWriteSerializer)
            member = self.call_service(member_create, **data)
            return Response(MemberSerializer(member, context=self.get_serializer_context()).data, status=201)
"""

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.viewsets import GenericViewSet

from chuyende.accounts.models import User
from chuyende.accounts.permissions import scope_root
from chuyende.core.exceptions import NotInScope
from chuyende.core.forms import ScopedModelChoiceField
from chuyende.organisation.models import Unit

T = TypeVar("T")


# --- who is asking -------------------------------------------------------------------------------------


def request_actor(request: Request | None) -> User | None:
    """The authenticated user of a request, or None (schema generation, anonymous)."""
    user = getattr(request, "user", None)
    return user if isinstance(user, User) else None


def units_in_scope(actor: User | None) -> QuerySet[Unit]:
    """The actor's subtree (root included); nothing without an actor or a unit."""
    if actor is None or actor.unit is None:
        return Unit.objects.none()
    return Unit.objects.filter(path__under=actor.unit.path)


# --- pagination ------------------------------------------------------------------------------------------


class Pagination(PageNumberPagination):
    """`?page=2&page_size=100`; 50 a page by default, at most 500."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


# --- error documentation for extend_schema ---------------------------------------------------------------

ErrorSerializer = inline_serializer(
    name="ValidationErrors",
    fields={
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text="Messages by field name; `non_field_errors` for the whole body.",
        )
    },
)
DetailSerializer = inline_serializer(name="ErrorDetail", fields={"detail": serializers.CharField()})

ERROR_400 = OpenApiResponse(ErrorSerializer, description="Invalid body or query: messages by field.")
ERROR_403 = OpenApiResponse(DetailSerializer, description="The role does not allow this change.")
ERROR_404 = OpenApiResponse(DetailSerializer, description="No such record in the caller's subtree.")
ERROR_CONFLICT = OpenApiResponse(
    DetailSerializer, description="Someone else saved the same record at the same moment; nothing was saved."
)
READ_ERRORS: dict[int, OpenApiResponse] = {404: ERROR_404}
WRITE_ERRORS: dict[int, OpenApiResponse] = {
    400: ERROR_400, 403: ERROR_403, 404: ERROR_404, 409: ERROR_CONFLICT,
}


# --- viewsets --------------------------------------------------------------------------------------------


if TYPE_CHECKING:
    _ViewSet = GenericViewSet
else:
    _ViewSet = object


class ScopedViewSetMixin(_ViewSet):
    """Put first in the bases of a GenericViewSet. Every read starts from `scoped_queryset()`.

    Override `scoped_queryset` with the app's selector (e.g. `members_visible_to(actor=self.actor)`);
    the default keeps the rows whose `scope_field` unit (``""``: the row is a Unit) lies in the subtree
    of `scope_root(actor)`.
    """

    scope_field: ClassVar[str] = "unit"
    pagination_class: type[BasePagination] | None = Pagination

    @property
    def actor(self) -> User:
        actor = request_actor(self.request)
        if actor is None:  # IsAuthenticated runs first; this is only a guard
            raise NotInScope
        return actor

    @property
    def root(self) -> Unit:
        return scope_root(self.actor)

    def _model(self) -> type[Model]:
        assert self.queryset is not None, "set `queryset` to the model's records (for the schema)"
        return self.queryset.model  # type: ignore[no-any-return]

    def scoped_queryset(self) -> QuerySet[Any]:
        lookup = f"{self.scope_field}__path__under" if self.scope_field else "path__under"
        return self._model()._default_manager.filter(**{lookup: self.root.path})

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False) or request_actor(self.request) is None:
            return self._model()._default_manager.none()
        return self.scoped_queryset()

    def validated(self, serializer_class: type[serializers.Serializer], **kwargs: Any) -> dict[str, Any]:
        """The request body checked by `serializer_class` (400 naming the fields otherwise)."""
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        return validate(serializer)

    def call_service(self, service: Callable[..., T], /, **kwargs: Any) -> T:
        """`service(actor=self.actor, **kwargs)`; its exceptions reach the API's exception handler."""
        return call_service(service, actor=self.actor, **kwargs)


def flat_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as `{"field": [...], "items.0.field": [...]}`: every key names one field."""
    if isinstance(detail, Mapping):
        flat: dict[str, list[str]] = {}
        for key, inner in detail.items():
            flat.update(flat_errors(inner, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list | tuple):
        if all(isinstance(item, str) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            if item:
                flat.update(flat_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": [str(detail)]}


def validate(serializer: serializers.Serializer) -> dict[str, Any]:
    """`serializer.validated_data`, or a 400 whose `errors` name each field by a dotted path."""
    if not serializer.is_valid():
        raise serializers.ValidationError(flat_errors(serializer.errors))
    return dict(serializer.validated_data)


def call_service(
    service: Callable[..., T], /, *, field_names: Mapping[str, str] | None = None, **kwargs: Any
) -> T:
    """Calls a service with keyword arguments and lets ValidationError / NotInScope / NotAllowed go up.

    `field_names` renames the service's error keys to the API's field names ({"service": "api"}), for the
    few places where they differ.
    """
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        if not field_names or not hasattr(error, "error_dict"):
            raise
        renamed = {field_names.get(field, field): errors for field, errors in error.error_dict.items()}
        raise DjangoValidationError(renamed) from error


# --- serializers -----------------------------------------------------------------------------------------


class StrictSerializerMixin:
    """A body may only hold the serializer's writable fields: any other key is 400 naming it."""

    fields: Any
    initial_data: Any

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors: dict[str, list[Any]] = {}
            for name in data:
                field = self.fields.get(name)
                if field is None:
                    errors[str(name)] = [_("Unknown field.")]
                elif field.read_only:
                    errors[str(name)] = [_("This field is read-only.")]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictSerializer(StrictSerializerMixin, serializers.Serializer):  # type: ignore[misc]
    """Base of the write serializers: plain fields, strict keys, no `.save()`."""

    def create(self, validated_data: Any) -> Any:  # pragma: no cover - writes go through services
        raise NotImplementedError("Call the service; API serializers are never saved.")

    def update(self, instance: Any, validated_data: Any) -> Any:  # pragma: no cover
        raise NotImplementedError("Call the service; API serializers are never saved.")


_ENUM_FIELDS: dict[str, type[serializers.ChoiceField]] = {}


def enum_field(
    choices: Iterable[tuple[Any, Any]], component_name: str, **kwargs: Any
) -> serializers.ChoiceField:
    """A ChoiceField whose choices are one named schema component (e.g. "UnitKindEnum").

    drf-spectacular names enums by field name, so two `kind` or `status` fields with different choices
    collide (a warning that `spectacular --fail-on-warn` refuses). A named component avoids that, and
    every field with the same choices shares it. Use the same name for the same choices only.
    """
    choices = list(choices)
    cls = _ENUM_FIELDS.get(component_name)
    if cls is None:
        cls = type(f"{component_name}Field", (serializers.ChoiceField,), {})
        extend_schema_field(serializers.ChoiceField(choices=choices), component_name=component_name)(cls)
        _ENUM_FIELDS[component_name] = cls
    return cls(choices=choices, **kwargs)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id of a record in the caller's scope.

    `queryset` is the whole model (for the schema); `scope(actor)` gives the records the caller may name
    (default: for Unit, the subtree; otherwise rows whose `unit` lies in the subtree). A well-formed id
    outside the scope, existing or not, raises NotInScope (404, nothing written); a malformed one is 400.
    """

    def __init__(self, *, scope: Callable[[User | None], QuerySet[Any]] | None = None, **kwargs: Any) -> None:
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        base = super().get_queryset()
        assert base is not None, "give the whole model as `queryset`"
        actor = request_actor(self.context.get("request"))
        if self.scope is not None:
            return self.scope(actor)
        if base.model is Unit:
            return units_in_scope(actor)
        if actor is None or actor.unit is None:
            return base.none()
        return base.filter(unit__path__under=actor.unit.path)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            codes = error.get_codes()
            if "does_not_exist" in (codes if isinstance(codes, list) else [codes]):
                raise NotInScope from None
            raise


# --- filters ---------------------------------------------------------------------------------------------


class _ScopedFilterChoiceField(ScopedModelChoiceField):
    """django-filter's choice field with the NotInScope rule of `ScopedModelChoiceField`."""

    def __init__(self, *args: Any, null_label: Any = None, null_value: Any = "null", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class ScopedModelChoiceFilter(filters.ModelChoiceFilter):
    """`?unit=<id>`-style filter: an id of another subtree, or of no record, is 404; a malformed one 400.

    `queryset(request)` gives the records of the caller's scope. With `subtree=True` the filter keeps rows
    whose `field_name` unit lies under the chosen unit (the chosen unit included).
    """

    field_class = _ScopedFilterChoiceField

    def __init__(self, *args: Any, subtree: bool = False, **kwargs: Any) -> None:
        self.subtree = subtree
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if value in (None, ""):
            return qs
        if self.subtree:
            lookup = f"{self.field_name}__path__under" if self.field_name else "path__under"
            return qs.filter(**{lookup: value.path})
        return super().filter(qs, value)


def scoped_units(request: Request | None) -> QuerySet[Unit]:
    return units_in_scope(request_actor(request))


def scoped_campaigns(request: Request | None) -> QuerySet[Any]:
    from chuyende.campaigns.models import Campaign
    from chuyende.campaigns.selectors import campaigns_for

    actor = request_actor(request)
    return Campaign.objects.none() if actor is None else campaigns_for(actor=actor)


def unit_filter(
    field_name: str = "unit", *, subtree: bool = True, help_text: str = ""
) -> ScopedModelChoiceFilter:
    """`?unit=<id>`: rows of that unit (and, by default, its whole subtree); 404 for another subtree."""
    help_text = help_text or "Id of a unit of the caller's subtree; rows of that unit and below."
    return extend_schema_field({"type": "integer", "description": help_text})(
        ScopedModelChoiceFilter(
            field_name=field_name, queryset=scoped_units, subtree=subtree, help_text=help_text
        )
    )


def campaign_filter(field_name: str = "campaign", *, help_text: str = "") -> ScopedModelChoiceFilter:
    """`?campaign=<id>`: a campaign the caller may see (404 otherwise)."""
    help_text = help_text or "Id of a campaign the caller may see."
    return extend_schema_field({"type": "integer", "description": help_text})(
        ScopedModelChoiceFilter(field_name=field_name, queryset=scoped_campaigns, help_text=help_text)
    )


def date_filter(
    field_name: str, lookup_expr: str = "exact", *, help_text: str = "", **kwargs: Any
) -> filters.DateFilter:
    """A date parameter (ISO `YYYY-MM-DD`); `date_from`/`date_to` are `date_filter("day", "gte"/"lte")`."""
    return filters.DateFilter(field_name=field_name, lookup_expr=lookup_expr, help_text=help_text, **kwargs)


class ScopedFilterSet(filters.FilterSet):
    """Base of the API filter sets: unknown query parameters are ignored, bad values are 400 naming them.

    Add the common parameters with the factories above, e.g.::

        class ReturnFilter(ScopedFilterSet):
            unit = unit_filter()
            campaign = campaign_filter()
            as_of = date_filter("as_of")
            date_from = date_filter("as_of", "gte")
            date_to = date_filter("as_of", "lte")
    """
