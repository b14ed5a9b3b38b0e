from django.urls import path

from chuyende.reports import views_checker, views_checks

urlpatterns = [
    path("kiem-tra/", views_checks.checks_page, name="checks"),
    path("kiem-tra-bao-cao/", views_checker.checker_page, name="checker"),
    path("kiem-tra-bao-cao/nhap-so-lieu/", views_checker.checker_returns_page, name="checker_returns"),
]
