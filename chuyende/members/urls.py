from django.urls import path

from chuyende.members import views

app_name = "members"
urlpatterns = [
    path("", views.list_page, name="list"),
    path("them/", views.create_page, name="create"),
    path("<int:pk>/", views.detail_page, name="detail"),
    path("<int:pk>/sua/", views.edit_page, name="edit"),
    path("<int:pk>/trang-thai/", views.status_page, name="status"),
    path("<int:pk>/chuyen-sinh-hoat/", views.move_page, name="move"),
    path("chuyen-sinh-hoat/", views.transfer_page, name="transfer"),
]
