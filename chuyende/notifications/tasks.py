"""Background work of the notifications, run by the job runner (`manage.py run_worker`)."""

from django_tasks import task

from chuyende.notifications import services


@task()
def notify_report_event(report_id: int, event: str, version: int, comment: str = "") -> None:
    """The notifications of one step of a report's review (idempotent: run twice, written once)."""
    services.report_event_notify(report_id=report_id, event=event, version=version, comment=comment)
