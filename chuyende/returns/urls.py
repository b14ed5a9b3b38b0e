from django.urls import path

from chuyende.returns import views

app_name = "returns"
urlpatterns = [
    path("", views.list_page, name="list"),
    path("dang-vien/them/", views.member_create_page, name="member_create"),
    path("dang-vien/<int:pk>/sua/", views.member_edit_page, name="member_edit"),
    path("ngoai-dang/them/", views.non_member_create_page, name="non_member_create"),
    path("ngoai-dang/<int:pk>/sua/", views.non_member_edit_page, name="non_member_edit"),
    path("mot-phan/them/", views.partial_create_page, name="partial_create"),
]
