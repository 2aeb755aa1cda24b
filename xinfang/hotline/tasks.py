from __future__ import annotations

from django_tasks import task

from .callbacks import report_back
from .services import import_run, stale_imports


@task()
def run_import(job_id: int) -> dict[str, object]:
    """Background import of an uploaded hotline file (the page polls the job's counters)."""
    job = import_run(job_id=job_id)
    return {
        "state": job.state,
        "imported": job.imported,
        "duplicates": job.duplicates,
        "rejected": job.rejected,
        "registered": job.registered,
    }


@task()
def report_back_to_clients() -> dict[str, int]:
    """Periodic: POST each changed order status to its client system's callback URL."""
    return report_back()


@task()
def resume_stale_imports() -> dict[str, int]:
    """Periodic: put imports whose worker died back in the queue; they resume after their
    last committed batch (each batch commits its rows and the checkpoint together)."""
    jobs = stale_imports()
    for job in jobs:
        run_import.enqueue(job.pk)
    return {"resumed": len(jobs)}
