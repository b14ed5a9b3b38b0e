from django.urls import URLPattern

app_name = "pledges"

urlpatterns: list[URLPattern] = []
