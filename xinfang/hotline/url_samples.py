"""Sample objects for the URL x role access matrix (xinfang/core/tests/test_access_matrix.py).

Hotline imports are the bureau's: everyone with the hotline capability sees all of them, so
no URL here is object-scoped."""

from __future__ import annotations

from typing import Any


def sample_job(users: dict[str, Any]) -> Any:
    from django.core.files.base import ContentFile

    from xinfang.hotline.models import ImportJob
    from xinfang.hotline.services import import_create

    job = ImportJob.objects.order_by("pk").first()
    if job is None:
        job = import_create(
            actor=users["clerk"],
            upload=ContentFile(b"order_number\n", name="empty.csv"),
            name="empty.csv",
        )
    return job


URL_KWARGS = {
    "hotline:import_detail": lambda users: {"pk": sample_job(users).pk},
    "hotline:import_progress": lambda users: {"pk": sample_job(users).pk},
    "hotline:import_errors": lambda users: {"pk": sample_job(users).pk},
    "hotline:import_resume": lambda users: {"pk": sample_job(users).pk},
    "hotline:sample": lambda users: {"fmt": "csv"},
}
POST_ONLY = {"hotline:import_resume", "hotline:intake"}
