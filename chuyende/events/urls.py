from django.urls import path

from chuyende.events import views

app_name = "events"
urlpatterns = [path("", views.list_page, name="list")]
