"""Columns of the outreach records' export (chuyende.exports): the records the list shows, one a row.
A session whose reach is unknown has an empty person-times cell (never a guessed 0)."""

from django.utils.translation import gettext_lazy as _

from chuyende.exports.tables import ExportColumn

OUTREACH_COLUMNS = (
    ExportColumn(_("Date"), lambda o: o.held_on, width=12),
    ExportColumn(_("Unit code"), lambda o: o.unit.code, width=18),
    ExportColumn(_("Unit"), lambda o: o.unit.name, width=32),
    ExportColumn(_("Channel"), lambda o: o.get_channel_display(), width=24),
    ExportColumn(_("Sessions"), lambda o: o.sessions, width=10),
    ExportColumn(_("Person-times"), lambda o: o.reach, width=12),
    ExportColumn(_("Note"), lambda o: o.note, width=40),
)
