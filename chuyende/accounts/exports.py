"""Columns of the user list's export (chuyende.exports): what the list shows, one user a row."""

from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from chuyende.exports.tables import ExportColumn

USER_COLUMNS = (
    ExportColumn(_("Login name"), lambda u: u.username, width=20),
    ExportColumn(_("Full name"), lambda u: u.get_full_name(), width=28),
    ExportColumn(_("Email"), lambda u: u.email, width=28),
    ExportColumn(_("Role"), lambda u: u.get_role_display(), width=16),
    ExportColumn(_("Unit code"), lambda u: u.unit.code if u.unit else "", width=18),
    ExportColumn(_("Unit"), lambda u: u.unit.name if u.unit else "", width=32),
    ExportColumn(
        pgettext_lazy("account", "Active"),
        lambda u: gettext("Yes") if u.is_active else gettext("No"),
        width=10,
    ),
    ExportColumn(_("Last login"), lambda u: u.last_login, width=18),
)
