"""Activity API: study events with their bridge points and attendees, presenters, aggregate returns,
outreach, materials, pledges (with a cell's year-end rating) and supervision visits.

Reads go through the apps' selectors (another subtree: 404). Writes go through the apps' services only,
in the order of the pages: the body is checked first (an id of another subtree is 404 whatever the role),
then the role (403), then the types (400 naming the fields), then the service's rules (400 naming the
fields, nothing written). Nothing is counted here: the figures are the roll-up's (see /api/v1/figures/).
"""

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.settings import api_settings

from chuyende.accounts.permissions import EDITING_ROLES, can_edit
from chuyende.api import serializers_activity as s
from chuyende.api.base import (
    ERROR_400,
    ERROR_403,
    ERROR_404,
    READ_ERRORS,
    WRITE_ERRORS,
    ScopedFilterSet,
    ScopedModelChoiceFilter,
    ScopedViewSetMixin,
    call_service,
    campaign_filter,
    date_filter,
    scoped_units,
    unit_filter,
)
from chuyende.api.base import flat_errors as base_flat_errors
from chuyende.core.exceptions import NotAllowed
from chuyende.events.forms import presenters_for
from chuyende.events.models import Event, Presenter, Site
from chuyende.events.selectors import events_visible_to, sites_visible_to
from chuyende.events.services import SiteData, event_create, event_delete, event_update, presenter_create
from chuyende.materials.models import MaterialTransfer
from chuyende.materials.selectors import transfers_visible_to
from chuyende.materials.services import material_transfer_create, material_transfer_delete
from chuyende.members.models import Member
from chuyende.organisation.models import Unit
from chuyende.outreach.models import Outreach
from chuyende.outreach.selectors import outreach_visible_to
from chuyende.outreach.services import outreach_create, outreach_delete, outreach_update
from chuyende.pledges.models import Pledge, PledgeReturn, Rating
from chuyende.pledges.selectors import is_cell, pledge_returns_visible_to, pledges_visible_to
from chuyende.pledges.services import (
    RatingData,
    cell_ratings_save,
    pledge_register,
    pledge_return_save,
    pledge_update,
)
from chuyende.returns.models import MemberReturn, NonMemberReturn, PartialReturn
from chuyende.returns.selectors import (
    member_returns_visible_to,
    non_member_returns_visible_to,
    partial_returns_visible_to,
)
from chuyende.returns.services import member_return_save, non_member_return_save, partial_return_save
from chuyende.supervision.models import Visit
from chuyende.supervision.selectors import visits_visible_to
from chuyende.supervision.services import visit_create, visit_update

DELETED = {204: OpenApiResponse(description="Deleted."), 403: ERROR_403, 404: ERROR_404}
SAVED = OpenApiResponse(description="An existing record of the same campaign, unit and date was replaced.")


def flat_errors(errors: Any) -> dict[str, list[str]]:
    """A serializer's errors as `{"field": [messages]}`, nested ones named by path (`sites.1.unit`); a nested
    body that is not an object at all (`sites.non_field_errors`) is the field's own error (`sites`)."""
    flat: dict[str, list[str]] = {}
    suffix = f".{api_settings.NON_FIELD_ERRORS_KEY}"
    for name, messages in base_flat_errors(errors).items():
        flat.setdefault(name.removesuffix(suffix), []).extend(messages)
    return flat


class ActivityViewSetMixin(ScopedViewSetMixin):
    """Adds `body`: the request body checked in the order of the pages (scope, role, types).

    Bodies are JSON only (files are uploaded in the pages); another media type is 415."""

    parser_classes = [JSONParser]

    def body(self, serializer_class: type[serializers.Serializer], *, editable: Unit | None = None,
             partial: bool = False) -> dict[str, Any]:
        """The validated body. `editable`: the unit whose editing right the change needs (403 otherwise);
        None: any editing role (the service then checks the units named in the body)."""
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(),
                                      partial=partial)
        valid = serializer.is_valid()  # an id of another subtree raises NotInScope (404) here
        allowed = can_edit(self.actor, editable) if editable is not None else self.actor.role in EDITING_ROLES
        if not allowed:
            raise NotAllowed
        if not valid:
            raise serializers.ValidationError(flat_errors(serializer.errors))
        return dict(serializer.validated_data)

    def answer(self, record: Any, code: int = status.HTTP_200_OK) -> Response:
        """The record as a list shows it, read again through the caller's scope."""
        fresh = self.get_queryset().get(pk=record.pk)
        return Response(self.get_serializer(fresh).data, status=code)


