from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from chuyende.api import views_activity, views_core, views_docs, views_token

router = DefaultRouter()
views_core.register(router)
views_activity.register(router)

v1: list[URLPattern | URLResolver] = [
    path("token/", views_token.TokenView.as_view(), name="token"),
    *views_core.extra_urls,
    *views_activity.extra_urls,
    path("", include(router.urls)),
]

urlpatterns = [
    path("v1/", include((v1, "v1"))),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", views_docs.SwaggerPage.as_view(url_name="schema"), name="docs"),
    path("token-page/", views_token.token_page, name="api-token-page"),
]
