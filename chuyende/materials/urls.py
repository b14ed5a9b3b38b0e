from django.urls import path

from chuyende.materials import views

app_name = "materials"
urlpatterns = [
    path("", views.list_page, name="list"),
    path("chuyen/", views.create_page, name="create"),
    path("<int:pk>/xoa/", views.delete_page, name="delete"),
    path("<int:pk>/tep/", views.file_page, name="file"),
]
