"""Keeps StudyRecord (first study day per campaign and member) in step with Attendance."""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Min

from chuyende.core import bulk
from chuyende.events.models import Attendance, StudyRecord

# Members a refresh reads and writes a statement: an IN (...) of the bulk paths, less the campaign's id.
CHUNK = bulk.IN_LIST_SIZE - 1


def refresh_study_records(*, campaign_id: int, member_ids: Iterable[int]) -> None:
    """Recomputes the campaign's first study day of these members: three statements (the records
    deleted, the first days read, the records inserted) for up to CHUNK members."""
    ids = sorted(set(member_ids))
    adapt = connection.ops.adapt_datefield_value
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        StudyRecord.objects.filter(campaign_id=campaign_id, member_id__in=chunk).delete()
        firsts = (
            Attendance.objects.filter(event__campaign_id=campaign_id, member_id__in=chunk)
            .values_list("member_id")
            .annotate(first=Min("event__held_on"))
            .order_by()
        )
        bulk.insert_rows(StudyRecord, ("campaign", "member", "first_studied_on"),
                         [(campaign_id, member_id, adapt(first)) for member_id, first in firsts])


def rebuild_all_study_records() -> None:
    """From scratch, for migrations and bulk loads that bypass the services."""
    StudyRecord.objects.all().delete()
    firsts = (
        Attendance.objects.values_list("event__campaign_id", "member_id")
        .annotate(first=Min("event__held_on"))
        .order_by()
    )
    batch: list[StudyRecord] = []
    for campaign_id, member_id, first in firsts.iterator(chunk_size=5000):
        batch.append(StudyRecord(campaign_id=campaign_id, member_id=member_id, first_studied_on=first))
        if len(batch) >= 5000:
            StudyRecord.objects.bulk_create(batch)
            batch = []
    StudyRecord.objects.bulk_create(batch)
