"""Columns of the event list's export (chuyende.exports): what the list shows, one event a row."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chuyende.events.models import Event
from chuyende.exports.tables import ExportColumn, field_header

EVENT_COLUMNS = (
    ExportColumn(_("Date"), lambda e: e.held_on, width=12),
    ExportColumn(field_header(Event, "code"), lambda e: e.code, width=12),
    ExportColumn(pgettext_lazy("event", "Title"), lambda e: e.title, width=48),
    ExportColumn(_("Format"), lambda e: e.get_format_display(), width=20),
    ExportColumn(field_header(Event, "organiser"), lambda e: e.organiser.name, width=32),
    ExportColumn(_("Campaign"), lambda e: e.campaign.code, width=14),
    ExportColumn(_("Make-up session"), lambda e: str(_("Yes")) if e.is_make_up else "", width=12),
    ExportColumn(_("Audience"), lambda e: e.get_audience_display(), width=28),
    ExportColumn(_("Organised together with"), lambda e: e.get_partners_display(), width=28),
)
