from django.db import migrations, models


def create_quality_table(apps, schema_editor):
    """Unmanaged like the rollup (derived data); filled by triggers installed after migrate
    (xinfang.analytics.rollup.ensure_rollup)."""
    from xinfang.analytics.models import QualityCell

    schema_editor.create_model(QualityCell)
    for index in QualityCell._meta.indexes:
        schema_editor.add_index(QualityCell, index)


def drop_quality_table(apps, schema_editor):
    from xinfang.analytics import quality
    from xinfang.analytics.models import QualityCell

    quality.drop_triggers(schema_editor.connection)
    schema_editor.delete_model(QualityCell)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="QualityCell",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField()),
                ("unit_id", models.IntegerField(default=0)),
                ("town", models.CharField(blank=True, max_length=9)),
                ("category_id", models.IntegerField()),
                ("channel", models.CharField(max_length=16)),
                ("passed", models.IntegerField(default=0)),
                ("inspected", models.IntegerField(default=0)),
            ],
            options={
                "db_table": "analytics_qualitycell",
                "managed": False,
                "indexes": [models.Index(fields=["month", "unit_id"], name="analytics_quality_month")],
            },
        ),
        migrations.RunPython(create_quality_table, drop_quality_table),
    ]
