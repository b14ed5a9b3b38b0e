from django.urls import path

from chuyende.audit import views

app_name = "audit"
urlpatterns = [path("", views.list_page, name="list")]
