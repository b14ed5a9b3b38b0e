from django.urls import path

from chuyende.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.home_page, name="home"),
    path("mau/<slug:kind>.xlsx", views.template_page, name="template"),
    path("<int:pk>/xem-truoc/", views.preview_page, name="preview"),
    path("<int:pk>/", views.job_page, name="job"),
    path("<int:pk>/trang-thai/", views.job_status_page, name="job_status"),
    path("<int:pk>/chay-lai/", views.restart_page, name="restart"),
    path("<int:pk>/ban-danh-dau-loi.xlsx", views.annotated_page, name="annotated"),
]
