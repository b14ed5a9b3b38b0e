from django.urls import path

from chuyende.reports import views_sources

urlpatterns = [
    path("<int:pk>/nguon/", views_sources.figure_source_page, name="figure_source"),
]
