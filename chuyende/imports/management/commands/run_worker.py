"""`manage.py run_worker`: the job runner to start in production and in scripts/start.

It sets its memory ceiling (WORKER_MEMORY_MB), ends as interrupted the import jobs that a stopped
runner (or server) left unfinished, so that none stays "running" for ever and the user can start it
again, then runs django-tasks' database worker (`db_worker`, whose options it takes). Run one per
database.

The ceiling is RLIMIT_DATA, the process's private writable memory (heap, and the anonymous mappings
that large allocations get), not RLIMIT_AS (all address space): address space counts shared libraries,
memory-mapped files and the address ranges each thread's allocator reserves without using them, so
an RLIMIT_AS ceiling refuses work long before the memory is really used. At the ceiling, an allocation
fails: in Python it raises MemoryError and the job ends failed saying so (imports.services.run_job);
native code that aborts instead ends the process, which the service manager restarts and whose job the
next start marks interrupted.
"""

import resource
from typing import Any

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from chuyende.imports.services import import_jobs_interrupt_unfinished


def set_memory_ceiling(megabytes: int) -> None:
    """Limits this process's data memory to `megabytes` MB (0: no limit), within the hard limit."""
    if not megabytes:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    ceiling = megabytes * 1_048_576
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (ceiling, hard))


class Command(DatabaseWorkerCommand):
    help = ("Sets the runner's memory ceiling (CHUYENDE_WORKER_MEMORY_MB), marks the import jobs left "
            "unfinished by a restart as interrupted, then runs the database job runner (the options of "
            "db_worker).")

    def handle(self, *args: Any, **options: Any) -> None:
        set_memory_ceiling(settings.WORKER_MEMORY_MB)
        import_jobs_interrupt_unfinished()  # logs each job it ends
        super().handle(*args, **options)
