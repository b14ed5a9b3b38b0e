from django.urls import path

from chuyende.members import views

app_name = "members"
urlpatterns = [path("", views.list_page, name="list")]
