"""The site's URLs plus a page and an API view that fail, for tests/core/test_errors.py."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chuyende.urls import handler500
from chuyende.urls import urlpatterns as site_urlpatterns


class ForcedFailure(Exception):
    pass


def failing_page(request: HttpRequest) -> HttpResponse:
    raise ForcedFailure(f"page failure {request.GET.get('mark', '')}")


class FailingApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        raise ForcedFailure(f"API failure {request.GET.get('mark', '')}")


urlpatterns = [
    path("thu-loi/", failing_page),
    path("api/thu-loi/", FailingApi.as_view()),
    *site_urlpatterns,
]

__all__ = ["handler500", "urlpatterns"]
