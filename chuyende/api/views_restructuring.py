"""REST endpoints of restructuring decisions: the same services as the pages."""

import dataclasses
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from chuyende.accounts.permissions import scope_root
from chuyende.api import serializers_restructuring as r
from chuyende.api.base import WRITE_ERRORS, ScopedViewSetMixin
from chuyende.api.serializers_core import EmptySerializer
from chuyende.restructuring import services
from chuyende.restructuring.models import Decision
from chuyende.restructuring.selectors import decisions_visible_to


class DecisionViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    queryset = Decision.objects.all()
    serializer_class = r.DecisionSerializer

    def scoped_queryset(self) -> QuerySet[Decision]:
        return decisions_visible_to(actor=self.actor).prefetch_related("operations")

    def _answer(self, decision: Decision, code: int = status.HTTP_200_OK) -> Response:
        return Response(r.DecisionSerializer(self.scoped_queryset().get(pk=decision.pk)).data, status=code)

    @extend_schema(summary="Draft a restructuring decision with its operations",
                   request=r.DecisionCreateSerializer, responses={201: r.DecisionSerializer, **WRITE_ERRORS})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated(r.DecisionCreateSerializer)
        operations = [services.OperationData(kind=op["kind"], data=op["details"], note=op["note"])
                      for op in data.pop("operations")]
        unit = data.pop("unit", None) or scope_root(self.actor)
        decision = self.call_service(services.decision_create, unit=unit, operations=operations, **data)
        return self._answer(decision, status.HTTP_201_CREATED)

    @extend_schema(summary="What applying the decision would change (nothing is written)",
                   request=EmptySerializer, responses={200: r.PreviewSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def preview(self, request: Request, pk: str | None = None) -> Response:
        self.validated(EmptySerializer)
        found = self.call_service(services.decision_preview, decision=self.get_object())
        return Response(_json(dataclasses.asdict(found)))

    @extend_schema(summary="Apply the decision from its effective date",
                   request=EmptySerializer, responses={200: r.DecisionSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, pk: str | None = None) -> Response:
        self.validated(EmptySerializer)
        return self._answer(self.call_service(services.decision_apply, decision=self.get_object()))

    @extend_schema(summary="Undo an applied decision (while nothing was recorded on the new tree)",
                   request=EmptySerializer, responses={200: r.DecisionSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def undo(self, request: Request, pk: str | None = None) -> Response:
        self.validated(EmptySerializer)
        return self._answer(self.call_service(services.decision_undo, decision=self.get_object()))


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _json(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [_json(inner) for inner in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def register(router: DefaultRouter) -> None:
    router.register("restructuring-decisions", DecisionViewSet, basename="restructuring-decision")
