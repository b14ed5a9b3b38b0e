from django.db import migrations


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Every existing unit gets one period over the whole time line, from its current row."""
    Unit = apps.get_model("organisation", "Unit")
    UnitPeriod = apps.get_model("organisation", "UnitPeriod")
    quote = schema_editor.quote_name
    columns = ("unit_id", "parent_id", "name", "kind", "tracking", "path", "depth")
    picked = ("id", "parent_id", "name", "kind", "tracking", "path", "depth")
    schema_editor.execute(
        f"INSERT INTO {quote(UnitPeriod._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"SELECT {', '.join(quote(c) for c in picked)} FROM {quote(Unit._meta.db_table)}"
    )


class Migration(migrations.Migration):

    dependencies = [
        ("organisation", "0004_dated_tree_decisions"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
