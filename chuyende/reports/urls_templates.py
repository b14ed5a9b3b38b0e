from django.urls import path

from chuyende.reports import views_templates

urlpatterns = [
    path("mau/", views_templates.list_page, name="templates"),
    path("mau/mac-dinh.docx", views_templates.default_download, name="template_default"),
    path("mau/them/", views_templates.upload_page, name="template_upload"),
    path("mau/<int:pk>/tai-ve.docx", views_templates.download, name="template_download"),
    path("mau/<int:pk>/su-dung/", views_templates.set_active, name="template_active"),
    path("mau/<int:pk>/xoa/", views_templates.delete_page, name="template_delete"),
]
