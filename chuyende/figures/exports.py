"""Columns of the comparison's export: one row a unit of today's tree, the earlier campaign's
figures mapped onto it, the later one's, and the difference in percentage points."""

from django.utils.translation import gettext_lazy as _

from chuyende.campaigns.models import Campaign
from chuyende.exports.tables import ExportColumn
from chuyende.figures.comparison import Comparison


def comparison_columns(earlier: Campaign, later: Campaign) -> tuple[ExportColumn, ...]:
    return (
        ExportColumn(_("Unit code"), lambda c: c.unit.code, width=18),
        ExportColumn(_("Unit"), lambda c: c.unit.name, width=32),
        ExportColumn(_("Compared with"), _predecessors, width=40),
        ExportColumn(f"{earlier.code}: {_('Expected')}", lambda c: c.earlier.eligible, width=12),
        ExportColumn(f"{earlier.code}: {_('Studied')}", lambda c: c.earlier.studied, width=12),
        ExportColumn(f"{earlier.code}: {_('Rate')} (%)", lambda c: c.earlier.rate, width=12),
        ExportColumn(f"{later.code}: {_('Expected')}", lambda c: c.later.eligible, width=12),
        ExportColumn(f"{later.code}: {_('Studied')}", lambda c: c.later.studied, width=12),
        ExportColumn(f"{later.code}: {_('Rate')} (%)", lambda c: c.later.rate, width=12),
        ExportColumn(_("Difference (percentage points)"), lambda c: c.difference, width=14),
    )


def _predecessors(comparison: Comparison) -> str:
    split = {ref.id for ref in comparison.split}
    return "; ".join(f"{ref.name}{' ' + str(_('(split: shown whole)')) if ref.id in split else ''}"
                     for ref in comparison.predecessors)
