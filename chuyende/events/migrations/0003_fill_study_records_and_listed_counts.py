from django.db import migrations
from django.db.models import Count, Min


def fill(apps, schema_editor):
    Site = apps.get_model("events", "Site")
    Attendance = apps.get_model("events", "Attendance")
    StudyRecord = apps.get_model("events", "StudyRecord")
    for site_id, listed in Attendance.objects.values_list("site_id").annotate(n=Count("id")).order_by():
        Site.objects.filter(pk=site_id).update(listed_members=listed)
    firsts = (
        Attendance.objects.values_list("event__campaign_id", "member_id")
        .annotate(first=Min("event__held_on"))
        .order_by()
    )
    StudyRecord.objects.bulk_create(
        StudyRecord(campaign_id=c, member_id=m, first_studied_on=f) for c, m, f in firsts
    )


class Migration(migrations.Migration):
    dependencies = [("events", "0002_study_records_and_listed_counts")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
