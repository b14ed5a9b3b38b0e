from django.urls import path

from chuyende.restructuring import views

app_name = "restructuring"
urlpatterns = [
    path("", views.decision_list, name="list"),
    path("tao-moi/", views.decision_create_page, name="create"),
    path("mau-ke-hoach.xlsx", views.plan_template, name="template"),
    path("<int:pk>/", views.decision_detail, name="detail"),
    path("<int:pk>/thuc-hien/", views.decision_apply_view, name="apply"),
    path("<int:pk>/huy/", views.decision_undo_view, name="undo"),
]
