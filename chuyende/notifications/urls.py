from django.urls import path

from chuyende.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox_page, name="inbox"),
    path("<int:pk>/mo/", views.open_notification, name="open"),
    path("da-doc/", views.mark_all_read, name="mark_all_read"),
]
