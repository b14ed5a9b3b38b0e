"""Imports API: upload a filled template (multipart), read its preview, start it, follow the job.

The same services as the import pages (`chuyende.imports.services`): a job belongs to the user who
uploaded it (anybody else's is 404), every start is queued for the job runner, and a file larger than
IMPORT_UPLOAD_MAX_BYTES is stopped while it streams in (`chuyende.core.uploads`) and answered 400 on
`file`, nothing stored.
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from chuyende.api.base import (
    READ_ERRORS,
    WRITE_ERRORS,
    ScopedPrimaryKeyRelatedField,
    ScopedViewSetMixin,
    StrictSerializer,
    enum_field,
)
from chuyende.api.serializers_core import EmptySerializer
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.selectors import campaigns_for
from chuyende.core.uploads import refused_upload
from chuyende.imports import engine, services
from chuyende.imports.forms import kind_choices
from chuyende.imports.models import ImportJob
from chuyende.imports.selectors import jobs_of


def _campaigns(actor: Any) -> QuerySet[Campaign]:
    return Campaign.objects.none() if actor is None else campaigns_for(actor=actor)


class ImportUploadSerializer(StrictSerializer):
    kind = enum_field(kind_choices(), "ImportKindEnum", help_text="What the file contains.")
    file = serializers.FileField(help_text="The filled template (.xlsx) or a UTF-8 .csv file.")
    campaign = ScopedPrimaryKeyRelatedField(
        queryset=Campaign.objects.all(), scope=_campaigns, required=False, allow_null=True,
        help_text="Used for the rows whose campaign code is left empty.",
    )


class ImportProblemSerializer(serializers.Serializer):
    """One problem of an import, as the job page and the annotated copy show it."""

    sheet = serializers.CharField(help_text="The sheet's name.")
    row = serializers.IntegerField(
        allow_null=True, help_text="The spreadsheet row (1-based); null: the file as a whole.")
    column = serializers.CharField(help_text="Header and letter, e.g. “Năm sinh (D)”.")
    value = serializers.CharField(allow_null=True, help_text="The cell's text.")
    message = serializers.CharField(help_text="What is wrong and what to do (Vietnamese).")
    letter = serializers.CharField(default="", help_text="The column's letter.")
    header = serializers.CharField(default="", help_text="The template column's header.")


class ImportJobSerializer(serializers.ModelSerializer):
    kind = enum_field(kind_choices(), "ImportKindEnum", read_only=True)
    status = enum_field(ImportJob.Status.choices, "ImportJobStatusEnum", read_only=True)
    done_rows = serializers.SerializerMethodField()
    total_rows = serializers.SerializerMethodField()
    stalled = serializers.SerializerMethodField(
        help_text="Waiting for more than a minute: no job runner seems to run.")
    problems = ImportProblemSerializer(many=True, read_only=True)

    class Meta:
        model = ImportJob
        fields = ["id", "kind", "filename", "campaign", "status", "done_rows", "total_rows", "created_count",
                  "updated_count", "unchanged_count", "problems", "interrupted", "stalled", "created_at",
                  "queued_at", "started_at", "finished_at"]
        read_only_fields = fields

    def get_done_rows(self, job: ImportJob) -> int:
        return services.read_progress(job)[0]

    def get_total_rows(self, job: ImportJob) -> int:
        return services.read_progress(job)[1]

    def get_stalled(self, job: ImportJob) -> bool:
        return services.job_is_stalled(job)


class PreviewColumnSerializer(serializers.Serializer):
    letter = serializers.CharField()
    header = serializers.CharField()
    template_header = serializers.CharField(allow_null=True)


class ImportPreviewSerializer(serializers.Serializer):
    sheet_name = serializers.CharField()
    total_rows = serializers.IntegerField(allow_null=True)
    columns = PreviewColumnSerializer(many=True)
    problems = ImportProblemSerializer(many=True, help_text="What stops the file from being started.")


class UploadedImportSerializer(serializers.Serializer):
    job = ImportJobSerializer()
    preview = ImportPreviewSerializer()


def _preview_data(preview: engine.Preview) -> dict[str, Any]:
    return {
        "sheet_name": preview.sheet_name, "total_rows": preview.total_rows,
        "columns": [
            {"letter": column.letter, "header": column.header, "template_header": column.template_header}
            for column in preview.columns
        ],
        "problems": [services.problem_dict(problem) for problem in preview.problems],
    }


@extend_schema_view(
    list=extend_schema(summary="The caller's import jobs, newest first"),
    retrieve=extend_schema(summary="One import job: status, progress, counts or problems",
                           responses={200: ImportJobSerializer, **READ_ERRORS}),
)
class ImportJobViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       viewsets.GenericViewSet):
    queryset = ImportJob.objects.all()
    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser]
    # The upload handler stops a larger file while it streams in (chuyende.core.uploads).
    upload_limit_setting = "IMPORT_UPLOAD_MAX_BYTES"

    def scoped_queryset(self) -> QuerySet[ImportJob]:
        return jobs_of(actor=self.actor)

    @extend_schema(
        summary="Upload a file to import (not started: read the preview, then start it)",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: UploadedImportSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        request.data  # noqa: B018 - parses the body, where the upload handler may stop the file
        refusal = refused_upload(request._request)
        if refusal is not None:
            raise services.refused_upload_error(refusal)
        data = self.validated(ImportUploadSerializer)
        job = self.call_service(services.import_job_create, kind=data["kind"], upload=data["file"],
                                campaign=data.get("campaign"))
        preview = services.job_preview(actor=self.actor, job=job)
        answer = {"job": ImportJobSerializer(job).data, "preview": _preview_data(preview)}
        return Response(answer, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Start the import: queued for the job runner; follow it with GET",
        request=EmptySerializer, responses={202: ImportJobSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser])
    def start(self, request: Request, pk: str | None = None) -> Response:
        job = self.get_object()
        self.validated(EmptySerializer)
        if job.status == ImportJob.Status.UPLOADED:
            preview = services.job_preview(actor=self.actor, job=job)
            # As in the preview page: a file whose header or structure is wrong is not started.
            if preview.problems:
                return Response({"errors": {"file": [problem.message for problem in preview.problems]}},
                                status=status.HTTP_400_BAD_REQUEST)
            rows = services.rows_in(preview)
        else:
            rows = None  # already started: the service refuses it
        job = self.call_service(services.import_job_start, job=job, rows=rows)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


def register(router: DefaultRouter) -> None:
    router.register("imports", ImportJobViewSet, basename="import")

