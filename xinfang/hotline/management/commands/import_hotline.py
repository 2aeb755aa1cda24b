from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from xinfang.core.errors import DomainError
from xinfang.hotline.models import ImportJob
from xinfang.hotline.readers import FileFormatError, detect_format
from xinfang.hotline.services import import_create, import_run
from xinfang.org.models import User


class Command(BaseCommand):
    help = (
        "Import a 12345 hotline file (.csv or .xlsx, docs/hotline-import.md) with a progress "
        "bar. Idempotent: orders already imported are skipped. An interrupted import of the "
        "same file resumes after its last committed batch."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--actor", default="clerk", help="username of the intake clerk (default: clerk)"
        )
        parser.add_argument(
            "--no-register",
            action="store_true",
            help="only import the orders; do not register them as cases yet",
        )
        parser.add_argument(
            "--new", action="store_true", help="start a new job even if one for this file is open"
        )
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no file {path}")
        try:
            detect_format(path.name)
        except FileFormatError:
            raise CommandError("the file must be .csv or .xlsx") from None
        actor = User.objects.filter(username=options["actor"], is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {options['actor']!r}")
        job = None if options["new"] else self._open_job(path)
        if job is not None:
            self.stderr.write(f"resuming import {job.pk} after row {job.rows_done}")
        else:
            try:
                with path.open("rb") as fh:
                    job = import_create(
                        actor=actor,
                        upload=File(fh),
                        name=path.name,
                        register_cases=not options["no_register"],
                    )
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        clock: dict[str, Any] = {
            "phase": "import",
            "since": time.perf_counter(),
            "base": job.rows_done,
        }

        def progress(phase: str, done: int, total: int | None) -> None:
            now = time.perf_counter()
            if phase != clock["phase"]:  # the registration starts when the rows are in
                sys.stderr.write("\n")
                clock.update(phase=phase, since=now, base=0)
                clock["cpu_import"] = time.process_time() - cpu_start
            rate = (done - int(clock["base"])) / max(now - float(clock["since"]), 1e-9)
            label = "rows" if phase == "import" else "cases"
            if total:
                bar = "#" * int(30 * min(done, total) / total)
                sys.stderr.write(
                    f"\r{phase:<8} [{bar:<30}] {done:,}/{total:,} {label}, {rate:,.0f}/s"
                )
            else:
                sys.stderr.write(f"\r{phase:<8} {done:,} {label}, {rate:,.0f}/s")
            sys.stderr.flush()

        cpu_start = time.process_time()
        job = import_run(job_id=job.pk, progress=progress, batch_size=options["batch_size"])
        cpu_import = float(clock.get("cpu_import", time.process_time() - cpu_start))
        sys.stderr.write("\n")
        if job.state == ImportJob.State.FAILED:
            raise CommandError(f"import failed: {job.message}")
        for error in job.errors[:50]:
            self.stdout.write(
                f"row {error['row']}: {error.get('order_number', '')}: {error['reason']}"
            )
        if job.rejected > 50:
            self.stdout.write(f"... and {job.rejected - 50} more rejected rows")
        rows = max(job.total_rows - 1, 0) if job.total_rows else job.rows_done
        speed = rows / job.import_seconds if job.import_seconds else 0
        self.stdout.write(
            f"import {job.pk}: {job.imported} imported, {job.duplicates} already imported, "
            f"{job.rejected} rejected; {rows:,} rows in {job.import_seconds:.1f} s "
            f"({speed:,.0f} rows/s; {cpu_import:.1f} s CPU, {rows / max(cpu_import, 1e-9):,.0f} "
            "rows per CPU-second)"
        )
        if job.register_cases:
            cases_speed = job.registered / job.register_seconds if job.register_seconds else 0
            self.stdout.write(
                f"cases: {job.registered} registered, {job.registration_failed} refused, in "
                f"{job.register_seconds:.1f} s ({cases_speed:,.0f} cases/s)"
            )

    def _open_job(self, path: Path) -> ImportJob | None:
        import hashlib

        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        return (
            ImportJob.objects.filter(sha256=digest.hexdigest())
            .exclude(state=ImportJob.State.DONE)
            .order_by("-pk")
            .first()
        )
