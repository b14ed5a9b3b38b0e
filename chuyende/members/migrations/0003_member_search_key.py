from typing import Any

from django.db import migrations, models

from chuyende.members.search import search_key_of


def fill_search_keys(apps: Any, schema_editor: Any) -> None:
    Member = apps.get_model("members", "Member")
    members = list(Member.objects.using(schema_editor.connection.alias).only("pk", "full_name", "code"))
    for member in members:
        member.search_key = search_key_of(member.full_name, member.code)
    Member.objects.using(schema_editor.connection.alias).bulk_update(members, ["search_key"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0002_status_order_open_start_first'),
    ]

    operations = [
        migrations.AddField(
            model_name='member',
            name='search_key',
            field=models.CharField(db_index=True, default='', editable=False, max_length=321),
        ),
        migrations.RunPython(fill_search_keys, migrations.RunPython.noop),
    ]
