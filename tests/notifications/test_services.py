"""Notifications of the report workflow and of the deadlines: who gets what, once, after commit; e-mail."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from chuyende.accounts.models import User
from chuyende.notifications.models import Notification
from chuyende.notifications.selectors import notifications_for, unread_count
from chuyende.notifications.services import (
    notification_mark_read,
    notifications_mark_all_read,
    report_event_notify,
    send_reminders,
)
from chuyende.reports.models import Report
from chuyende.reports.services import report_accept, report_return, report_submit
from tests.conftest import unit

MARCH_31 = datetime.date(2024, 3, 31)
DEADLINE = datetime.date(2024, 3, 25)  # the scenario campaign's report deadline


def _kinds(user: User) -> list[str]:
    return [n.kind for n in notifications_for(actor=user)]


def _hb_report() -> Report:
    return Report.objects.get(unit__code="BN.HA.HB")


def test_return_tells_the_unit_with_the_comment_and_nobody_else(
        actors, district_officer, run_tasks_now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report_return(actor=district_officer, report=_hb_report(), on=MARCH_31,
                      comment="Bổ sung số liệu thôn Đông")
    for user in (actors.owner, actors.reporter):
        [notification] = notifications_for(actor=user)
        assert notification.kind == Notification.Kind.REPORT_RETURNED
        assert notification.body == "Bổ sung số liệu thôn Đông"
        assert notification.link == f"/bao-cao/{_hb_report().pk}/"
        assert "trả lại" in notification.title
    assert _kinds(actors.viewer) == []
    assert all(_kinds(user) == [] for user in actors.outsiders.values())
    assert _kinds(district_officer) == []


def test_submit_tells_the_reviewers_of_the_level_above_then_accept_tells_the_unit(
        actors, district_officer, run_tasks_now, django_capture_on_commit_callbacks):
    district_viewer = User.objects.create(username="s.ha.viewer", unit=unit("BN.HA"), role="viewer")
    with django_capture_on_commit_callbacks(execute=True):
        report = report_return(actor=district_officer, report=_hb_report(), on=MARCH_31, comment="Sửa")
    with django_capture_on_commit_callbacks(execute=True):
        report = report_submit(actor=actors.owner, report=report, on=MARCH_31)
    assert _kinds(district_officer) == [Notification.Kind.REPORT_SUBMITTED]
    assert _kinds(district_viewer) == []
    assert all(Notification.Kind.REPORT_SUBMITTED not in _kinds(user) for user in actors.outsiders.values())
    with django_capture_on_commit_callbacks(execute=True):
        report_accept(actor=district_officer, report=report, on=MARCH_31)
    assert _kinds(actors.owner) == [Notification.Kind.REPORT_ACCEPTED, Notification.Kind.REPORT_RETURNED]


def test_the_task_run_twice_writes_once(actors, district_officer):
    report = report_return(actor=district_officer, report=_hb_report(), on=MARCH_31, comment="Sửa")
    first = report_event_notify(report_id=report.pk, event="returned", version=report.version, comment="Sửa")
    again = report_event_notify(report_id=report.pk, event="returned", version=report.version, comment="Sửa")
    assert len(first) == 2 and again == []
    assert Notification.objects.filter(kind=Notification.Kind.REPORT_RETURNED).count() == 2


def test_nothing_is_enqueued_for_a_step_rolled_back(actors, district_officer,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        report_return(actor=district_officer, report=_hb_report(), on=MARCH_31, comment="Sửa")
        raise RuntimeError
    assert callbacks == []


def test_the_step_enqueues_a_task_for_the_worker(actors, district_officer,
                                                 django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        report_return(actor=district_officer, report=_hb_report(), on=MARCH_31, comment="Sửa")
    [queued] = DBTaskResult.objects.filter(task_path="chuyende.notifications.tasks.notify_report_event")
    assert queued.args_kwargs["args"][1] == "returned"
    assert Notification.objects.count() == 0  # written by the worker, not by the request


def test_email_only_with_a_mail_server_and_an_address(actors, district_officer, settings,
                                                      django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://chuyende.example.vn"
    actors.owner.email = "hb.officer@example.vn"
    actors.owner.save(update_fields=["email"])
    report = report_return(actor=district_officer, report=_hb_report(), on=MARCH_31, comment="Sửa")
    settings.EMAIL_HOST = ""
    with django_capture_on_commit_callbacks(execute=True):
        report_event_notify(report_id=report.pk, event="returned", version=report.version, comment="Sửa")
    assert mail.outbox == []
    Notification.objects.all().delete()
    settings.EMAIL_HOST = "smtp.example.vn"
    with django_capture_on_commit_callbacks(execute=True):
        report_event_notify(report_id=report.pk, event="returned", version=report.version, comment="Sửa")
    [message] = mail.outbox  # the reporter has no address
    assert message.to == ["hb.officer@example.vn"]
    assert "Sửa" in message.body and f"https://chuyende.example.vn/bao-cao/{report.pk}/" in message.body
    assert Notification.objects.get(recipient=actors.owner).emailed_at is not None


def test_deadline_reminder_to_units_not_submitted_once(actors, district_officer):
    town = User.objects.create(username="s.tt.officer", unit=unit("BN.HA.TT"), role="officer")
    town_viewer = User.objects.create(username="s.tt.viewer", unit=unit("BN.HA.TT"), role="viewer")
    written = send_reminders(today=DEADLINE - datetime.timedelta(days=3))
    assert written > 0
    [notification] = notifications_for(actor=town)  # the town has sent no report
    assert notification.kind == Notification.Kind.DEADLINE_SOON and "25/03/2024" in notification.title
    assert _kinds(actors.owner) == []  # Hòa Bình has submitted
    assert _kinds(town_viewer) == []
    assert send_reminders(today=DEADLINE - datetime.timedelta(days=2)) == 0
    assert send_reminders(today=DEADLINE - datetime.timedelta(days=4)) == 0  # too early: nothing


def test_units_missing_at_the_deadline_to_the_reviewers_above(actors, district_officer):
    call_command("send_reminders", "--date", "2024-03-26")
    [notification] = notifications_for(actor=district_officer)
    assert notification.kind == Notification.Kind.MISSING_AT_DEADLINE
    assert "25/03/2024" in notification.title and "2" in notification.title
    assert "Đảng bộ thị trấn Hòa An, Chi bộ Trường THPT Hòa An" in notification.body
    assert all(_kinds(user) == [] for user in (actors.reporter, actors.viewer))  # reviewers only
    assert send_reminders(today=datetime.date(2024, 3, 26)) == 0
    assert send_reminders(today=datetime.date(2024, 4, 30)) == 0  # long after: nothing


def test_mark_read_and_all_read_only_touch_the_users_own(actors, district_officer):
    report = report_return(actor=district_officer, report=_hb_report(), on=MARCH_31, comment="Sửa")
    report_event_notify(report_id=report.pk, event="returned", version=report.version, comment="Sửa")
    own = notifications_for(actor=actors.owner).get()
    assert unread_count(actor=actors.owner) == 1
    notification_mark_read(actor=actors.owner, notification=own)
    assert unread_count(actor=actors.owner) == 0 and unread_count(actor=actors.reporter) == 1
    with pytest.raises(Notification.DoesNotExist):
        notification_mark_read(actor=actors.owner,
                               notification=notifications_for(actor=actors.reporter).get())
    assert notifications_mark_all_read(actor=actors.reporter) == 1
    assert unread_count(actor=actors.reporter) == 0


def test_send_reminders_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--date"):
        call_command("send_reminders", "--date", "31/02/2024")
