from django.urls import path

from chuyende.reports import views_checks

urlpatterns = [
    path("kiem-tra/", views_checks.checks_page, name="checks"),
]
