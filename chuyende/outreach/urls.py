from django.urls import path

from chuyende.outreach import views

app_name = "outreach"
urlpatterns = [
    path("", views.list_page, name="list"),
    path("them/", views.create_page, name="create"),
    path("<int:pk>/sua/", views.edit_page, name="edit"),
    path("<int:pk>/xoa/", views.delete_page, name="delete"),
]
