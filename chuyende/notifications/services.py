"""Writing notifications: who is told what, once (a key per recipient), and the e-mail when the
installation has a mail server (CHUYENDE_EMAIL_HOST) and the user an address.

Called by the job runner (tasks.py) after a report's review step commits, and by `send_reminders`
once a day for the report deadlines.
"""

import datetime
import logging
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.campaigns.models import Campaign
from chuyende.core.numbers import format_date
from chuyende.figures.rules import open_on
from chuyende.notifications.models import Notification
from chuyende.organisation.models import Unit
from chuyende.reports.models import Report
from chuyende.reports.submissions import completeness_of

logger = logging.getLogger(__name__)

# Who hears about their own unit's reports, and who reviews those of the units below.
WRITERS = (User.Role.ADMIN, User.Role.OFFICER, User.Role.REPORTER)
REVIEWERS = (User.Role.ADMIN, User.Role.OFFICER)
REMIND_DAYS_BEFORE = 3  # "deadline in 3 days": sent from three days before the deadline to the day itself
MISSING_DAYS_AFTER = 3  # units missing: sent from the day after the deadline, for three days


class ReportEvent:
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


def _users_of(unit_ids: Iterable[int], roles: Sequence[str]) -> list[User]:
    users = User.objects.filter(unit_id__in=list(unit_ids), role__in=roles, is_active=True)
    return list(users.order_by("pk"))


@transaction.atomic
def notify(
    *, recipients: Sequence[User], kind: str, key: str, title: str, body: str = "", unit: Unit | None = None,
    link: str = "",
) -> list[Notification]:
    """One notification per recipient who has none with this key yet; returns those written (and
    e-mailed). Running it again with the same key writes nothing."""
    if not recipients:
        return []
    known = set(Notification.objects.filter(recipient__in=recipients, key=key)
                .values_list("recipient_id", flat=True))
    new = [Notification(recipient=user, kind=kind, key=key, title=title[:255], body=body, unit=unit,
                        link=link[:255]) for user in recipients if user.pk not in known]
    for notification in new:
        notification.full_clean(exclude=["recipient", "unit"], validate_constraints=False)
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    written = list(Notification.objects.filter(recipient__in=[n.recipient for n in new], key=key)
                   .select_related("recipient"))
    if written and settings.EMAIL_HOST:
        transaction.on_commit(lambda: _email([n.pk for n in written]), robust=True)
    return written


def _email(notification_ids: list[int]) -> None:
    """Sends each notification not e-mailed yet to its recipient's address, if they have one."""
    site = settings.SITE_URL.rstrip("/")
    for notification in Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True) \
            .select_related("recipient"):
        address = notification.recipient.email
        if not address:
            continue
        lines = [notification.body] if notification.body else []
        if site and notification.link:
            lines.append(site + notification.link)
        send_mail(subject=notification.title, message="\n\n".join(lines) or notification.title,
                  from_email=None, recipient_list=[address])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])


@transaction.atomic
def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """Marks one of the user's notifications read (already read: unchanged)."""
    current = Notification.objects.select_for_update().get(pk=notification.pk, recipient=actor)
    if current.read_at is None:
        current.read_at = timezone.now()
        current.save(update_fields=["read_at"])
    return current


