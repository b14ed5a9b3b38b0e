"""POST /api/v1/report-checks/: the arithmetic claims of any report and their verdicts.

A file (.docx, PDF, text) as multipart `file`, or the text itself as `text`; nothing is stored.
The same `reports.checker.check_report` as the checker page and `manage.py check_report`.
"""

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from chuyende.api.base import ERROR_400
from chuyende.reports.checker import check_report
from chuyende.reports.reading import MAX_BYTES, UnreadableDocument
from chuyende.reports.views_checker import CheckerForm


class ReportCheckRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        required=False, help_text="The report: .docx, PDF with a text layer, or text."
    )
    text = serializers.CharField(required=False, help_text="The report's text, instead of a file.")
    precision = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=4,
        default=2,
        help_text="Decimals a recomputed rate shows at least.",
    )


class ClaimSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="The claim's words, as in the report.")
    verdict = serializers.ChoiceField(choices=["holds", "does_not_hold", "cannot_check"])
    stated = serializers.CharField(help_text="The figure the report gives.")
    computed = serializers.CharField(help_text="The figure recomputed from the report's own numbers.")
    where = serializers.CharField(help_text="Page and paragraph.")
    kind = serializers.CharField()
    reason = serializers.CharField()
    sentence = serializers.CharField()
    paragraph = serializers.IntegerField()
    page = serializers.IntegerField(allow_null=True)
    start = serializers.IntegerField()
    end = serializers.IntegerField()


class ReadSerializer(serializers.Serializer):
    kind = serializers.CharField()
    paragraphs = serializers.IntegerField()
    pages_read = serializers.IntegerField(allow_null=True)
    pages_total = serializers.IntegerField(allow_null=True)
    complete = serializers.BooleanField()
    extent = serializers.CharField()


class ReportCheckSerializer(serializers.Serializer):
    claims = ClaimSerializer(many=True)
    verdicts = serializers.DictField(child=serializers.IntegerField())
    read = ReadSerializer()


class CheckerThrottle(UserRateThrottle):
    rate = "60/minute"


class ReportCheckView(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    throttle_classes = [CheckerThrottle]

    @extend_schema(
        operation_id="report_checks_create",
        summary="Check the arithmetic claims of any report (a file or its text)",
        request={
            "multipart/form-data": ReportCheckRequestSerializer,
            "application/json": ReportCheckRequestSerializer,
        },
        responses={200: ReportCheckSerializer, 400: ERROR_400},
    )
    def post(self, request: Request) -> Response:
        form = CheckerForm(data=request.data, files=request.FILES)
        if not form.is_valid():
            return Response(
                {
                    "detail": " ".join(str(e) for errors in form.errors.values() for e in errors),
                    "errors": form.errors,
                },
                status=400,
            )
        upload = form.cleaned_data.get("file")
        precision = form.cleaned_data.get("precision")
        try:
            checked = check_report(
                data=upload.read(MAX_BYTES + 1) if upload else None,
                text=form.cleaned_data.get("text"),
                precision=2 if precision is None else precision,
            )
        except UnreadableDocument as error:
            return Response({"detail": str(error), "errors": {"file": [str(error)]}}, status=400)
        return Response(checked.as_json())


extra_urls: list[URLPattern] = [path("report-checks/", ReportCheckView.as_view(), name="report-checks")]
