"""Core API: units, members, campaigns, reports and the roll-up figures, in the caller's subtree.

Reads go through the apps' selectors (another subtree: 404), writes through their services with keyword
arguments (`ScopedViewSetMixin.call_service`); the figures are `reports.figures.live_figures`, nothing is
counted here.
"""

import datetime
from typing import Any

from django.db.models import F, Prefetch, QuerySet
from django.http import HttpResponseBase
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from chuyende.accounts.permissions import scope_root
from chuyende.api import serializers_core as s
from chuyende.api.base import (
    ERROR_400,
    ERROR_404,
    READ_ERRORS,
    WRITE_ERRORS,
    DetailSerializer,
    ScopedFilterSet,
    ScopedViewSetMixin,
    call_service,
    campaign_filter,
    date_filter,
    request_actor,
    unit_filter,
    validate,
)
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.selectors import campaigns_for
from chuyende.campaigns.services import GuidingDocumentData, campaign_create, campaign_update
from chuyende.core.exceptions import NotInScope
from chuyende.figures.comparison import change_sentence, comparison_json, comparisons
from chuyende.figures.selectors import units_below_on
from chuyende.figures.snapshot import to_json
from chuyende.figures.tree import units_on
from chuyende.members.models import Member, MemberStatus, MemberStatusChoices
from chuyende.members.selectors import matching, members_visible_to, with_status_on
from chuyende.members.services import member_create, member_status_change, member_update
from chuyende.organisation.models import Unit
from chuyende.organisation.selectors import history as unit_history
from chuyende.organisation.selectors import subtree
from chuyende.organisation.services import unit_create, unit_update
from chuyende.reports import documents
from chuyende.reports import services as report_services
from chuyende.reports.figures import frozen_figures_of, live_figures
from chuyende.reports.models import Report
from chuyende.reports.selectors import reports_visible_to
from chuyende.reports.views_documents import document_response

ERROR_409 = OpenApiResponse(DetailSerializer, description="Someone else saved the report meanwhile.")
ERROR_503 = OpenApiResponse(
    DetailSerializer, description="The file cannot be made now (e.g. no LibreOffice): the detail says why."
)
DOWNLOAD_DESCRIPTION = (
    "The same file as the report page's download, made by the same function. `Content-Disposition` names it "
    "in ASCII (`filename`, e.g. `BC-01-BTGHU-BN.HA.{extension}`) and in Vietnamese (`filename*`). A report "
    "outside the caller's subtree is 404."
)


class IgnoreAccept(BaseContentNegotiation):
    """A download answers with its file's type whatever the client accepts (no 406), an error as JSON."""

    def select_parser(self, request: Any, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Any, renderers: Any, format_suffix: str | None = None) -> Any:
        return renderers[0], renderers[0].media_type


DOWNLOAD: dict[str, Any] = {"renderer_classes": [JSONRenderer], "content_negotiation_class": IgnoreAccept}


def _created(data: Any) -> Response:
    return Response(data, status=status.HTTP_201_CREATED)


# --- units -----------------------------------------------------------------------------------------------


class UnitFilter(ScopedFilterSet):
    unit = unit_filter(
        "", help_text="Id of a unit of the caller's subtree: that unit and every unit below it."
    )
    parent = unit_filter("parent", subtree=False, help_text="Id of a unit: its direct sub-units.")
    code = filters.CharFilter(field_name="code", help_text="Exact code.")
    depth = filters.NumberFilter(field_name="depth", help_text="Depth in the tree (1: the top level).")
    kind = filters.ChoiceFilter(choices=Unit.Kind.choices)
    tracking = filters.ChoiceFilter(choices=Unit.Tracking.choices)


