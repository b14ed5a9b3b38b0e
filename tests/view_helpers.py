"""Helpers for the page tests: row counts to prove nothing was written, and expected messages."""

from django.apps import apps
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

WRITABLE_MODELS = (
    "members.Member", "members.MemberStatus", "events.Event", "events.Site", "events.Attendance",
    "returns.MemberReturn", "returns.NonMemberReturn", "outreach.Outreach", "materials.MaterialTransfer",
    "pledges.Pledge", "pledges.PledgeReturn", "supervision.Supervisor", "supervision.Assignment",
    "supervision.Visit", "reports.Report", "reports.ReportTemplate", "audit.AuditEntry",
)


def table_counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in WRITABLE_MODELS}


def translated(msgid: str, **params: object) -> str:
    """The message in the language of the pages (Vietnamese), with its parameters filled in."""
    with translation.override("vi"):
        text = gettext(msgid)
    return text % params if params else text


def message(msgid: str, **params: object) -> str:
    """The message as the page shows it, HTML-escaped, to look for in the response."""
    return escape(translated(msgid, **params))
