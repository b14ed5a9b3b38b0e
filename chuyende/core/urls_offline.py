from django.urls import path

from chuyende.core import offline

app_name = "offline"
urlpatterns = [
    path("", offline.offline_page, name="page"),
    path("chua-gui/", offline.unsent_page, name="unsent"),
]
