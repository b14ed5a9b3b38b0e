from django.urls import path

from chuyende.reports import views

urlpatterns = [
    path("", views.list_page, name="list"),
    path("them/", views.create_page, name="create"),
    path("<int:pk>/", views.detail_page, name="detail"),
    path("<int:pk>/sua/", views.edit_page, name="edit"),
    path("<int:pk>/gui/", views.submit_page, name="submit"),
    path("<int:pk>/chap-nhan/", views.accept_page, name="accept"),
    path("<int:pk>/tra-lai/", views.return_page, name="return"),
]
