"""SQLite keeps planner statistics current: optimize at every connection, ANALYZE after bulk writes."""

import pytest
from django.db import connection

from chuyende.imports.models import ImportJob
from tests.imports.test_jobs import IMMEDIATE, member_rows, members_upload, started

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's autovacuum keeps its statistics"),
]


def statistics_of(*tables: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return set()
        marks = ", ".join("%s" for _ in tables)
        cursor.execute(f"SELECT DISTINCT tbl FROM sqlite_stat1 WHERE tbl IN ({marks})", tables)
        return {name for (name,) in cursor.fetchall()}


def test_a_connection_samples_a_bounded_number_of_rows_when_it_analyses():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit")
        assert cursor.fetchone()[0] == 1000


def test_an_import_job_leaves_statistics_of_the_member_tables(actors, settings, tmp_path):
    settings.MEDIA_ROOT, settings.TASKS = tmp_path / "media", IMMEDIATE
    tables = ("members_member", "members_memberstatus")
    if statistics_of(*tables):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sqlite_stat1")
    assert statistics_of(*tables) == set()

    job = started(actors.owner, members_upload(member_rows(3)))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert statistics_of(*tables) == set(tables)