def _unit_param(*, method: str, help_text: str) -> ScopedModelChoiceFilter:
    """`?unit=<id>` filtered by `method` (another subtree: 404, as `unit_filter`)."""
    return extend_schema_field({"type": "integer", "description": help_text})(  # type: ignore[no-any-return]
        ScopedModelChoiceFilter(queryset=scoped_units, method=method, help_text=help_text)
    )


def _dates(field: str, what: str) -> tuple[filters.DateFilter, filters.DateFilter, filters.DateFilter]:
    """The filters `<field>`, `date_from` and `date_to` on one date field (ISO dates)."""
    return (
        date_filter(field, help_text=f"{what} on this day (ISO date)."),
        date_filter(field, "gte", help_text=f"{what} on or after this day."),
        date_filter(field, "lte", help_text=f"{what} on or before this day."),
    )


# --- events ----------------------------------------------------------------------------------------------


class EventFilter(ScopedFilterSet):
    unit = _unit_param(
        method="in_unit",
        help_text="Id of a unit of the caller's subtree: events it or a unit below it organised, and events "
                  "with a bridge point there.",
    )
    organiser = unit_filter("organiser", help_text="Id of a unit: events organised by it or a unit below it.")
    campaign = campaign_filter()
    # `?format=` is taken by the API itself (the answer's media type, e.g. `?format=json`).
    event_format = filters.ChoiceFilter(field_name="format", choices=Event.Format.choices,
                                        help_text="The event's format.")
    held_on, date_from, date_to = _dates("held_on", "Held")

    class Meta:
        model = Event
        fields: list[str] = []

    def in_unit(self, queryset: QuerySet[Event], name: str, value: Unit) -> QuerySet[Event]:
        site_here = Site.objects.filter(event=OuterRef("pk"), unit__path__under=value.path)
        return queryset.filter(Q(organiser__path__under=value.path) | Exists(site_here))


def _site_data(site: Site, attendees: tuple[Member, ...]) -> SiteData:
    return SiteData(unit=site.unit, other_members=site.other_members, non_members=site.non_members,
                    non_members_by_category=dict(site.non_members_by_category), attendees=attendees)


def _sites_of(event: Event) -> list[Site]:
    return list(event.sites.select_related("unit").prefetch_related("attendances__member__unit")
                .order_by("unit__path"))


def _attendees_of(site: Site) -> tuple[Member, ...]:
    return tuple(attendance.member for attendance in site.attendances.all())


UNIT_ID = OpenApiParameter("unit_id", OpenApiTypes.INT, OpenApiParameter.PATH,
                           description="Id of the unit of the bridge point.")


