"""Accounts API: users of the caller's subtree (administrators and officers), level names, and the caller's
own password. The same services and rules as the Administration pages."""

from typing import Any

from django.contrib.auth import update_session_auth_hash
from django.db.models import QuerySet
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from chuyende.accounts import services
from chuyende.accounts.models import User
from chuyende.accounts.selectors import users_matching, users_visible_to
from chuyende.api import serializers_accounts as s
from chuyende.api.base import (
    ERROR_400,
    READ_ERRORS,
    WRITE_ERRORS,
    ScopedFilterSet,
    ScopedViewSetMixin,
    call_service,
    request_actor,
    unit_filter,
    validate,
)
from chuyende.api.serializers_core import EmptySerializer
from chuyende.core.exceptions import NotInScope
from chuyende.organisation.models import Level
from chuyende.organisation.services import level_create, level_rename

# The services' field names, as the API calls them.
USER_FIELDS = {"first_name": "full_name", "last_name": "full_name"}

# --- users -----------------------------------------------------------------------------------------------


class UserFilter(ScopedFilterSet):
    unit = unit_filter()
    role = filters.ChoiceFilter(choices=User.Role.choices)
    is_active = filters.BooleanFilter()
    q = filters.CharFilter(method="search", help_text="Words of the login name, name or e-mail.")

    def search(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return users_matching(queryset, query=value)


@extend_schema_view(
    list=extend_schema(summary="Users of the caller's subtree (administrators and officers)"),
    retrieve=extend_schema(summary="One user", responses={200: s.UserSerializer, **READ_ERRORS}),
)
class UserViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = User.objects.all()
    serializer_class = s.UserSerializer
    filterset_class = UserFilter

    def scoped_queryset(self) -> QuerySet[User]:
        return users_visible_to(actor=self.actor).order_by("unit__path", "username")

    def _call(self, service: Any, **kwargs: Any) -> Any:
        return call_service(service, field_names=USER_FIELDS, actor=self.actor, **kwargs)

    @extend_schema(
        summary="Create a user with a temporary password, given once in the answer",
        request=s.UserCreateSerializer,
        responses={201: s.UserCreatedSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.scoped_queryset()  # reporters and viewers: 403 before the body is read
        data = self.validated(s.UserCreateSerializer)
        user, password = self._call(services.user_create_with_temporary_password, **data)
        answer = {**s.UserSerializer(user).data, "temporary_password": password}
        return Response(answer, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a user's name, e-mail, role or unit; fields left out keep their values",
        request=s.UserWriteSerializer,
        responses={200: s.UserSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = self.get_object()
        data = self.validated(s.UserWriteSerializer, partial=True)
        current = {"full_name": user.get_full_name(), "email": user.email, "role": user.role,
                   "unit": user.unit}
        user = self._call(services.user_update, user=user, **{**current, **data})
        return Response(s.UserSerializer(user).data)

    @extend_schema(summary="Deactivate the account (its API token is deleted)", request=EmptySerializer,
                   responses={200: s.UserSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str | None = None) -> Response:
        self.validated(EmptySerializer)
        user = self._call(services.user_deactivate, user=self.get_object())
        return Response(s.UserSerializer(user).data)

    @extend_schema(summary="Reactivate the account", request=EmptySerializer,
                   responses={200: s.UserSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def reactivate(self, request: Request, pk: str | None = None) -> Response:
        self.validated(EmptySerializer)
        user = self._call(services.user_reactivate, user=self.get_object())
        return Response(s.UserSerializer(user).data)

    @extend_schema(summary="Reset the password: a temporary one, given once, to change at the next login",
                   request=EmptySerializer, responses={200: s.TemporaryPasswordSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"], url_path="reset-password", url_name="reset-password")
    def reset_password(self, request: Request, pk: str | None = None) -> Response:
        self.validated(EmptySerializer)
        password = self._call(services.user_password_reset, user=self.get_object())
        return Response({"temporary_password": password})


# --- levels ----------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Level names of the tree, from the top"),
    retrieve=extend_schema(summary="One level", responses={200: s.LevelSerializer, **READ_ERRORS}),
)
class LevelViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Level.objects.all()
    serializer_class = s.LevelSerializer

    def scoped_queryset(self) -> QuerySet[Level]:
        self.root  # noqa: B018 - a user without a unit reads nothing (404)
        return Level.objects.order_by("depth")

    @extend_schema(summary="Add a level below the deepest one (administrators, officers of the top unit)",
                   request=s.LevelWriteSerializer, responses={201: s.LevelSerializer, **WRITE_ERRORS})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated(s.LevelWriteSerializer)
        level = self.call_service(level_create, **data)
        return Response(s.LevelSerializer(level).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Rename a level (administrators, officers of the top unit)",
                   request=s.LevelWriteSerializer, responses={200: s.LevelSerializer, **WRITE_ERRORS})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        level = self.get_object()
        data = self.validated(s.LevelWriteSerializer, partial=True)
        level = self.call_service(level_rename, level=level, **{"name": level.name, **data})
        return Response(s.LevelSerializer(level).data)


# --- the caller's password -------------------------------------------------------------------------------


class PasswordChangeView(APIView):
    """The caller changes their own password (also when it is a temporary one). Their API tokens are deleted:
    ask `POST /api/v1/token/` for a new one."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Change your own password; your API token stops working",
                   request=s.PasswordChangeSerializer, responses={200: s.DoneSerializer, 400: ERROR_400})
    def post(self, request: Request) -> Response:
        actor = request_actor(request)
        if actor is None:
            raise NotInScope
        data = validate(s.PasswordChangeSerializer(data=request.data))
        user = call_service(services.password_change, user=actor, **data)
        if request.auth is None:  # a session of the pages stays open
            update_session_auth_hash(request._request, user)
        return Response({"detail": _("Your password has been changed.")})


extra_urls: list[URLPattern] = [
    path("password/", PasswordChangeView.as_view(), name="password"),
]


def register(router: DefaultRouter) -> None:
    router.register("users", UserViewSet, basename="user")
    router.register("levels", LevelViewSet, basename="level")
