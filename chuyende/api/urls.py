from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from chuyende.api import (
    views_accounts,
    views_activity,
    views_checker,
    views_core,
    views_docs,
    views_imports,
    views_restructuring,
    views_token,
)


class DocsView(views_docs.SwaggerPage):
    """The Swagger page, for signed-in users (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]); a browser without
    a session is sent to the login page and back."""

    def handle_exception(self, exc: Exception) -> Response | Any:
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)


router = DefaultRouter()
views_core.register(router)
views_activity.register(router)
views_accounts.register(router)
views_imports.register(router)
views_restructuring.register(router)

v1: list[URLPattern | URLResolver] = [
    path("token/", views_token.TokenView.as_view(), name="token"),
    *views_core.extra_urls,
    *views_activity.extra_urls,
    *views_accounts.extra_urls,
    *views_checker.extra_urls,
    path("", include(router.urls)),
]

urlpatterns = [
    path("v1/", include((v1, "v1"))),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", DocsView.as_view(url_name="schema"), name="docs"),
    path("token-page/", views_token.token_page, name="api-token-page"),
]
