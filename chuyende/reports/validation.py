"""Checks over returns, events and reports. High importance blocks submission; lower ones warn."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from chuyende.reports.models import Report


@dataclass(frozen=True)
class Violation:
    rule: str
    importance: str  # "high" blocks submission, "medium" and "low" warn
    unit_code: str
    unit_name: str
    message: str
    where: str = ""  # the field, section or record concerned


IMPORTANCE_LABELS = {"high": _("High"), "medium": _("Medium"), "low": _("Low")}


def report_violations(*, report: Report) -> list[Violation]:
    """Violations in the report's own text and in the data of its unit's subtree up to its date."""
    return []
