"""Indexes for the work queues and the case list (docs/performance.md).

``case_queue_idx`` covers every column the queue conditions test (queues.py), so the queue
counts in every page's navigation read an index range of the open statuses and never a table
row; it replaces (status, due_on), a prefix of it, and is added before that one is dropped.
``case_received_idx`` serves the list's default order (newest first)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_encrypt_personal_data"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=[
                    "status",
                    "due_on",
                    "due_flag",
                    "channel",
                    "evaluation_due",
                    "handling_unit",
                ],
                include=("id",),
                name="case_queue_idx",
            ),
        ),
        migrations.RemoveIndex(
            model_name="case",
            name="cases_case_status_c1dcde_idx",
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["received_on", "id"], name="case_received_idx"),
        ),
    ]
