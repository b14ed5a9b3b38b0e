from django.urls import path

from chuyende.reports import views_documents

urlpatterns = [
    path("<int:pk>/tai-ve.docx", views_documents.docx_download, name="docx"),
    path("<int:pk>/tai-ve.xlsx", views_documents.xlsx_download, name="xlsx"),
    path("<int:pk>/tai-ve.pdf", views_documents.pdf_download, name="pdf"),
]