@extend_schema_view(
    list=extend_schema(summary="Study events of the caller's subtree, and events from above with a bridge "
                               "point in it (only the bridge points of the subtree are shown)"),
    retrieve=extend_schema(summary="One study event with its bridge points",
                           responses={200: s.EventSerializer, **READ_ERRORS}),
)
class EventViewSet(ActivityViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   viewsets.GenericViewSet):
    queryset = Event.objects.all()
    serializer_class = s.EventSerializer
    filterset_class = EventFilter

    def scoped_queryset(self) -> QuerySet[Event]:
        visible_sites = Site.objects.filter(unit__path__under=self.root.path).select_related("unit")
        return (
            events_visible_to(actor=self.actor)
            .prefetch_related(
                Prefetch("sites", queryset=visible_sites.order_by("unit__path"), to_attr="visible_sites"),
                "presenters",
            )
            .order_by("-held_on", "-id")
        )

    def _values(self, data: dict[str, Any], keep: dict[int, tuple[Member, ...]]) -> dict[str, Any]:
        """Service arguments from a checked body; members listed at a unit that keeps its bridge point
        stay listed (they are changed through the attendees endpoint)."""
        values = dict(data)
        values["sites"] = [
            SiteData(unit=site["unit"], other_members=site["other_members"], non_members=site["non_members"],
                     non_members_by_category=dict(site["non_members_by_category"]),
                     attendees=keep.get(site["unit"].pk, ()))
            for site in data["sites"]
        ]
        values["presenters"] = list(data["presenters"])
        if "partners" in values:
            values["partners"] = list(values["partners"])
        return values

    @extend_schema(
        summary="Record a study event with its bridge points (then list the attendees per bridge point)",
        request=s.EventWriteSerializer, responses={201: s.EventSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.body(s.EventWriteSerializer)
        event = self.call_service(event_create, **self._values(data, {}))
        return self.answer(event, status.HTTP_201_CREATED)

    def _update(self, *, partial: bool) -> Response:
        event = self.get_object()
        data = self.body(s.EventUpdateSerializer, editable=event.organiser, partial=partial)
        if partial and "sites" in data:
            # Bridge points given in a PATCH replace the event's: each is checked whole.
            whole = s.SiteWriteSerializer(data=self.request.data["sites"], many=True,
                                          context=self.get_serializer_context())
            if not whole.is_valid():
                raise serializers.ValidationError(flat_errors({"sites": whole.errors}))
            data["sites"] = whole.validated_data
        sites = _sites_of(event)
        keep = {site.unit_id: _attendees_of(site) for site in sites}
        if "sites" not in data:
            data["sites"] = [
                {"unit": site.unit, "other_members": site.other_members, "non_members": site.non_members,
                 "non_members_by_category": site.non_members_by_category}
                for site in sites
            ]
        current = {"organiser": event.organiser, "held_on": event.held_on, "format": event.format,
                   "title": event.title, "code": event.code, "is_make_up": event.is_make_up,
                   "audience": event.audience, "partners": list(event.partners),
                   "presenters": list(event.presenters.all())}
        self.call_service(event_update, event=event, **self._values({**current, **data}, keep))
        return self.answer(event)

    @extend_schema(
        summary="Change a study event; its bridge points are replaced by those given (members listed at a "
                "unit that keeps its bridge point stay listed)",
        request=s.EventUpdateSerializer, responses={200: s.EventSerializer, **WRITE_ERRORS},
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(partial=False)

    @extend_schema(
        summary="Change some fields of a study event; fields left out keep their values",
        request=s.EventUpdateSerializer, responses={200: s.EventSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(partial=True)

    @extend_schema(summary="Delete a study event with its bridge points and attendees", responses=DELETED)
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        event = self.get_object()
        if not can_edit(self.actor, event.organiser):
            raise NotAllowed
        self.call_service(event_delete, event=event)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["GET"], parameters=[UNIT_ID],
        summary="Members listed by name at the event's bridge point of a unit",
        responses={200: s.AttendeeSerializer(many=True), **READ_ERRORS},
    )
    @extend_schema(
        methods=["PUT"], parameters=[UNIT_ID],
        summary="Replace the members listed at the event's bridge point of a unit (by id or member code)",
        request=s.AttendeesWriteSerializer,
        responses={200: s.AttendeeSerializer(many=True), **WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "put"], url_path=r"sites/(?P<unit_id>[0-9]+)/attendees",
            pagination_class=None, filter_backends=[])
    def attendees(self, request: Request, pk: str | None = None, unit_id: str | None = None) -> Response:
        event = self.get_object()
        site = get_object_or_404(sites_visible_to(actor=self.actor, event=event), unit_id=unit_id)
        if request.method == "PUT":
            chosen = self.body(s.AttendeesWriteSerializer, editable=event.organiser)["attendees"]
            sites = [
                _site_data(other, chosen if other.unit_id == site.unit_id else _attendees_of(other))
                for other in _sites_of(event)
            ]
            self.call_service(
                event_update, event=event, organiser=event.organiser, held_on=event.held_on,
                format=event.format, title=event.title, sites=sites, presenters=list(event.presenters.all()),
                is_make_up=event.is_make_up, code=event.code,
            )
        members = Member.objects.filter(
            attendances__site__event=event, attendances__site__unit_id=site.unit_id
        ).select_related("unit").order_by("unit__path", "full_name", "code")
        return Response(s.AttendeeSerializer(members, many=True).data)


# --- presenters ------------------------------------------------------------------------------------------


class PresenterFilter(ScopedFilterSet):
    unit = unit_filter(help_text="Id of a unit of the caller's subtree: presenters of it and of the units "
                                 "below it.")
    code = filters.CharFilter(field_name="code", help_text="Exact code.")


@extend_schema_view(
    list=extend_schema(summary="Presenters of the caller's subtree and of the units above it"),
    retrieve=extend_schema(summary="One presenter", responses={200: s.PresenterSerializer, **READ_ERRORS}),
)
class PresenterViewSet(ActivityViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       viewsets.GenericViewSet):
    queryset = Presenter.objects.all()
    serializer_class = s.PresenterSerializer
    filterset_class = PresenterFilter

    def scoped_queryset(self) -> QuerySet[Presenter]:
        return presenters_for(self.actor).select_related("unit").order_by("full_name", "code")

    @extend_schema(summary="Add a presenter to a unit", request=s.PresenterWriteSerializer,
                   responses={201: s.PresenterSerializer, **WRITE_ERRORS})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        presenter = self.call_service(presenter_create, **self.body(s.PresenterWriteSerializer))
        return self.answer(presenter, status.HTTP_201_CREATED)


# --- aggregate returns -----------------------------------------------------------------------------------


class ReturnFilter(ScopedFilterSet):
    unit = unit_filter()
    campaign = campaign_filter()
    as_of, date_from, date_to = _dates("as_of", "Figures as of")


class _ReturnViewSet(ActivityViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet):
    """A return is saved per campaign, unit and date: saving again on that date replaces it."""

    filterset_class = ReturnFilter
    write_serializer: type[serializers.Serializer]
    return_model: type[MemberReturn | NonMemberReturn | PledgeReturn]

    def save_return(self, service: Any) -> Response:
        data = self.body(self.write_serializer)
        existed = self.return_model.objects.filter(
            campaign=data["campaign"], unit=data["unit"], as_of=data["as_of"]
        ).exists()
        record = self.call_service(service, **data)
        return self.answer(record, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Member returns (counts) of the units of the caller's subtree"),
    retrieve=extend_schema(summary="One member return",
                           responses={200: s.MemberReturnSerializer, **READ_ERRORS}),
)
class MemberReturnViewSet(_ReturnViewSet):
    queryset = MemberReturn.objects.all()
    return_model = MemberReturn
    serializer_class = s.MemberReturnSerializer
    write_serializer = s.MemberReturnWriteSerializer

    def scoped_queryset(self) -> QuerySet[MemberReturn]:
        return member_returns_visible_to(actor=self.actor).order_by("-as_of", "unit__path", "-id")

    @extend_schema(
        summary="Save a unit's member counts on a date (a unit without sub-units that reports counts)",
        request=s.MemberReturnWriteSerializer,
        responses={201: s.MemberReturnSerializer, 200: SAVED, **WRITE_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.save_return(member_return_save)


@extend_schema_view(
    list=extend_schema(summary="Non-member returns of the units of the caller's subtree"),
    retrieve=extend_schema(summary="One non-member return",
                           responses={200: s.NonMemberReturnSerializer, **READ_ERRORS}),
)
class NonMemberReturnViewSet(_ReturnViewSet):
    queryset = NonMemberReturn.objects.all()
    return_model = NonMemberReturn
    serializer_class = s.NonMemberReturnSerializer
    write_serializer = s.NonMemberReturnWriteSerializer

    def scoped_queryset(self) -> QuerySet[NonMemberReturn]:
        return non_member_returns_visible_to(actor=self.actor).order_by("-as_of", "unit__path", "-id")

    @extend_schema(
        summary="Save the non-members a unit expected to study and who studied, on a date",
        request=s.NonMemberReturnWriteSerializer,
        responses={201: s.NonMemberReturnSerializer, 200: SAVED, **WRITE_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.save_return(non_member_return_save)


@extend_schema_view(
    list=extend_schema(summary="Returns that know only part (a count without the number expected, or a "
                               "bound) of the units of the caller's subtree"),
    retrieve=extend_schema(summary="One return that knows only part",
                           responses={200: s.PartialReturnSerializer, **READ_ERRORS}),
)
class PartialReturnViewSet(ActivityViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):
    queryset = PartialReturn.objects.all()
    serializer_class = s.PartialReturnSerializer
    filterset_class = ReturnFilter

    def scoped_queryset(self) -> QuerySet[PartialReturn]:
        return partial_returns_visible_to(actor=self.actor).order_by("-as_of", "unit__path", "-id")

    @extend_schema(
        summary="Save what a unit knows of its study on a date and no more (never counted into a rate)",
        request=s.PartialReturnWriteSerializer,
        responses={201: s.PartialReturnSerializer, 200: SAVED, **WRITE_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.body(s.PartialReturnWriteSerializer)
        existed = PartialReturn.objects.filter(
            campaign=data["campaign"], unit=data["unit"], as_of=data["as_of"], who=data["who"],
            category=data["category"]).exists()
        record = self.call_service(partial_return_save, **data)
        return self.answer(record, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


# --- outreach --------------------------------------------------------------------------------------------


class OutreachFilter(ScopedFilterSet):
    unit = unit_filter()
    campaign = campaign_filter()
    channel = filters.ChoiceFilter(choices=Outreach.Channel.choices)
    held_on, date_from, date_to = _dates("held_on", "Held")


@extend_schema_view(
    list=extend_schema(summary="Outreach of the units of the caller's subtree"),
    retrieve=extend_schema(summary="One record of outreach",
                           responses={200: s.OutreachSerializer, **READ_ERRORS}),
)
class OutreachViewSet(ActivityViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    queryset = Outreach.objects.all()
    serializer_class = s.OutreachSerializer
    filterset_class = OutreachFilter

    def scoped_queryset(self) -> QuerySet[Outreach]:
        return outreach_visible_to(actor=self.actor)

    @extend_schema(summary="Record outreach (reach null: not known, counted apart)",
                   request=s.OutreachWriteSerializer, responses={201: s.OutreachSerializer, **WRITE_ERRORS})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        outreach = self.call_service(outreach_create, **self.body(s.OutreachWriteSerializer))
        return self.answer(outreach, status.HTTP_201_CREATED)

    def _update(self, *, partial: bool) -> Response:
        outreach = self.get_object()
        data = self.body(s.OutreachUpdateSerializer, editable=outreach.unit, partial=partial)
        current = {name: getattr(outreach, name)
                   for name in ("unit", "held_on", "channel", "sessions", "reach", "note")}
        self.call_service(outreach_update, outreach=outreach, **{**current, **data})
        return self.answer(outreach)

    @extend_schema(summary="Change a record of outreach (its campaign stays)",
                   request=s.OutreachUpdateSerializer, responses={200: s.OutreachSerializer, **WRITE_ERRORS})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(partial=False)

    @extend_schema(summary="Change some fields of a record of outreach; fields left out keep their values",
                   request=s.OutreachUpdateSerializer, responses={200: s.OutreachSerializer, **WRITE_ERRORS})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(partial=True)

    @extend_schema(summary="Delete a record of outreach", responses=DELETED)
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        outreach = self.get_object()
        if not can_edit(self.actor, outreach.unit):
            raise NotAllowed
        self.call_service(outreach_delete, outreach=outreach)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- materials -------------------------------------------------------------------------------------------


class MaterialTransferFilter(ScopedFilterSet):
    unit = _unit_param(
        method="of_unit",
        help_text="Id of a unit of the caller's subtree: transfers sent or received by it or by a unit "
                  "below it.",
    )
    campaign = campaign_filter()
    item = filters.ChoiceFilter(choices=MaterialTransfer.Item.choices)
    sent_on, date_from, date_to = _dates("sent_on", "Sent")

    class Meta:
        model = MaterialTransfer
        fields: list[str] = []

    def of_unit(
        self, queryset: QuerySet[MaterialTransfer], name: str, value: Unit
    ) -> QuerySet[MaterialTransfer]:
        return queryset.filter(Q(sender__path__under=value.path) | Q(recipient__path__under=value.path))


@extend_schema_view(
    list=extend_schema(summary="Materials sent or received by the units of the caller's subtree"),
    retrieve=extend_schema(summary="One transfer of materials",
                           responses={200: s.MaterialTransferSerializer, **READ_ERRORS}),
)
class MaterialTransferViewSet(ActivityViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                              viewsets.GenericViewSet):
    queryset = MaterialTransfer.objects.all()
    serializer_class = s.MaterialTransferSerializer
    filterset_class = MaterialTransferFilter

    def scoped_queryset(self) -> QuerySet[MaterialTransfer]:
        return transfers_visible_to(actor=self.actor).order_by("-sent_on", "-id")

    @extend_schema(
        summary="Record materials passed down (to the sender itself: its own supply); files are uploaded in "
                "the pages",
        request=s.MaterialTransferWriteSerializer,
        responses={201: s.MaterialTransferSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.body(s.MaterialTransferWriteSerializer)
        data["note"] = data["note"].strip()
        transfer = self.call_service(material_transfer_create, **data)
        return self.answer(transfer, status.HTTP_201_CREATED)

    @extend_schema(summary="Delete a transfer entered by mistake (not once the copies were passed on)",
                   responses={**DELETED, 400: ERROR_400})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        transfer = self.get_object()
        if not can_edit(self.actor, transfer.sender):
            raise NotAllowed
        self.call_service(material_transfer_delete, transfer=transfer)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- pledges ---------------------------------------------------------------------------------------------


class PledgeFilter(ScopedFilterSet):
    unit = unit_filter(
        "member__unit",
        help_text="Id of a unit of the caller's subtree: pledges of its members and of the units below it.",
    )
    campaign = campaign_filter()
    rating = filters.ChoiceFilter(choices=Rating.choices)
    registered_on, date_from, date_to = _dates("registered_on", "Registered")


@extend_schema_view(
    list=extend_schema(summary="Pledges of the members of the caller's subtree"),
    retrieve=extend_schema(summary="One pledge", responses={200: s.PledgeSerializer, **READ_ERRORS}),
)
class PledgeViewSet(ActivityViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    viewsets.GenericViewSet):
    queryset = Pledge.objects.all()
    serializer_class = s.PledgeSerializer
    filterset_class = PledgeFilter

    def scoped_queryset(self) -> QuerySet[Pledge]:
        return pledges_visible_to(actor=self.actor).order_by("member__unit__path", "member__code", "-id")

    @extend_schema(summary="Register a member's pledge (a member of a cell kept by name)",
                   request=s.PledgeWriteSerializer, responses={201: s.PledgeSerializer, **WRITE_ERRORS})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        pledge = self.call_service(pledge_register, **self.body(s.PledgeWriteSerializer))
        return self.answer(pledge, status.HTTP_201_CREATED)

    def _update(self, *, partial: bool) -> Response:
        pledge = self.get_object()
        data = self.body(s.PledgeUpdateSerializer, editable=pledge.member.unit, partial=partial)
        current = {"registered_on": pledge.registered_on, "text": pledge.text}
        self.call_service(pledge_update, pledge=pledge, **{**current, **data})
        return self.answer(pledge)

    @extend_schema(summary="Change a pledge's date and text", request=s.PledgeUpdateSerializer,
                   responses={200: s.PledgeSerializer, **WRITE_ERRORS})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(partial=False)

    @extend_schema(summary="Change a pledge's date or text; fields left out keep their values",
                   request=s.PledgeUpdateSerializer, responses={200: s.PledgeSerializer, **WRITE_ERRORS})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(partial=True)


class CellRatingsView(ActivityViewSetMixin, generics.GenericAPIView):
    """The year-end rating of a cell's pledges, at /units/<id>/pledge-ratings/."""

    queryset = Unit.objects.all()
    scope_field = ""
    serializer_class = s.CellRatingsWriteSerializer
    filter_backends: list[Any] = []
    pagination_class = None

    @extend_schema(
        summary="Rate the pledges of a cell's members at year end (all rows saved, or none)",
        request=s.CellRatingsWriteSerializer,
        responses={200: s.CellRatingsResultSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, unit_id: int) -> Response:
        cell = get_object_or_404(self.get_queryset(), pk=unit_id)
        if not is_cell(cell):
            raise Http404
        data = self.body(s.CellRatingsWriteSerializer, editable=cell)
        rows = data.pop("ratings")
        ratings = [RatingData(member=row["member"], rating=row["rating"], note=row["note"]) for row in rows]
        names = {f"member-{row['member'].pk}": f"ratings.{index}" for index, row in enumerate(rows)}
        changed = call_service(cell_ratings_save, field_names=names, actor=self.actor, unit=cell,
                               ratings=ratings, **data)
        return Response(s.CellRatingsResultSerializer({"changed": changed}).data)


@extend_schema_view(
    list=extend_schema(summary="Pledge returns (counts) of the units of the caller's subtree"),
    retrieve=extend_schema(summary="One pledge return",
                           responses={200: s.PledgeReturnSerializer, **READ_ERRORS}),
)
class PledgeReturnViewSet(_ReturnViewSet):
    queryset = PledgeReturn.objects.all()
    return_model = PledgeReturn
    serializer_class = s.PledgeReturnSerializer
    write_serializer = s.PledgeReturnWriteSerializer

    def scoped_queryset(self) -> QuerySet[PledgeReturn]:
        return pledge_returns_visible_to(actor=self.actor).order_by("-as_of", "unit__path", "-id")

    @extend_schema(
        summary="Save a unit's pledge counts on a date (a unit without sub-units that reports counts)",
        request=s.PledgeReturnWriteSerializer,
        responses={201: s.PledgeReturnSerializer, 200: SAVED, **WRITE_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.save_return(pledge_return_save)


# --- supervision -----------------------------------------------------------------------------------------


class VisitFilter(ScopedFilterSet):
    unit = unit_filter(help_text="Id of a unit of the caller's subtree: visits to it and the units below it.")
    campaign = campaign_filter()
    visited_on, date_from, date_to = _dates("visited_on", "Visited")


@extend_schema_view(
    list=extend_schema(summary="Supervision visits to the units of the caller's subtree, or by its officers"),
    retrieve=extend_schema(summary="One supervision visit",
                           responses={200: s.VisitSerializer, **READ_ERRORS}),
)
class VisitViewSet(ActivityViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   viewsets.GenericViewSet):
    queryset = Visit.objects.all()
    serializer_class = s.VisitSerializer
    filterset_class = VisitFilter

    def scoped_queryset(self) -> QuerySet[Visit]:
        return visits_visible_to(actor=self.actor).order_by("-visited_on", "-id")

    @extend_schema(summary="Record a supervision visit by an officer of the caller's subtree",
                   request=s.VisitWriteSerializer, responses={201: s.VisitSerializer, **WRITE_ERRORS})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        visit = self.call_service(visit_create, **self.body(s.VisitWriteSerializer))
        return self.answer(visit, status.HTTP_201_CREATED)

    def _update(self, *, partial: bool) -> Response:
        visit = self.get_object()
        data = self.body(s.VisitUpdateSerializer, editable=visit.supervisor.unit, partial=partial)
        current = {name: getattr(visit, name)
                   for name in ("visited_on", "findings", "follow_up", "closed_on")}
        self.call_service(visit_update, visit=visit, **{**current, **data})
        return self.answer(visit)

    @extend_schema(summary="Change a visit's findings and follow-up, or close the follow-up",
                   request=s.VisitUpdateSerializer, responses={200: s.VisitSerializer, **WRITE_ERRORS})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(partial=False)

    @extend_schema(summary="Change some fields of a visit; fields left out keep their values",
                   request=s.VisitUpdateSerializer, responses={200: s.VisitSerializer, **WRITE_ERRORS})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(partial=True)


extra_urls: list[URLPattern] = [
    path("units/<int:unit_id>/pledge-ratings/", CellRatingsView.as_view(), name="cell-ratings"),
]


def register(router: DefaultRouter) -> None:
    """Adds this module's viewsets to the v1 router."""
    router.register("events", EventViewSet, basename="event")
    router.register("presenters", PresenterViewSet, basename="presenter")
    router.register("member-returns", MemberReturnViewSet, basename="member-return")
    router.register("non-member-returns", NonMemberReturnViewSet, basename="non-member-return")
    router.register("partial-returns", PartialReturnViewSet, basename="partial-return")
    router.register("outreach", OutreachViewSet, basename="outreach")
    router.register("material-transfers", MaterialTransferViewSet, basename="material-transfer")
    router.register("pledges", PledgeViewSet, basename="pledge")
    router.register("pledge-returns", PledgeReturnViewSet, basename="pledge-return")
    router.register("supervision-visits", VisitViewSet, basename="supervision-visit")
