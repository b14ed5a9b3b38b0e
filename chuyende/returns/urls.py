from django.urls import path

from chuyende.returns import views

app_name = "returns"
urlpatterns = [path("", views.list_page, name="list")]
