"""Columns of the member list's export (chuyende.exports): what the list shows, one member a row."""

from django.utils.translation import gettext_lazy as _

from chuyende.exports.tables import ExportColumn, field_header
from chuyende.members.models import Member, MemberStatusChoices


def _status(member: Member) -> str:
    """The status on the day of the list, annotated `status_now` by members.selectors.with_status_on."""
    return str(dict(MemberStatusChoices.choices).get(getattr(member, "status_now", None) or "", ""))


MEMBER_COLUMNS = (
    ExportColumn(field_header(Member, "code"), lambda m: m.code, width=16),
    ExportColumn(_("Full name"), lambda m: m.full_name, width=28),
    ExportColumn(_("Sex"), lambda m: m.get_sex_display(), width=10),
    ExportColumn(_("Birth year"), lambda m: m.birth_year, width=10),
    ExportColumn(_("Membership"), lambda m: m.get_membership_display(), width=18),
    ExportColumn(_("Unit code"), lambda m: m.unit.code, width=18),
    ExportColumn(_("Unit"), lambda m: m.unit.name, width=32),
    ExportColumn(_("Status today"), _status, width=24),
)