@extend_schema_view(
    list=extend_schema(summary="Units of the caller's subtree"),
    retrieve=extend_schema(summary="One unit", responses={200: s.UnitSerializer, **READ_ERRORS}),
)
class UnitViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Unit.objects.all()
    serializer_class = s.UnitSerializer
    filterset_class = UnitFilter
    scope_field = ""

    def scoped_queryset(self) -> QuerySet[Unit]:
        return subtree(root=self.root).order_by("path")

    @extend_schema(
        summary="Create a unit (administrators and officers)",
        request=s.UnitWriteSerializer,
        responses={201: s.UnitSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated(s.UnitWriteSerializer)
        unit = self.call_service(unit_create, **data)
        return _created(s.UnitSerializer(unit).data)

    @extend_schema(
        summary="Change a unit (administrators and officers); fields left out keep their values",
        request=s.UnitWriteSerializer,
        responses={200: s.UnitSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        unit = self.get_object()
        data = self.validated(s.UnitWriteSerializer, partial=True)
        current = {
            name: getattr(unit, name)
            for name in ("code", "name", "kind", "sector", "tracking", "parent", "opened_on", "closed_on")
        }
        unit = self.call_service(unit_update, unit=unit, **{**current, **data})
        return Response(s.UnitSerializer(unit).data)

    @extend_schema(
        summary="The caller's subtree as it was on a day: each unit's name, kind, tracking and parent then",
        parameters=[s.AsOfQuerySerializer],
        responses={200: s.UnitSerializer(many=True), 400: ERROR_400},
    )
    @action(detail=False, methods=["get"], url_path="as-of")
    def as_of(self, request: Request) -> Response:
        query = validate(s.AsOfQuerySerializer(data=request.query_params, context={"request": request}))
        units = units_on(root=self.root, day=query["as_of"])
        page: list[Unit] | None = self.paginate_queryset(units)  # type: ignore[arg-type]
        return self.get_paginated_response(s.UnitSerializer(page, many=True).data)

    @extend_schema(
        summary="A unit's periods (with the decisions that began them), predecessors and successors",
        responses={200: s.UnitHistorySerializer, **READ_ERRORS},
    )
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None) -> Response:
        found = unit_history(unit=self.get_object())
        return Response({
            "periods": [{"valid_from": e.period.valid_from, "valid_to": e.period.valid_to,
                         "name": e.period.name, "kind": e.period.kind, "sector": e.period.sector,
                         "tracking": e.period.tracking,
                         "parent_id": e.period.parent_id, "decision": e.decision} for e in found.periods],
            "predecessors": [{"code": u.code, "how": str(how), "on": on}
                             for u, how, on in found.predecessors],
            "successors": [{"code": u.code, "how": str(how), "on": on} for u, how, on in found.successors],
        })


# --- members ---------------------------------------------------------------------------------------------

AS_OF_HELP = "Status as of this day (ISO date, default today)."


class MemberFilter(ScopedFilterSet):
    unit = unit_filter()
    code = filters.CharFilter(field_name="code", help_text="Exact member code.")
    q = filters.CharFilter(
        method="search",
        help_text="Words of the name or code, from a word start; case and diacritics are ignored.",
    )
    status = filters.ChoiceFilter(
        field_name="status_now", choices=MemberStatusChoices.choices, help_text="Status on `as_of`."
    )
    as_of = filters.DateFilter(method="keep", help_text=AS_OF_HELP)
    membership = filters.ChoiceFilter(choices=Member.Membership.choices)

    def search(self, queryset: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        return matching(queryset, value) if value.strip() else queryset

    def keep(self, queryset: QuerySet[Member], name: str, value: datetime.date) -> QuerySet[Member]:
        return queryset  # read by MemberViewSet.as_of for the status annotation


def parse_date_param(request: Request, name: str) -> datetime.date | None:
    """A date query parameter (400 naming it when malformed), None when absent."""
    raw = request.query_params.get(name, "")
    if not raw:
        return None
    try:
        return s.BoundedDateField().run_validation(raw)  # type: ignore[no-any-return]
    except serializers.ValidationError as error:
        raise serializers.ValidationError({name: error.detail}) from error


@extend_schema_view(
    list=extend_schema(summary="Party members of the caller's subtree"),
    retrieve=extend_schema(
        summary="One member with the history of their status",
        responses={200: s.MemberSerializer, **READ_ERRORS},
    ),
)
class MemberViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Member.objects.all()
    serializer_class = s.MemberSerializer
    filterset_class = MemberFilter

    def scoped_queryset(self) -> QuerySet[Member]:
        day = parse_date_param(self.request, "as_of") or timezone.localdate()
        periods = MemberStatus.objects.order_by(F("valid_from").asc(nulls_first=True))
        return with_status_on(members_visible_to(actor=self.actor), day).prefetch_related(
            Prefetch("statuses", queryset=periods)
        )

    def _answer(self, member: Member, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.scoped_queryset().get(pk=member.pk)
        return Response(s.MemberSerializer(fresh).data, status=code)

    @extend_schema(
        summary="Add a member to a unit that keeps its members one by one",
        request=s.MemberCreateSerializer,
        responses={201: s.MemberSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated(s.MemberCreateSerializer)
        member = self.call_service(member_create, **data)
        return self._answer(member, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a member's details; fields left out keep their values",
        request=s.MemberWriteSerializer,
        responses={200: s.MemberSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        member = self.get_object()
        data = self.validated(s.MemberWriteSerializer, partial=True)
        current = {name: getattr(member, name) for name in s.MemberWriteSerializer._declared_fields}
        member = self.call_service(member_update, member=member, **{**current, **data})
        return self._answer(member)

    @extend_schema(
        summary="Change a member's status from a day on",
        request=s.MemberStatusChangeSerializer,
        responses={201: s.MemberStatusSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request: Request, pk: str | None = None) -> Response:
        member = self.get_object()
        data = self.validated(s.MemberStatusChangeSerializer)
        period = self.call_service(member_status_change, member=member, **data)
        return _created(s.MemberStatusSerializer(period).data)


# --- campaigns -------------------------------------------------------------------------------------------


class CampaignFilter(ScopedFilterSet):
    year = filters.NumberFilter(field_name="year")
    kind = filters.ChoiceFilter(choices=Campaign.Kind.choices)
    code = filters.CharFilter(field_name="code", help_text="Exact code.")
    owner = unit_filter("owner", subtree=False, help_text="Id of the owning unit (in the caller's subtree).")
    date = filters.DateFilter(method="running_on", help_text="Campaigns running on this day.")

    def running_on(self, queryset: QuerySet[Campaign], name: str, value: datetime.date) -> QuerySet[Campaign]:
        return queryset.filter(starts__lte=value, ends__gte=value)


@extend_schema_view(
    list=extend_schema(summary="Campaigns the caller may see (own, above and below)"),
    retrieve=extend_schema(summary="One campaign", responses={200: s.CampaignSerializer, **READ_ERRORS}),
)
class CampaignViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Campaign.objects.all()
    serializer_class = s.CampaignSerializer
    filterset_class = CampaignFilter

    def scoped_queryset(self) -> QuerySet[Campaign]:
        return (
            campaigns_for(actor=self.actor)
            .select_related("owner")
            .prefetch_related("guiding_documents")
            .order_by("-year", "code")
        )

    @extend_schema(
        summary="Create a campaign owned by a unit of the caller's subtree",
        request=s.CampaignCreateSerializer,
        responses={201: s.CampaignSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated(s.CampaignCreateSerializer)
        owner = data.pop("owner", None) or self.root
        documents = [GuidingDocumentData(**document) for document in data.pop("guiding_documents")]
        campaign = self.call_service(campaign_create, owner=owner, guiding_documents=documents, **data)
        return _created(s.CampaignSerializer(self.scoped_queryset().get(pk=campaign.pk)).data)

    @extend_schema(
        summary="Correct a campaign (who may edit its owning unit); every correctable field is given",
        request=s.CampaignUpdateSerializer,
        responses={200: s.CampaignSerializer, **WRITE_ERRORS},
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(partial=False)

    @extend_schema(
        summary="Correct a campaign (who may edit its owning unit); fields left out keep their values",
        request=s.CampaignUpdateSerializer,
        responses={200: s.CampaignSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(partial=True)

    def _update(self, *, partial: bool) -> Response:
        campaign = self.get_object()
        data = self.validated(s.CampaignUpdateSerializer, partial=partial)
        current: dict[str, Any] = {
            name: getattr(campaign, name) for name in s.CampaignUpdateSerializer._declared_fields
            if name not in {"guiding_documents", "confirm_after_submission"}
        }
        current["guiding_documents"] = [
            GuidingDocumentData(id=d.pk, number=d.number, issued_on=d.issued_on, issuer=d.issuer,
                                title=d.title)
            for d in campaign.guiding_documents.all()
        ]
        if "guiding_documents" in data:
            data["guiding_documents"] = [GuidingDocumentData(**row) for row in data["guiding_documents"]]
        self.call_service(campaign_update, campaign=campaign, **{**current, **data})
        return Response(s.CampaignSerializer(self.scoped_queryset().get(pk=campaign.pk)).data)


# --- reports ---------------------------------------------------------------------------------------------


class ReportFilter(ScopedFilterSet):
    unit = unit_filter()
    campaign = campaign_filter()
    status = filters.ChoiceFilter(choices=Report.Status.choices)
    as_of = date_filter("as_of", help_text="Reports whose figures are as of this day.")
    date_from = date_filter("issued_on", "gte", help_text="Documents dated on or after this day.")
    date_to = date_filter("issued_on", "lte", help_text="Documents dated on or before this day.")


@extend_schema_view(
    list=extend_schema(summary="Reports of the units of the caller's subtree"),
    retrieve=extend_schema(
        summary="One report with its status and, once submitted, its frozen figures",
        responses={200: s.ReportSerializer, **READ_ERRORS},
    ),
)
class ReportViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Report.objects.all()
    serializer_class = s.ReportSerializer
    filterset_class = ReportFilter

    def scoped_queryset(self) -> QuerySet[Report]:
        return reports_visible_to(actor=self.actor).order_by("unit__path", "-issued_on", "-pk")

    def _answer(self, report: Report, code: int = status.HTTP_200_OK) -> Response:
        return Response(s.ReportSerializer(self.scoped_queryset().get(pk=report.pk)).data, status=code)

    @extend_schema(
        summary="Create a draft report (header filled in for the unit)",
        request=s.ReportCreateSerializer,
        responses={201: s.ReportSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated(s.ReportCreateSerializer)
        report = self.call_service(report_services.report_create, **data)
        return self._answer(report, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a draft or returned report; fields left out keep their values",
        request=s.ReportUpdateSerializer,
        responses={200: s.ReportSerializer, **WRITE_ERRORS, 409: ERROR_409},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report = self.get_object()
        data = self.validated(s.ReportUpdateSerializer, partial=True)
        version = data.pop("version", report.version)
        # A stale version raises ReportConflict: 409 (api.errors).
        report = self.call_service(report_services.report_update, report=report, version=version, **data)
        return self._answer(report)

    def _step(self, service: Any, **kwargs: Any) -> Response:
        report = self.get_object()
        report = self.call_service(service, report=report, on=timezone.localdate(), **kwargs)
        return self._answer(report)

    @extend_schema(
        summary="Send the report to the level above, freezing its figures",
        request=s.EmptySerializer,
        responses={200: s.ReportSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        self.validated(s.EmptySerializer)
        return self._step(report_services.report_submit)

    @extend_schema(
        summary="Accept a submitted report (the level above)",
        request=s.EmptySerializer,
        responses={200: s.ReportSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        self.validated(s.EmptySerializer)
        return self._step(report_services.report_accept)

    @extend_schema(
        summary="Return a submitted report for correction (the level above)",
        request=s.ReportReturnSerializer,
        responses={200: s.ReportSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_for_correction(self, request: Request, pk: str | None = None) -> Response:
        data = self.validated(s.ReportReturnSerializer)
        return self._step(report_services.report_return, comment=data["comment"])

    # --- the report's documents: the functions the pages use (reports.documents, views_documents) ---

    @extend_schema(
        summary="Section II of the report as drafted from its figures (paragraphs and plain text)",
        description="The paragraphs the Word document prints in section II, in Vietnamese, from the figures "
        "frozen at submission (live figures while the report is a draft or returned). A report outside the "
        "caller's subtree is 404.",
        responses={200: s.SectionIISerializer, **READ_ERRORS},
    )
    @action(detail=True, methods=["get"], url_path="section-ii", url_name="section-ii",
            filter_backends=[], pagination_class=None)
    def section_ii(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        paragraphs = documents.section_ii(report)
        return Response({
            "report": report.pk,
            "figures_frozen": frozen_figures_of(report) is not None and not report.is_editable,
            "paragraphs": [{"text": p.text, "heading": p.heading} for p in paragraphs],
            "text": "\n".join(p.text for p in paragraphs),
        })

    def _document(self, extension: str) -> HttpResponseBase:
        report = self.get_object()
        try:
            response = document_response(report, extension)
        except documents.DocumentError as error:
            return Response({"detail": str(error)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        add_never_cache_headers(response)
        return response

    @extend_schema(
        summary="The report as a Word document (Hướng dẫn 36-HD/VPTW, or the unit's own template)",
        description=DOWNLOAD_DESCRIPTION.format(extension="docx"),
        responses={(200, documents.DOCX_TYPE): OpenApiTypes.BINARY, **READ_ERRORS, 503: ERROR_503},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None, **DOWNLOAD)
    def docx(self, request: Request, pk: str | None = None) -> HttpResponseBase:
        return self._document("docx")

    @extend_schema(
        summary="The report as a PDF (the Word document converted by LibreOffice)",
        description=DOWNLOAD_DESCRIPTION.format(extension="pdf"),
        responses={(200, documents.PDF_TYPE): OpenApiTypes.BINARY, **READ_ERRORS, 503: ERROR_503},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None, **DOWNLOAD)
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponseBase:
        return self._document("pdf")

    @extend_schema(
        summary="The report's statistics appendix as an Excel workbook",
        description=DOWNLOAD_DESCRIPTION.format(extension="xlsx"),
        responses={(200, documents.XLSX_TYPE): OpenApiTypes.BINARY, **READ_ERRORS, 503: ERROR_503},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None, **DOWNLOAD)
    def xlsx(self, request: Request, pk: str | None = None) -> HttpResponseBase:
        return self._document("xlsx")


# --- roll-up figures -------------------------------------------------------------------------------------


class FiguresView(APIView):
    """GET /api/v1/figures/?unit=&campaign=&as_of= — the dict of `reports.figures.live_figures`."""

    @extend_schema(
        operation_id="figures_retrieve",
        summary="Every figure of a unit's subtree for a campaign, as of a date",
        parameters=[s.FiguresQuerySerializer],
        responses={200: s.FiguresSerializer, 400: ERROR_400, 404: ERROR_404},
    )
    def get(self, request: Request) -> Response:
        query = validate(s.FiguresQuerySerializer(data=request.query_params, context={"request": request}))
        actor = request_actor(request)
        if actor is None:
            raise NotInScope
        unit = query.get("unit") or scope_root(actor)
        as_of = query.get("as_of") or timezone.localdate()
        figures = call_service(live_figures, unit=unit, campaign=query["campaign"], as_of=as_of)
        return Response(to_json(figures))


class ComparisonView(APIView):
    """GET /api/v1/comparison/?unit=&earlier=&earlier_as_of=&later=&later_as_of= — the earlier
    campaign's coverage mapped onto the later date's tree beside the later one's."""

    @extend_schema(
        operation_id="comparison_retrieve",
        summary="An earlier campaign's coverage on today's tree beside a later campaign's",
        parameters=[s.ComparisonQuerySerializer],
        responses={200: s.ComparisonSerializer, 400: ERROR_400, 404: ERROR_404},
    )
    def get(self, request: Request) -> Response:
        query = validate(s.ComparisonQuerySerializer(data=request.query_params, context={"request": request}))
        actor = request_actor(request)
        if actor is None:
            raise NotInScope
        unit = query.get("unit") or scope_root(actor)
        later_as_of = query["later_as_of"]
        units = [unit, *units_below_on(unit=unit, day=later_as_of)]
        rows = comparisons(units=units, earlier=query["earlier"], earlier_as_of=query["earlier_as_of"],
                           later=query["later"], later_as_of=later_as_of)
        sentence = change_sentence(rows[0], year=query["earlier"].year,
                                   precision=query["later"].rate_precision)
        return Response({"unit": comparison_json(rows[0]), "children": [comparison_json(r) for r in rows[1:]],
                         "sentence": sentence})


extra_urls: list[URLPattern] = [
    path("figures/", FiguresView.as_view(), name="figures"),
    path("comparison/", ComparisonView.as_view(), name="comparison"),
]


def register(router: DefaultRouter) -> None:
    """Adds this module's viewsets to the v1 router."""
    router.register("units", UnitViewSet, basename="unit")
    router.register("members", MemberViewSet, basename="member")
    router.register("campaigns", CampaignViewSet, basename="campaign")
    router.register("reports", ReportViewSet, basename="report")
