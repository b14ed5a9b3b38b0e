from django.urls import path

from chuyende.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.list_page, name="list"),
    path("can-bo/them/", views.supervisor_create_page, name="supervisor_create"),
    path("phan-cong/", views.assign_page, name="assign"),
    path("buoi-kiem-tra/them/", views.visit_create_page, name="visit_create"),
    path("buoi-kiem-tra/<int:pk>/sua/", views.visit_edit_page, name="visit_edit"),
]
