"""`manage.py run_worker`: the job runner to start in production and in scripts/start.

It first ends as interrupted the import jobs that a stopped runner (or server) left unfinished, so
that none stays "running" for ever and the user can start it again, then runs django-tasks' database
worker (`db_worker`, whose options it takes). Run one per database.
"""

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from chuyende.imports.services import import_jobs_interrupt_unfinished


class Command(DatabaseWorkerCommand):
    help = ("Marks the import jobs left unfinished by a restart as interrupted, then runs the database "
            "job runner (the options of db_worker).")

    def handle(self, *args: Any, **options: Any) -> None:
        import_jobs_interrupt_unfinished()  # logs each job it ends
        super().handle(*args, **options)
