from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RestructuringConfig(AppConfig):
    name = "chuyende.restructuring"
    label = "restructuring"
    verbose_name = _("Restructuring")
