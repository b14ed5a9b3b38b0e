from django.urls import path

from chuyende.organisation import views

app_name = "organisation"
urlpatterns = [
    path("", views.tree_page, name="tree"),
    path("tao-moi/", views.unit_create_page, name="create"),
    path("<int:pk>/", views.unit_detail, name="detail"),
    path("<int:pk>/sua/", views.unit_edit_page, name="edit"),
]
