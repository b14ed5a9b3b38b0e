from django.urls import path

from chuyende.accounts import views, views_admin

app_name = "accounts"
urlpatterns = [
    path("bat-dau/", views.first_run_page, name="first_run"),
    path("tai-khoan/doi-mat-khau/", views.password_change_page, name="password_change"),
    path("quan-tri/", views_admin.admin_home, name="admin_home"),
    path("quan-tri/nguoi-dung/", views_admin.user_list, name="users"),
    path("quan-tri/nguoi-dung/tao-moi/", views_admin.user_create_page, name="user_create"),
    path("quan-tri/nguoi-dung/<int:pk>/", views_admin.user_edit_page, name="user_edit"),
    path("quan-tri/nguoi-dung/<int:pk>/ngung/", views_admin.user_deactivate_view, name="user_deactivate"),
    path("quan-tri/nguoi-dung/<int:pk>/kich-hoat/", views_admin.user_reactivate_view, name="user_reactivate"),
    path("quan-tri/nguoi-dung/<int:pk>/dat-lai-mat-khau/", views_admin.user_password_reset_view,
         name="user_password_reset"),
    path("quan-tri/cap/", views_admin.level_list, name="levels"),
    path("quan-tri/cap/<int:pk>/", views_admin.level_edit, name="level_edit"),
]
