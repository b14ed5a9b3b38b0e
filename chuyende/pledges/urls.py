from django.urls import path

from chuyende.pledges import views

app_name = "pledges"
urlpatterns = [
    path("", views.list_page, name="list"),
    path("dang-ky/<int:unit_id>/", views.register_page, name="register"),
    path("<int:pk>/sua/", views.edit_page, name="edit"),
    path("danh-gia/<int:unit_id>/", views.rate_cell_page, name="rate_cell"),
    path("bao-cao/them/", views.return_page, name="return"),
    path("bao-cao/<int:pk>/sua/", views.return_edit_page, name="return_edit"),
]
