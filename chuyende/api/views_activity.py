from django.urls import URLPattern
from rest_framework.routers import DefaultRouter

extra_urls: list[URLPattern] = []


def register(router: DefaultRouter) -> None:
    """Adds this module's viewsets to the v1 router."""
