from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "chuyende.core"
    label = "core"
