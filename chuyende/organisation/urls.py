from django.urls import path

from chuyende.organisation import views

app_name = "organisation"
urlpatterns = [path("", views.tree_page, name="tree")]
