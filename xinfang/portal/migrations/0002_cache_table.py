"""The database cache table (settings.CACHES["shared"]) that keeps the portal's attempt
counters, created like ``manage.py createcachetable`` does; nothing when no cache of the
project is a database cache."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
