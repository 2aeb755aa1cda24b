from django.db import migrations

from xinfang.audit.db_guard import install_guard, remove_guard


def forward(apps, schema_editor):
    install_guard(schema_editor.connection)


def backward(apps, schema_editor):
    remove_guard(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]
    operations = [migrations.RunPython(forward, backward)]
