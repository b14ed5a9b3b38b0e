"""Background work of the imports, run by `manage.py db_worker` (django-tasks, database backend)."""

from django_tasks import task

from chuyende.imports import services


@task()
def run_import_job(job_id: int) -> None:
    """Imports the file of a queued job; the job row records the outcome, whatever it is."""
    services.run_job(job_id)
