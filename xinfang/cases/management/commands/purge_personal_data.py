from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from xinfang.cases.privacy import purge_personal_data, retention_years


class Command(BaseCommand):
    help = "Erase petitioners' identifying data once the retention period after the matter ended."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--today", type=date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"] or timezone.localdate()
        report = purge_personal_data(today=today, dry_run=options["dry_run"])
        verb = "would erase" if options["dry_run"] else "erased"
        self.stdout.write(
            f"{verb} personal data of {report.petitioners} petitioner(s) in {report.cases} "
            f"case(s) ended more than {retention_years()} years before {today}"
        )
