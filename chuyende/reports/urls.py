from django.urls import include, path

app_name = "reports"

urlpatterns = [
    path("", include("chuyende.reports.urls_pages")),
    path("", include("chuyende.reports.urls_sources")),
    path("", include("chuyende.reports.urls_documents")),
    path("", include("chuyende.reports.urls_checks")),
    path("", include("chuyende.reports.urls_templates")),
]