@transaction.atomic
def notifications_mark_all_read(*, actor: User) -> int:
    """Marks every unread notification of the user read; returns how many."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


def report_event_notify(*, report_id: int, event: str, version: int, comment: str = "") -> list[Notification]:
    """The notifications of one step of a report (what the job runner does after it commits): its
    submission to the reviewers of the level above; its return, with the comment, or acceptance to
    the people of its unit. One per recipient, step and report version."""
    report = Report.objects.select_related("unit", "unit__parent", "campaign").filter(pk=report_id).first()
    if report is None:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        values = {"unit": report.unit.name, "report": report.number_and_symbol,
                  "campaign": report.campaign.title}
        link = reverse("reports:detail", args=[report.pk])
        key = f"report:{report.pk}:{event}:v{version}"
        if event == ReportEvent.SUBMITTED:
            if report.unit.parent_id is None:
                return []
            return notify(
                recipients=_users_of([report.unit.parent_id], REVIEWERS),
                kind=Notification.Kind.REPORT_SUBMITTED,
                key=key, unit=report.unit, link=link,
                title=_("%(unit)s submitted report %(report)s: to review") % values,
                body=_("Campaign: %(campaign)s") % values,
            )
        if event == ReportEvent.RETURNED:
            return notify(
                recipients=_users_of([report.unit_id], WRITERS), kind=Notification.Kind.REPORT_RETURNED,
                key=key, unit=report.unit, link=link,
                title=_("Report %(report)s was returned for correction") % values,
                body=comment,
            )
        if event == ReportEvent.ACCEPTED:
            return notify(
                recipients=_users_of([report.unit_id], WRITERS), kind=Notification.Kind.REPORT_ACCEPTED,
                key=key, unit=report.unit, link=link,
                title=_("Report %(report)s was accepted") % values,
                body=_("Campaign: %(campaign)s") % values,
            )
    raise ValueError(f"unknown report event: {event}")


def enqueue_report_event(*, report: Report, event: str, comment: str = "") -> None:
    """Hands the notifications of a report's step to the job runner once the step commits (never for
    a step rolled back)."""
    from chuyende.notifications.tasks import notify_report_event

    args = (report.pk, event, report.version, comment)
    transaction.on_commit(lambda: notify_report_event.enqueue(*args), robust=True)


def send_reminders(*, today: datetime.date) -> int:
    """The day's reminders (manage.py send_reminders, once a day; running it again sends nothing new):
    to the units that have not submitted their report of a campaign whose report deadline is in at most
    REMIND_DAYS_BEFORE days; and, in the days after a deadline, to the reviewers of each unit whose
    sub-units are missing. Returns how many notifications were written."""
    written = 0
    with translation.override(settings.LANGUAGE_CODE):
        remind_from = today + datetime.timedelta(days=REMIND_DAYS_BEFORE)
        soon = Campaign.objects.filter(report_deadline__gte=today, report_deadline__lte=remind_from)
        for campaign in soon.select_related("owner"):
            written += _deadline_soon(campaign=campaign, today=today)
        missing_until = today - datetime.timedelta(days=MISSING_DAYS_AFTER)
        passed = Campaign.objects.filter(report_deadline__lt=today, report_deadline__gte=missing_until)
        for campaign in passed.select_related("owner"):
            written += _missing_at_deadline(campaign=campaign)
    return written


def _deadline_soon(*, campaign: Campaign, today: datetime.date) -> int:
    deadline = campaign.report_deadline
    writers = _by_unit(_users_of(
        Unit.objects.filter(path__startswith=campaign.owner.path, parent__isnull=False)
        .filter(open_on(deadline)).values_list("pk", flat=True), WRITERS))
    # Who has not submitted is the figures package's completeness rule, asked of each writer's parent.
    parents = Unit.objects.filter(pk__in=writers).values_list("parent_id", flat=True).distinct()
    missing = {ref.id for parent in Unit.objects.filter(pk__in=parents)
               for ref in completeness_of(unit=parent, campaign=campaign, as_of=today).missing}
    users_by_unit = {unit_id: users for unit_id, users in writers.items() if unit_id in missing}
    values = {"campaign": campaign.title, "deadline": format_date(deadline), "days": (deadline - today).days}
    written = 0
    for unit in Unit.objects.filter(pk__in=users_by_unit):
        written += len(notify(
            recipients=users_by_unit[unit.pk], kind=Notification.Kind.DEADLINE_SOON,
            key=f"deadline_soon:{campaign.pk}:{deadline.isoformat()}:{unit.pk}", unit=unit,
            link=reverse("reports:list"),
            title=_("Report deadline %(deadline)s: your unit's report is not submitted yet") % values,
            body=_("Campaign: %(campaign)s") % values,
        ))
    return written


def _by_unit(users: Iterable[User]) -> dict[int, list[User]]:
    grouped: dict[int, list[User]] = {}
    for user in users:
        grouped.setdefault(user.unit_id or 0, []).append(user)
    return grouped


def _missing_at_deadline(*, campaign: Campaign) -> int:
    deadline = campaign.report_deadline
    reviewers = _users_of(Unit.objects.filter(path__startswith=campaign.owner.path).filter(open_on(deadline))
                          .values_list("pk", flat=True), REVIEWERS)
    users_by_unit = _by_unit(reviewers)
    written = 0
    for unit in Unit.objects.filter(pk__in=users_by_unit):
        missing = completeness_of(unit=unit, campaign=campaign, as_of=deadline).missing
        if not missing:
            continue
        values = {"campaign": campaign.title, "deadline": format_date(deadline), "count": len(missing),
                  "units": ", ".join(ref.name for ref in missing)}
        written += len(notify(
            recipients=users_by_unit[unit.pk], kind=Notification.Kind.MISSING_AT_DEADLINE,
            key=f"missing_at_deadline:{campaign.pk}:{deadline.isoformat()}:{unit.pk}", unit=unit,
            link=reverse("reports:checks"),
            title=_("Report deadline %(deadline)s passed: %(count)s sub-units have not submitted") % values,
            body=_("Not submitted: %(units)s. Campaign: %(campaign)s") % values,
        ))
    return written
