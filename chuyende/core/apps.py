from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "chuyende.core"
    label = "core"

    def ready(self) -> None:
        from chuyende.core.sqlite import optimize_on_open

        connection_created.connect(optimize_on_open, dispatch_uid="chuyende.core.sqlite.optimize_on_open")
