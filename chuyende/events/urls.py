from django.urls import path

from chuyende.events import views

app_name = "events"
urlpatterns = [
    path("", views.list_page, name="list"),
    path("them/", views.create_page, name="create"),
    path("sinh-hoat-chi-bo/", views.cell_meeting_page, name="cell_meeting"),
    path("<int:pk>/", views.detail_page, name="detail"),
    path("<int:pk>/sua/", views.edit_page, name="edit"),
    path("<int:pk>/xoa/", views.delete_page, name="delete"),
    path("<int:pk>/diem-cau/<int:unit_pk>/", views.attendees_page, name="attendees"),
]
